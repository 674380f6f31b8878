from datetime import datetime

from flask import Blueprint, current_app

from elearn.models.types import utcnow

bp = Blueprint("magazine", __name__, url_prefix="/magazine")


def now() -> datetime:
    """The moment that decides what is published. Tests set MAGAZINE_CLOCK to stand a second before or
    after a publication time; in service it is the real clock."""
    clock = current_app.config.get("MAGAZINE_CLOCK")
    return clock() if clock else utcnow()
