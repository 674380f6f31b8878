"""An event's figures for its organisers: per session and per body, registrations, the waiting list,
attendance and its rate, completions; and its survey (services.events.surveys)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from elearn import db
from elearn.domain.events import HOLDS_PLACE, Attendance, RegistrationStatus, attendance_rate
from elearn.models import Completion, EventSession, OrgUnit, Registration, TrainingEvent, User
from elearn.services import visibility
from elearn.services.visibility import Viewer


class ReportRefused(Exception):
    pass


@dataclass
class Tally:
    places: int = 0  # registered or nominated (holding a place)
    expected: int = 0  # places on sessions already begun: whom attendance is measured against
    waiting: int = 0
    declined: int = 0
    cancelled: int = 0
    attended: int = 0
    absent: int = 0
    left_early: int = 0
    completed: int = 0

    @property
    def rate(self) -> float | None:
        """None until a session has begun (nobody could have attended yet)."""
        return attendance_rate(self.attended, self.expected)


@dataclass
class EventReport:
    sessions: list[tuple[EventSession, Tally]] = field(default_factory=list)
    bodies: list[tuple[str, Tally]] = field(default_factory=list)
    total: Tally = field(default_factory=Tally)


def event_report(viewer: Viewer, event: TrainingEvent, now: datetime) -> EventReport:
    """Two queries whatever the event's size."""
    if not visibility.may_run_event(viewer, event):
        raise ReportRefused("not_organiser")
    session = db.session()
    rows = session.execute(
        select(Registration.session_id, Registration.user_id, Registration.status, Registration.attendance,
               OrgUnit.name, OrgUnit.code)
        .join(EventSession, EventSession.id == Registration.session_id)
        .join(User, User.id == Registration.user_id).join(OrgUnit, OrgUnit.id == User.body_id)
        .where(EventSession.event_id == event.id)).all()
    completed = {(session_id, user_id) for session_id, user_id in session.execute(
        select(Completion.event_session_id, Completion.user_id).where(Completion.event_id == event.id))}
    per_session: dict[int, Tally] = defaultdict(Tally)
    per_body: dict[tuple[str, str], Tally] = defaultdict(Tally)
    report = EventReport()
    begun = {item.id for item in event.sessions if item.starts_at <= now}
    for session_id, user_id, status, attended, body_name, body_code in rows:
        for tally in (per_session[session_id], per_body[(body_code, body_name)], report.total):
            _count(tally, status, attended, (session_id, user_id) in completed, session_id in begun)
    report.sessions = [(item, per_session[item.id]) for item in event.sessions]
    report.bodies = [(name, tally) for (code, name), tally in sorted(per_body.items())]
    return report


def _count(tally: Tally, status: RegistrationStatus, attended: Attendance | None, completed: bool,
           begun: bool) -> None:
    if status in HOLDS_PLACE:
        tally.places += 1
        tally.expected += begun
        if attended is Attendance.ATTENDED:
            tally.attended += 1
        elif attended is Attendance.ABSENT:
            tally.absent += 1
        elif attended is Attendance.LEFT_EARLY:
            tally.left_early += 1
    elif status is RegistrationStatus.WAITING:
        tally.waiting += 1
    elif status is RegistrationStatus.DECLINED:
        tally.declined += 1
    else:
        tally.cancelled += 1
    tally.completed += completed
