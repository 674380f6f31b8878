from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from elearn.domain.people import Permission
from elearn.services import certificates, staff
from elearn.web import requires

bp = Blueprint("reports", __name__, url_prefix="/team")


@bp.get("/")
@requires(Permission.MANAGER)
def team():
    page = staff.list_visible_staff(
        current_user, search=request.args.get("q", ""), page=request.args.get("page", 1, type=int)
    )
    return render_template("reports/team.html", page=page, q=request.args.get("q", ""),
                           certificate_years=certificates.team_counts_by_year(current_user))


@bp.get("/staff/<int:staff_id>")
@requires(Permission.MANAGER)
def staff_member(staff_id: int):
    member = staff.visible_staff_member(current_user, staff_id)
    if member is None:
        abort(403)
    return render_template("reports/staff_member.html", member=member)
