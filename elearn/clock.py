"""The one clock: the Tokyo zone, UTC now, today on the prefecture's calendar, and the app's clock that
tests may set (CLOCK in the app's config: a callable returning an aware datetime).

Pure modules import TOKYO and the functions here, so this module imports nothing from Flask at load."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    """The real moment, for stored timestamps (created, updated, signed in)."""
    return datetime.now(UTC)


def now() -> datetime:
    """The moment that decides what is published, due or overdue. Tests set CLOCK to stand a second
    before or after a publication time; in service, and outside a request or command, it is the real clock."""
    from flask import current_app, has_app_context

    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else utcnow()


def today_in_japan() -> date:
    """The date on the prefecture's calendars (deadlines, fiscal years), whatever the server's zone."""
    return now().astimezone(TOKYO).date()
