"""Attendance (出欠) and what it completes: the roster marked at the venue, the QR code scanned by the person,
or the institute's sheet imported. Attending (and answering the survey where it is required) completes the
event through the same path as a course: a completion in the session's fiscal year and a certificate in the
same serial series, counted by the KPI for the event's tier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from elearn import db
from elearn.clock import TOKYO
from elearn.domain.events import Attendance, RegistrationStatus, checkin_code_valid, checkin_open, checkin_session_id
from elearn.domain.events import completes as completes_event
from elearn.domain.fiscal import fiscal_year
from elearn.domain.notices import NoticeKind
from elearn.imports.columns import (
    Column,
    RowError,
    cell,
    empty_error,
    match_columns,
    normalise_code,
    not_accepted_error,
)
from elearn.imports.messages import N_
from elearn.imports.reader import ImportFileError, read_table
from elearn.imports.staff_rows import normalise_staff_number
from elearn.models import (
    Certificate,
    Completion,
    EventSession,
    OrgUnit,
    Registration,
    SurveyResponse,
    TrainingEvent,
    User,
)
from elearn.services import audit, certificates, notices, visibility
from elearn.services.events import notice_params
from elearn.services.visibility import Viewer

MARKABLE = frozenset({RegistrationStatus.REGISTERED, RegistrationStatus.NOMINATED})


class AttendanceRefused(Exception):
    """str() is a reason code: not_organiser, code, window, not_registered."""


def mark(actor: User, viewer: Viewer, session_id: int, marks: Mapping[int, Attendance | None],
         now: datetime) -> int:
    """Set attendance per registration (None clears it); returns how many changed. Completions follow."""
    changed = 0
    with db.write_session() as session:
        target = session.get(EventSession, session_id, with_for_update=True)
        if target is None or not visibility.may_run_event(viewer, target.event):
            raise AttendanceRefused("not_organiser")
        for registration in session.scalars(select(Registration).where(
                Registration.session_id == session_id, Registration.id.in_(list(marks)))):
            wanted = marks[registration.id]
            if registration.status not in MARKABLE or registration.attendance == wanted:
                continue
            _set(session, target, registration, wanted, actor.id, now)
            changed += 1
        if changed:
            audit.record(session, actor, "event.attendance", target.event.code, session=session_id, changed=changed)
    return changed


def check_in(user: User, code: str, now: datetime) -> int:
    """The person scanning the venue's code checks themselves in, during the session's window only; returns
    the session's id."""
    session_id = checkin_session_id(code)
    with db.write_session() as session:
        target = session.get(EventSession, session_id, with_for_update=True) if session_id else None
        if target is None or not checkin_code_valid(code, target.checkin_key, now):
            raise AttendanceRefused("code")
        if not checkin_open(now, target.starts_at, target.ends_at) or target.cancelled_at is not None:
            raise AttendanceRefused("window")
        registration = session.scalar(select(Registration).where(Registration.session_id == target.id,
                                                                 Registration.user_id == user.id))
        if registration is None or registration.status not in MARKABLE:
            raise AttendanceRefused("not_registered")
        if registration.checked_in_at is None:
            registration.checked_in_at = now
            if registration.attendance is not Attendance.ATTENDED:
                _set(session, target, registration, Attendance.ATTENDED, user.id, now)
            audit.record(session, user, "event.checkin", target.event.code, session=target.id)
        return target.id


def survey_answered(session: Session, event_id: int, user_id: int) -> bool:
    return session.scalar(select(SurveyResponse.id).where(SurveyResponse.event_id == event_id,
                                                          SurveyResponse.user_id == user_id)) is not None


def settle(session: Session, target: EventSession, registration: Registration, now: datetime) -> None:
    """Make the completion agree with attendance and survey: add it (with its certificate) when they complete
    the event, take it away when a mark is corrected."""
    event = target.event
    done = completes_event(registration.attendance, event.survey_required,
                           survey_answered(session, event.id, registration.user_id))
    existing = session.scalar(select(Completion).where(Completion.user_id == registration.user_id,
                                                       Completion.event_id == event.id))
    if done and existing is None:
        _complete(session, target, registration, now)
    elif not done and existing is not None and existing.event_session_id == target.id:
        # A corrected mark: the completion was never earned, so it goes (with its certificate), as an undone
        # import does; the audit log keeps the serial.
        session.execute(update(Certificate).where(Certificate.completion_id == existing.id)
                        .values(superseded_by_id=None))
        session.execute(delete(Certificate).where(Certificate.completion_id == existing.id))
        session.delete(existing)


def _set(session: Session, target: EventSession, registration: Registration, wanted: Attendance | None,
         marked_by_id: int, now: datetime) -> None:
    registration.attendance = wanted
    registration.attendance_marked_by_id = marked_by_id
    registration.attendance_marked_at = now
    session.flush()
    settle(session, target, registration, now)
    if wanted is Attendance.ATTENDED:
        _tell_attended(session, target, registration)


