from flask import Blueprint

bp = Blueprint("magazine", __name__, url_prefix="/magazine")
