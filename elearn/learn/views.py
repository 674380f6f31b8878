from flask import Blueprint, render_template
from flask_login import current_user, login_required

from elearn.services import orgs

bp = Blueprint("learn", __name__)


@bp.get("/")
@login_required
def home():
    return render_template("learn/home.html", user=current_user, unit_path=orgs.unit_path(current_user.division))
