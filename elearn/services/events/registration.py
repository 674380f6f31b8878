"""Places on a session: registering, the waiting list, cancelling, nominations.

Every change runs in one write transaction that first locks the session's row (SELECT ... FOR UPDATE on
PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers already), counts the places taken and then writes,
so parallel registrations never take more places than there are, and a cancellation promotes the first
person waiting in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, tuple_
from sqlalchemy.orm import Session, joinedload, selectinload

from elearn import db
from elearn.domain.events import (
    HOLDS_PLACE,
    RegistrationStatus,
    Waiting,
    may_cancel,
    place_for,
    promotions,
    registration_closed,
)
from elearn.domain.notices import NoticeKind
from elearn.imports.staff_rows import normalise_staff_number
from elearn.models import Completion, EventSession, OrgUnit, Registration, TrainingEvent, User
from elearn.services import audit, notices, visibility
from elearn.services.events import is_for, notice_params
from elearn.services.notices import Delivery
from elearn.services.visibility import Viewer

LIVE = frozenset({RegistrationStatus.REGISTERED, RegistrationStatus.WAITING, RegistrationStatus.NOMINATED})
REASON_MAX = 500


class RegistrationRefused(Exception):
    """str() is a reason code the view words (closed, not_yet, started, full, deadline, other_session, ...)."""


def register(user: User, session_id: int, now: datetime) -> Registration:
    """A place, or a place on the waiting list; registering again while registered changes nothing."""
    with db.write_session() as session:
        target = _locked(session, session_id)
        event = target.event
        person = session.get(User, user.id)
        if not visibility.may_see_event(visibility.viewer_of(person), event) or event.published_at is None:
            raise RegistrationRefused("not_invited")
        if not is_for(event, person.tiers, person.grade.name if person.grade else None):
            raise RegistrationRefused("not_for_you")
        closed = registration_closed(now, target.starts_at, target.registration_opens_at,
                                     target.registration_closes_at,
                                     target.cancelled_at is not None or event.cancelled_at is not None)
        if closed is not None:
            raise RegistrationRefused(closed.value)
        existing = _existing(session, target.id, person.id)
        if existing is not None and existing.status in LIVE:
            return existing
        _refuse_if_elsewhere(session, event, person.id, target.id)
        status = place_for(_places_taken(session, target.id), target.capacity)
        registration = _upsert(session, existing, target.id, person.id, status, now)
        notices.notify(session, person.id, NoticeKind.EVENT_REGISTERED if status is RegistrationStatus.REGISTERED
                       else NoticeKind.EVENT_WAITING, notice_params(target))
        audit.record(session, person, "event.register", event.code, session=target.id, status=status.value)
    return registration


def cancel(user: User, registration_id: int, now: datetime) -> list[int]:
    """Cancel one's own registration before the deadline; returns the registrations promoted into the place."""
    with db.write_session() as session:
        registration = session.get(Registration, registration_id)
        if registration is None or registration.user_id != user.id:
            raise RegistrationRefused("not_yours")
        target = _locked(session, registration.session_id)
        if registration.status not in LIVE:
            return []
        if not may_cancel(now, target.starts_at, target.cancellation_deadline):
            raise RegistrationRefused("deadline")
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        session.flush()
        promoted = fill_free_places(session, target, now)
        audit.record(session, user, "event.cancel", target.event.code, session=target.id,
                     promoted=",".join(str(item) for item in promoted))
    return promoted


def fill_free_places(session: Session, target: EventSession, now: datetime | None = None) -> list[int]:
    """Move the first people waiting into the places free now; call under the session's lock."""
    free = target.capacity - _places_taken(session, target.id)
    waiting = [Waiting(row.id, row.queued_at) for row in session.execute(
        select(Registration.id, Registration.queued_at)
        .where(Registration.session_id == target.id, Registration.status == RegistrationStatus.WAITING))]
    chosen = promotions(free, waiting)
    promoted = list(session.scalars(select(Registration).where(Registration.id.in_(chosen))))
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = now or target.starts_at
    if promoted:
        params = notice_params(target)
        notices.deliver(session, [Delivery(registration.user_id, NoticeKind.EVENT_PROMOTED, params)
                                  for registration in promoted])
    return chosen


@dataclass(frozen=True)
class NominationResult:
    nominated: list[str]  # names
    refused: list[tuple[str, str]]  # (name, reason code)