def _tell_attended(session: Session, target: EventSession, registration: Registration) -> None:
    """Attendance recorded (with the certificate's number once it is issued), and the survey if it waits for
    an answer; once per person and event, however often a mark is corrected."""
    event = target.event
    serial = session.scalar(select(Certificate.serial).join(Completion, Completion.id == Certificate.completion_id)
                            .where(Completion.user_id == registration.user_id, Completion.event_id == event.id))
    params = {**notice_params(target), "certificate": serial, "survey_required": event.survey_required}
    notices.notify(session, registration.user_id, NoticeKind.EVENT_ATTENDED, params, key=f"attended:{event.id}")
    if event.survey_questions and not survey_answered(session, event.id, registration.user_id):
        notices.notify(session, registration.user_id, NoticeKind.EVENT_SURVEY, params, key=f"survey:{event.id}")


def event_completion(target: EventSession, person: User, at: datetime) -> Completion:
    """What attending a session completes: the event, in the session's fiscal year, for its KPI tier, where
    the person is now (the demo history builds its past attendances with this too)."""
    event: TrainingEvent = target.event
    day = target.starts_at.astimezone(TOKYO).date()
    return Completion(
        user_id=person.id, course_id=None, course_version_id=None, event_id=event.id, event_session_id=target.id,
        completed_at=at, completed_on=day, fiscal_year=fiscal_year(day), body_id=person.body_id,
        division_id=person.division_id, grade_id=person.grade_id, tier=event.kpi_tier, hours=event.hours)


def _complete(session: Session, target: EventSession, registration: Registration, now: datetime) -> Completion:
    """Completed at the session's end, or now when marked (or checked in) while it runs: a certificate is
    never dated in the future."""
    person = session.get(User, registration.user_id)
    completion = event_completion(target, person, min(target.ends_at, now))
    session.add(completion)
    session.flush()
    certificates.issue(session, completion, person, None, render_soon=True)
    return completion


# --- the institute's sheet ------------------------------------------------------------------------------------

ATTENDANCE_COLUMNS = (
    Column("staff_number", "職員番号", ("staff_number", "staff_no"), is_required=True),
    Column("body_code", "団体コード", ("body", "body_code"), is_required=True),
    Column("attendance", "出欠", ("attendance",), is_required=True),
)
ATTENDANCE_NAMES = {
    "出席": Attendance.ATTENDED, "attended": Attendance.ATTENDED, "〇": Attendance.ATTENDED, "○": Attendance.ATTENDED,
    "欠席": Attendance.ABSENT, "absent": Attendance.ABSENT, "×": Attendance.ABSENT,
    "早退": Attendance.LEFT_EARLY, "left_early": Attendance.LEFT_EARLY,
}


@dataclass
class AttendancePlan:
    marks: dict[int, Attendance] = field(default_factory=dict)  # registration id -> attendance
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def plan_attendance(viewer: Viewer, target: EventSession, data: bytes, filename: str) -> AttendancePlan:
    """Read the sheet against the session's registrations: every row a registered person, no one twice."""
    if not visibility.may_run_event(viewer, target.event):
        raise AttendanceRefused("not_organiser")
    try:
        table = read_table(data, filename)
    except ImportFileError as error:
        return AttendancePlan(errors=[RowError(None, error.text, error.params)])
    header_of, file_errors = match_columns(table, ATTENDANCE_COLUMNS)
    if file_errors:
        return AttendancePlan(errors=file_errors)
    if not table.rows:
        return AttendancePlan(errors=[RowError(None, N_("The file has no data rows."))])
    registered = {(code, number): (registration_id, status) for registration_id, status, code, number in
                  db.session().execute(
                      select(Registration.id, Registration.status, OrgUnit.code, User.staff_number)
                      .join(User, User.id == Registration.user_id).join(OrgUnit, OrgUnit.id == User.body_id)
                      .where(Registration.session_id == target.id))}
    plan = AttendancePlan()
    first_line: dict[int, int] = {}
    for row in table.rows:
        number = normalise_staff_number(cell(row.values, header_of, "staff_number"))
        body = normalise_code(cell(row.values, header_of, "body_code"))
        said = normalise_code(cell(row.values, header_of, "attendance")).casefold()
        if not number or not body or not said:
            label = "職員番号" if not number else "団体コード" if not body else "出欠"
            plan.errors.append(empty_error(row.line, label))
            continue
        attendance = ATTENDANCE_NAMES.get(said)
        if attendance is None:
            plan.errors.append(not_accepted_error(row.line, "出欠", said, ["出席", "欠席", "早退"]))
            continue
        found = registered.get((body, number))
        if found is None or found[1] not in MARKABLE:
            plan.errors.append(RowError(row.line, N_("Staff number %(number)s of body %(body)s has no place on "
                                                     "this session."), {"number": number, "body": body}))
            continue
        if found[0] in first_line:
            plan.errors.append(RowError(row.line, N_("The same person is on line %(first)d."),
                                        {"first": first_line[found[0]]}))
            continue
        first_line[found[0]] = row.line
        plan.marks[found[0]] = attendance
    return plan
