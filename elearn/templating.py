"""Jinja filters and globals: Japanese dates, fiscal-year labels, the current permissions."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, get_locale
from flask_login import current_user

from elearn.clock import TOKYO
from elearn.domain import fiscal
from elearn.domain.magazine import ruby_pieces
from elearn.domain.people import Permission, Tier
from elearn.labels import (
    AUDIENCE_LABELS,
    COURSE_STATUS_LABELS,
    INBOX_KIND_LABELS,
    INBOX_STATUS_LABELS,
    ISSUE_STATUS_LABELS,
    ORG_KIND_LABELS,
    PERMISSION_LABELS,
    TIER_LABELS,
)
from elearn.services import visibility
from elearn.web import viewer


def local_date(value: date | datetime | None) -> str:
    """令和7年4月1日 in Japanese; the locale's medium date otherwise."""
    if value is None:
        return ""
    day = value.astimezone(TOKYO).date() if isinstance(value, datetime) else value
    if str(get_locale()) == "ja":
        return fiscal.format_date_ja(day)
    return format_date(day, "medium")


def local_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    moment = value.astimezone(TOKYO)
    return f"{local_date(moment)} {moment:%H:%M}"


def time_of_day(value: datetime | None) -> str:
    return value.astimezone(TOKYO).strftime("%H:%M") if value else ""


def may(rule: str) -> bool:
    """Templates ask the access policy by rule name, e.g. {% if may("see_team") %} for visibility.may_see_team."""
    return bool(current_user.is_authenticated) and getattr(visibility, f"may_{rule}")(viewer())


def init_templating(app: Flask) -> None:
    app.add_template_filter(local_date, "date")
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(time_of_day, "time_of_day")
    app.add_template_filter(fiscal.fiscal_year_label_ja, "fiscal_year_ja")
    app.jinja_env.globals.update(
        Permission=Permission,
        Tier=Tier,
        TIER_LABELS=TIER_LABELS,
        COURSE_STATUS_LABELS=COURSE_STATUS_LABELS,
        PERMISSION_LABELS=PERMISSION_LABELS,
        ORG_KIND_LABELS=ORG_KIND_LABELS,
        ISSUE_STATUS_LABELS=ISSUE_STATUS_LABELS,
        AUDIENCE_LABELS=AUDIENCE_LABELS,
        INBOX_KIND_LABELS=INBOX_KIND_LABELS,
        INBOX_STATUS_LABELS=INBOX_STATUS_LABELS,
        current_locale=lambda: str(get_locale()),
        ruby=ruby_pieces,
        may=may,
    )
