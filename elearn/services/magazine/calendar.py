"""The editorial calendar: Wednesday slots around today, what waits for review, drafts, and issues approved
for a day that is not a slot."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn import db
from elearn.clock import TOKYO
from elearn.domain import magazine as rules
from elearn.domain.magazine import StoredStatus
from elearn.models import MagazineIssue


@dataclass(frozen=True)
class Slot:
    day: date  # a Wednesday
    issues: list[MagazineIssue]  # approved for that day (Japan time), any hour

    @property
    def is_filled(self) -> bool:
        return bool(self.issues)


@dataclass(frozen=True)
class Calendar:
    slots: list[Slot]
    next_wednesday: date
    next_wednesday_empty: bool
    awaiting_review: list[MagazineIssue]
    drafts: list[MagazineIssue]
    off_slot: list[MagazineIssue]  # approved for a day that is not a Wednesday in the window


def calendar(now: datetime, weeks_before: int = 2, weeks_after: int = 8) -> Calendar:
    session = db.session()
    today = now.astimezone(TOKYO).date()
    days = rules.wednesdays(today - timedelta(weeks=weeks_before), weeks_before + weeks_after)
    start, end = _day_start(days[0]), _day_start(days[-1] + timedelta(days=1))
    approved = session.scalars(select(MagazineIssue).where(
        MagazineIssue.stored_status == StoredStatus.APPROVED, MagazineIssue.publish_at >= start,
        MagazineIssue.publish_at < end).order_by(MagazineIssue.publish_at))
    by_day: dict[date, list[MagazineIssue]] = defaultdict(list)
    for issue in approved:
        by_day[issue.publish_at.astimezone(TOKYO).date()].append(issue)
    upcoming = rules.next_wednesday(now).astimezone(TOKYO).date()
    drafts = list(session.scalars(select(MagazineIssue).where(MagazineIssue.stored_status == StoredStatus.DRAFT)
                                  .order_by(MagazineIssue.number)))
    return Calendar(
        slots=[Slot(day, by_day.pop(day, [])) for day in days],
        next_wednesday=upcoming,
        next_wednesday_empty=not _has_issue_on(session, upcoming),
        awaiting_review=[issue for issue in drafts if issue.submitted_at is not None],
        drafts=[issue for issue in drafts if issue.submitted_at is None],
        off_slot=[issue for issues in by_day.values() for issue in issues],
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TOKYO)


def _has_issue_on(session: Session, day: date) -> bool:
    return bool(session.scalar(select(func.count()).where(
        MagazineIssue.stored_status == StoredStatus.APPROVED, MagazineIssue.publish_at >= _day_start(day),
        MagazineIssue.publish_at < _day_start(day + timedelta(days=1)))))
