"""Reading the audit log: what a target names, and the Japanese day a date filter covers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from elearn.clock import TOKYO

# Targets about a person are written "user:<id>", optionally followed by the staff number and name.
_USER_TARGET = re.compile(r"user:(\d+)(?: |$)")


def target_user_id(target: str) -> int | None:
    """'user:12 1001 山田 太郎' -> 12: the person an entry is about, when it is about one."""
    match = _USER_TARGET.match(target or "")
    return int(match.group(1)) if match else None


def utc_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole days on the prefecture's calendar, both ends included, as [start, end) in UTC."""
    start = datetime.combine(since, time(0), TOKYO).astimezone(UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), time(0), TOKYO).astimezone(UTC) if until else None
    return start, end
