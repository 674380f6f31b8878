"""Jinja filters and globals: dates and fiscal years (from elearn.dates), labels, the current permissions."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import get_locale, get_translations
from flask_login import current_user

from elearn.dates import date_text, datetime_text, fiscal_year_text, month_text, short_date_text, time_text
from elearn.domain.kpi import TrainingMode
from elearn.domain.magazine import ruby_pieces
from elearn.domain.notices import Topic
from elearn.domain.people import Permission, Tier
from elearn.labels import (
    ATTENDANCE_LABELS,
    AUDIENCE_LABELS,
    COURSE_STATUS_LABELS,
    DELIVERY_LABELS,
    EVENT_FORMAT_LABELS,
    INBOX_KIND_LABELS,
    INBOX_STATUS_LABELS,
    ISSUE_STATUS_LABELS,
    JOB_STATE_LABELS,
    MAIL_STATE_LABELS,
    MODE_LABELS,
    NOTICE_KIND_LABELS,
    ORG_KIND_LABELS,
    PERMISSION_LABELS,
    REGISTRATION_STATUS_LABELS,
    TASK_LABELS,
    TIER_LABELS,
    TOPIC_LABELS,
)
from elearn.observability import request_id
from elearn.services import notices, visibility, workshops
from elearn.web import viewer


def hours_text(value: Decimal) -> str:
    """3, 1.5, 0.75: hours of study without trailing zeros."""
    return format(value.normalize(), "f")


def may(rule: str) -> bool:
    """Templates ask the access policy by rule name, e.g. {% if may("see_team") %} for visibility.may_see_team."""
    return bool(current_user.is_authenticated) and getattr(visibility, f"may_{rule}")(viewer())


def unread_notices() -> int:
    """The bell's count, read once per request."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notices" not in g:
        loaded = current_user.unread_notices_at_load
        g.unread_notices = loaded if loaded is not None else notices.unread_count(current_user.id)
    return g.unread_notices


def workshops_waiting() -> int:
    """Submissions waiting for the viewer's review, for the navigation (read once per request)."""
    if not current_user.is_authenticated:
        return 0
    if "workshops_waiting" not in g:
        g.workshops_waiting = workshops.waiting_count(viewer())
    return g.workshops_waiting


def play_time_text(seconds: float) -> str:
    """A position or length in a video as players show it: 4:05, or 1:02:03 past an hour."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def request_translations():  # type: ignore[no-untyped-def]
    """Flask-Babel finds the domain, the locale and its catalogue again on every call, a dozen context lookups;
    a page calls gettext dozens of times, so the catalogue is kept for the request beside the locale it is for
    (force_locale, as in mail, sets another locale object and so gets its own)."""
    locale = get_locale()
    kept = g.get("_elearn_translations")
    if kept is None or kept[0] is not locale:
        kept = g._elearn_translations = (locale, get_translations())
    return kept[1]


BUILT_URLS_KEPT = 20_000


def remembered_url_for(endpoint: str, **values: object) -> str:
    """url_for for templates, remembering the addresses this process has built: building one walks the URL map
    and runs the url_defaults (a page has a few dozen links, and they are the same on every request). Kept are
    addresses that depend on nothing but their arguments and the script root; not external addresses, anchors or
    methods, nor anything outside a request. A static file's address names its content: kept too, since a running
    server's files change only with a release, which restarts it, but built each time in debug mode, where files
    are edited."""
    if (not has_request_context() or any(name[:1] == "_" for name in values)
            or (endpoint == "static" and current_app.debug)):
        return url_for(endpoint, **values)
    key = (endpoint, request.blueprint if endpoint[:1] == "." else None, request.script_root,
           tuple((name, type(value), value) for name, value in sorted(values.items())))
    try:
        built: dict = current_app.extensions["elearn.built_urls"]
        return built[key]
    except TypeError:  # an unhashable value, e.g. a list of query values
        return url_for(endpoint, **values)
    except KeyError:
        address = built[key] = url_for(endpoint, **values)
        if len(built) > BUILT_URLS_KEPT:
            built.clear()
        return address


def init_templating(app: Flask) -> None:
    app.extensions["elearn.built_urls"] = {}
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # `_()` is the i18n extension's alias that looks `gettext` up in the context on every call: bind it directly.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"]
    app.add_template_filter(date_text, "date")
    app.add_template_filter(datetime_text, "datetime")
    app.add_template_filter(time_text, "time_of_day")
    app.add_template_filter(month_text, "month")
    app.add_template_filter(short_date_text, "short_date")
    app.add_template_filter(fiscal_year_text, "fiscal_year")
    app.add_template_filter(hours_text, "hours")
    app.add_template_filter(play_time_text, "clock")
    app.jinja_env.globals.update(
        Permission=Permission,
        Tier=Tier,
        TIER_LABELS=TIER_LABELS,
        MODE_LABELS=MODE_LABELS,
        EVENT_FORMAT_LABELS=EVENT_FORMAT_LABELS,
        DELIVERY_LABELS=DELIVERY_LABELS,
        REGISTRATION_STATUS_LABELS=REGISTRATION_STATUS_LABELS,
        ATTENDANCE_LABELS=ATTENDANCE_LABELS,
        TrainingMode=TrainingMode,
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
        unread_notices=unread_notices,
        workshops_waiting=workshops_waiting,
        request_id=request_id,
        Topic=Topic,
        TOPIC_LABELS=TOPIC_LABELS,
        NOTICE_KIND_LABELS=NOTICE_KIND_LABELS,
        MAIL_STATE_LABELS=MAIL_STATE_LABELS,
        JOB_STATE_LABELS=JOB_STATE_LABELS,
        TASK_LABELS=TASK_LABELS,
        url_for=remembered_url_for,
    )