def nominate(actor: User, viewer: Viewer, session_id: int, person_ids: Iterable[int],
             now: datetime) -> NominationResult:
    """Name people for a session (指名). A nomination holds a place until it is answered, so nobody is named
    into a full session; someone already registered or waiting is left as they are."""
    nominated: list[str] = []
    refused: list[tuple[str, str]] = []
    with db.write_session() as session:
        target = _locked(session, session_id)
        event = target.event
        if target.cancelled_at is not None or now >= target.starts_at:
            raise RegistrationRefused("started")
        for person in session.scalars(select(User).where(User.id.in_(list(person_ids))).order_by(User.kana)):
            if not visibility.may_nominate(viewer, event, person):
                refused.append((person.name, "not_yours"))
                continue
            existing = _existing(session, target.id, person.id)
            if existing is not None and existing.status in (RegistrationStatus.REGISTERED,
                                                            RegistrationStatus.NOMINATED):
                refused.append((person.name, "already"))
                continue
            try:
                _refuse_if_elsewhere(session, event, person.id, target.id)
            except RegistrationRefused as error:
                refused.append((person.name, str(error)))
                continue
            if _places_taken(session, target.id) >= target.capacity:
                refused.append((person.name, "full"))
                continue
            registration = _upsert(session, existing, target.id, person.id, RegistrationStatus.NOMINATED, now)
            registration.nominated_by_id = actor.id
            session.flush()
            notices.notify(session, person.id, NoticeKind.EVENT_NOMINATED, {**notice_params(target), "by": actor.name})
            nominated.append(person.name)
        if nominated:
            audit.record(session, actor, "event.nominate", event.code, session=target.id, people=len(nominated))
    return NominationResult(nominated, refused)


def answer_nomination(user: User, registration_id: int, accept: bool, reason: str, now: datetime) -> list[int]:
    """Confirm (the place is kept) or decline with a reason (the place goes to the first waiting)."""
    reason = reason.strip()
    with db.write_session() as session:
        registration = session.get(Registration, registration_id)
        if registration is None or registration.user_id != user.id:
            raise RegistrationRefused("not_yours")
        target = _locked(session, registration.session_id)
        if registration.status is not RegistrationStatus.NOMINATED:
            raise RegistrationRefused("answered")
        if accept:
            registration.status = RegistrationStatus.REGISTERED
            promoted: list[int] = []
        else:
            if not reason:
                raise RegistrationRefused("reason")
            registration.status = RegistrationStatus.DECLINED
            registration.decline_reason = reason[:REASON_MAX]
            registration.cancelled_at = now
            session.flush()
            promoted = fill_free_places(session, target, now)
        audit.record(session, user, "event.nomination.confirm" if accept else "event.nomination.decline",
                     target.event.code, session=target.id)
    return promoted


def people_named(text: str, default_body_id: int) -> tuple[list[int], list[str]]:
    """Staff numbers one per line, optionally after a body code ("M100 200001"); two queries."""
    codes = dict(db.session().execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.parent_id.is_(None))).all())
    wanted: list[tuple[str, int | None, str]] = []  # (line, body id, staff number)
    for line in text.splitlines()[:1000]:
        parts = line.split()
        if parts:
            body_id = codes.get(parts[0].upper()) if len(parts) == 2 else default_body_id
            wanted.append((line.strip()[:40], body_id, normalise_staff_number(parts[-1])))
    # By (body, staff number), the unique index: a staff number alone is no index, and read every member of staff.
    keys = sorted({(body_id, number) for _, body_id, number in wanted if body_id is not None})
    ids = {(body_id, number): user_id for user_id, body_id, number in db.session().execute(
        select(User.id, User.body_id, User.staff_number)
        .where(tuple_(User.body_id, User.staff_number).in_(keys)))} if keys else {}
    found = [ids[(body_id, number)] for _, body_id, number in wanted if (body_id, number) in ids]
    unknown = [line for line, body_id, number in wanted if (body_id, number) not in ids]
    return found, unknown[:20]


# --- reading ------------------------------------------------------------------------------------------------------


def of_user(user_id: int) -> list[Registration]:
    """A person's registrations of every kind, the latest session first."""
    return list(db.session().scalars(
        select(Registration).join(EventSession).where(Registration.user_id == user_id)
        .options(joinedload(Registration.session).joinedload(EventSession.event))
        .order_by(EventSession.starts_at.desc())))


# The home page's two lists, built once: building a select with its joined loads cost more than running it.
UPCOMING_LIMIT = 5
_UPCOMING = (
    select(Registration).join(EventSession)
    .where(Registration.user_id == bindparam("user_id"), EventSession.ends_at > bindparam("now"),
           Registration.status.in_([RegistrationStatus.REGISTERED, RegistrationStatus.WAITING]))
    .options(joinedload(Registration.session).joinedload(EventSession.event))
    .order_by(EventSession.starts_at).limit(UPCOMING_LIMIT))
