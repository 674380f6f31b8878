"""The weekly magazine's rules: when an issue goes out, whether it can be seen, how long it takes to read.

Visibility is worked out from the clock on every request, never flipped by a job: a scheduled issue is
simply one whose publication time has not come yet. That is what keeps "scheduled posts that never went
out" from happening.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from elearn.clock import TOKYO

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


class Audience(StrEnum):
    PREFECTURE = "prefecture"  # prefecture staff only
    SHARED = "shared"  # also the municipalities' staff


def audience_includes(audience: Audience, reader_is_prefecture_staff: bool) -> bool:
    return audience is Audience.SHARED or reader_is_prefecture_staff


# Aozora Bunko ruby: ｜漢字《かんじ》, or 漢字《かんじ》 where the base is the run of kanji before 《.
_RUBY = re.compile(r"[｜|]([^｜|《》\n]+)《([^《》\n]+)》"
                   r"|([\u3005\u3400-\u9fff\U00020000-\U0003134f]+)《([^《》\n]+)》")


@dataclass(frozen=True)
class TextPiece:
    text: str
    reading: str | None = None  # ruby over `text`


def ruby_pieces(text: str) -> list[TextPiece]:
    """A transcript split into plain text and ruby-annotated pieces, for the template to render."""
    pieces: list[TextPiece] = []
    position = 0
    for match in _RUBY.finditer(text):
        if match.start() > position:
            pieces.append(TextPiece(text[position:match.start()]))
        base, reading = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        pieces.append(TextPiece(base, reading))
        position = match.end()
    if position < len(text):
        pieces.append(TextPiece(text[position:]))
    return pieces


def plain_text(text: str) -> str:
    """The transcript as read: ruby readings dropped, so a search for 漢字 finds ｜漢字《かんじ》."""
    return "".join(piece.text for piece in ruby_pieces(text))


@dataclass(frozen=True)
class PageText:
    position: int
    transcript: str
    description: str


def pages_missing_text(pages: Collection[PageText]) -> list[int]:
    """Positions of pages without a transcript or a description: an issue cannot go out with them."""
    return [page.position for page in pages if not page.transcript.strip() or not page.description.strip()]


class InboxKind(StrEnum):
    QUESTION = "question"  # 問い合わせ
    IDEA = "idea"  # ネタ投稿


class InboxStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    ADOPTED = "adopted"
    DECLINED = "declined"


@dataclass(frozen=True)
class MonthCount:
    month: date  # the first day of the month (Japan time)
    counts: dict[InboxKind, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def counts_by_month(items: Collection[tuple[InboxKind, datetime]], first: date, last: date) -> list[MonthCount]:
    """Items received per month and kind, every month from `first` to `last` listed (empty ones too),
    months taken in Japan time: an item sent at 08:00 JST on 1 April belongs to April."""
    months: list[date] = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    table = {month: dict.fromkeys(InboxKind, 0) for month in months}
    for kind, sent_at in items:
        local = sent_at.astimezone(TOKYO).date().replace(day=1)
        if local in table:
            table[local][kind] += 1
    return [MonthCount(month, table[month]) for month in months]
