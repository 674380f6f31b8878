"""The weekly magazine's rules: when an issue goes out, whether it can be seen, how long it takes to read.

Visibility is worked out from the clock on every request, never flipped by a job: a scheduled issue is
simply one whose publication time has not come yet. That is what keeps "scheduled posts that never went
out" from happening.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from elearn.domain.completion import TOKYO

WEDNESDAY = 2  # date.weekday()
PUBLICATION_TIME = time(8, 30)  # Japan time, before the working day starts
CHARACTERS_PER_MINUTE = 500  # Japanese text read at an easy pace
SECONDS_PER_PAGE = 15  # looking at the panels, besides reading the balloons


class StoredStatus(StrEnum):
    """What the database holds. `APPROVED` becomes "scheduled" or "published" by the clock."""

    DRAFT = "draft"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


class IssueStatus(StrEnum):
    """What people see."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


def status(stored: StoredStatus, publish_at: datetime | None, now: datetime) -> IssueStatus:
    if stored is StoredStatus.WITHDRAWN:
        return IssueStatus.WITHDRAWN
    if stored is StoredStatus.DRAFT or publish_at is None:
        return IssueStatus.DRAFT
    return IssueStatus.PUBLISHED if publish_at <= now else IssueStatus.SCHEDULED


def is_visible_to_readers(stored: StoredStatus, publish_at: datetime | None, now: datetime) -> bool:
    """Approved and its time has come: from that very second, not from when a job next runs."""
    return status(stored, publish_at, now) is IssueStatus.PUBLISHED


def publication_moment(day: date) -> datetime:
    """08:30 in Japan on `day`, in UTC (as stored)."""
    return datetime.combine(day, PUBLICATION_TIME, tzinfo=TOKYO).astimezone(UTC)


def next_wednesday(now: datetime) -> datetime:
    """The default publication time: the next Wednesday 08:30 Japan time still ahead of `now`
    (today's, on a Wednesday before 08:30)."""
    today = now.astimezone(TOKYO).date()
    day = today + timedelta(days=(WEDNESDAY - today.weekday()) % 7)
    if publication_moment(day) <= now:
        day += timedelta(days=7)
    return publication_moment(day)


def wednesdays(start: date, weeks: int) -> list[date]:
    """The Wednesday slots of the editorial calendar, from the first one on or after `start`."""
    first = start + timedelta(days=(WEDNESDAY - start.weekday()) % 7)
    return [first + timedelta(weeks=week) for week in range(weeks)]


def reading_minutes(transcripts: Collection[str]) -> int:
    """"About N minutes": the dialogue read at an easy pace plus a moment per page; at least 1."""
    characters = sum(len("".join(text.split())) for text in transcripts)
    seconds = characters * 60 / CHARACTERS_PER_MINUTE + SECONDS_PER_PAGE * len(transcripts)
    return max(1, round(seconds / 60))


def next_issue_number(used: Collection[int]) -> int:
    """One more than any number ever given, withdrawn issues included: a number is never reused."""
    return max(used, default=0) + 1