_NOMINATIONS = (
    select(Registration).join(EventSession)
    .where(Registration.user_id == bindparam("user_id"), Registration.status == RegistrationStatus.NOMINATED,
           EventSession.starts_at > bindparam("now"))
    .options(joinedload(Registration.session).joinedload(EventSession.event), joinedload(Registration.nominated_by))
    .order_by(EventSession.starts_at))


def upcoming_training(user_id: int, now: datetime) -> list[Registration]:
    """The sessions a person holds a place on or waits for, soonest first (the home page's list)."""
    return list(db.session().scalars(_UPCOMING, {"user_id": user_id, "now": now}))


def pending_nominations(user_id: int, now: datetime) -> list[Registration]:
    return list(db.session().scalars(_NOMINATIONS, {"user_id": user_id, "now": now}))


@dataclass(frozen=True)
class RosterRow:
    registration: Registration
    name: str
    kana: str
    staff_number: str
    body: str
    unit: str
    waiting_position: int | None


def roster(viewer: Viewer, target: EventSession) -> list[RosterRow]:
    """Everyone on a session, for the event's organisers only: places first (by name), then the waiting list in
    order, then nominations declined and cancellations. Three queries whatever its size."""
    if not visibility.may_run_event(viewer, target.event):
        raise RegistrationRefused("not_organiser")
    rows = db.session().scalars(
        select(Registration).where(Registration.session_id == target.id)
        .options(joinedload(Registration.user).selectinload(User.tier_rows),
                 joinedload(Registration.nominated_by))).all()
    unit_names = dict(db.session().execute(select(OrgUnit.id, OrgUnit.name)).all())
    waiting = sorted((row for row in rows if row.status is RegistrationStatus.WAITING),
                     key=lambda row: (row.queued_at, row.id))
    position = {row.id: index + 1 for index, row in enumerate(waiting)}
    order = {RegistrationStatus.REGISTERED: 0, RegistrationStatus.NOMINATED: 0, RegistrationStatus.WAITING: 1,
             RegistrationStatus.DECLINED: 2, RegistrationStatus.CANCELLED: 3}
    result = [RosterRow(row, row.user.name, row.user.kana, row.user.staff_number,
                        unit_names.get(row.user.body_id, ""), unit_names.get(row.user.division_id, ""),
                        position.get(row.id)) for row in rows]
    return sorted(result, key=lambda item: (order[item.registration.status], item.waiting_position or 0,
                                            item.kana, item.staff_number))


# --- helpers ------------------------------------------------------------------------------------------------------


def _locked(session: Session, session_id: int) -> EventSession:
    target = session.get(EventSession, session_id, with_for_update=True,
                         options=[selectinload(EventSession.event).selectinload(TrainingEvent.invitations)])
    if target is None:
        raise RegistrationRefused("no_session")
    return target


def _places_taken(session: Session, session_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Registration).where(
        Registration.session_id == session_id, Registration.status.in_(list(HOLDS_PLACE)))) or 0


def _existing(session: Session, session_id: int, user_id: int) -> Registration | None:
    return session.scalar(select(Registration).where(Registration.session_id == session_id,
                                                     Registration.user_id == user_id))


def _refuse_if_elsewhere(session: Session, event: TrainingEvent, user_id: int, session_id: int) -> None:
    """One live place per event (the sessions are the same training on other days), none once completed."""
    if session.scalar(select(Completion.id).where(Completion.user_id == user_id, Completion.event_id == event.id)):
        raise RegistrationRefused("completed")
    other = session.scalar(select(Registration.id).join(EventSession).where(
        EventSession.event_id == event.id, EventSession.id != session_id, Registration.user_id == user_id,
        Registration.status.in_(list(LIVE))))
    if other is not None:
        raise RegistrationRefused("other_session")


def _upsert(session: Session, existing: Registration | None, session_id: int, user_id: int,
            status: RegistrationStatus, now: datetime) -> Registration:
    registration = existing or Registration(session_id=session_id, user_id=user_id)
    registration.status = status
    registration.queued_at = now
    registration.registered_at = now
    registration.cancelled_at = None
    registration.promoted_at = None
    registration.decline_reason = ""
    registration.nominated_by_id = None
    if existing is None:
        session.add(registration)
    session.flush()
    return registration
