"""Training events: what organisers create and publish, and what staff see.

Registration, attendance, surveys, materials and reports live in this package's other modules; every
function that shows people or rosters takes the viewer and asks `services.visibility`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from elearn import db
from elearn.clock import utcnow
from elearn.domain.events import HOLDS_PLACE, Delivery, EventFormat, RegistrationStatus
from elearn.domain.people import Tier
from elearn.models import EventInvitation, EventSession, OrgUnit, Registration, TrainingEvent, User
from elearn.services import audit, visibility
from elearn.services.visibility import Viewer


class EventRefused(Exception):
    """An organiser's change that does not apply; str() is a short reason code the view words."""


@dataclass(frozen=True)
class EventDraft:
    code: str
    title: str
    description: str
    format: EventFormat
    delivery: Delivery
    target_tiers: list[Tier]
    target_grades: list[str]
    hours: Decimal
    kpi_tier: Tier | None
    survey_required: bool
    survey_questions: list[dict]
    invited_body_ids: list[int]  # besides the owner


@dataclass(frozen=True)
class SessionDraft:
    starts_at: datetime
    ends_at: datetime
    venue: str
    meeting_url: str
    capacity: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    cancellation_deadline: datetime | None


def _check_session(draft: SessionDraft) -> None:
    if draft.ends_at <= draft.starts_at:
        raise EventRefused("ends_before_start")
    if draft.capacity < 1:
        raise EventRefused("capacity")
    if draft.registration_closes_at and draft.registration_opens_at \
            and draft.registration_closes_at <= draft.registration_opens_at:
        raise EventRefused("closes_before_opens")


def create(actor: User, viewer: Viewer, owner_body_id: int, draft: EventDraft) -> TrainingEvent:
    if not visibility.may_run_events_of(viewer, owner_body_id):
        raise EventRefused("not_organiser")
    with db.write_session() as session:
        if session.scalar(select(TrainingEvent.id).where(func.lower(TrainingEvent.code) == draft.code.lower())):
            raise EventRefused("duplicate_code")
        event = TrainingEvent(owner_body_id=owner_body_id, created_by_id=actor.id)
        _apply(event, draft)
        session.add(event)
        session.flush()
        _set_invitations(session, event, draft.invited_body_ids)
        audit.record(session, actor, "event.create", event.code, title=event.title)
    return event


def update(actor: User, event_id: int, draft: EventDraft) -> TrainingEvent:
    with db.write_session() as session:
        event = session.get(TrainingEvent, event_id)
        clash = session.scalar(select(TrainingEvent.id).where(func.lower(TrainingEvent.code) == draft.code.lower(),
                                                              TrainingEvent.id != event_id))
        if clash:
            raise EventRefused("duplicate_code")
        _apply(event, draft)
        _set_invitations(session, event, draft.invited_body_ids)
        audit.record(session, actor, "event.update", event.code, title=event.title)
    return event


def _apply(event: TrainingEvent, draft: EventDraft) -> None:
    event.code = draft.code.strip()
    event.title = draft.title.strip()
    event.description = draft.description.strip()
    event.format = draft.format
    event.delivery = draft.delivery
    event.target_tiers = [tier.value for tier in Tier if tier in draft.target_tiers]
    event.target_grades = list(draft.target_grades)
    event.hours = draft.hours
    event.kpi_tier = draft.kpi_tier
    event.survey_required = draft.survey_required and bool(draft.survey_questions)
    event.survey_questions = list(draft.survey_questions)


def _set_invitations(session, event: TrainingEvent, body_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    wanted = {body_id for body_id in body_ids if body_id != event.owner_body_id}
    bodies = set(session.scalars(select(OrgUnit.id).where(OrgUnit.id.in_(wanted), OrgUnit.parent_id.is_(None))))
    for invitation in list(event.invitations):
        if invitation.body_id not in bodies:
            event.invitations.remove(invitation)
    have = {invitation.body_id for invitation in event.invitations}
    for body_id in sorted(bodies - have):
        event.invitations.append(EventInvitation(body_id=body_id))


def publish(actor: User, event_id: int) -> None:
    with db.write_session() as session:
        event = session.get(TrainingEvent, event_id)
        if not event.sessions:
            raise EventRefused("no_sessions")
        if event.published_at is None:
            event.published_at = utcnow()
            audit.record(session, actor, "event.publish", event.code)


def add_session(actor: User, event_id: int, draft: SessionDraft) -> EventSession:
    _check_session(draft)
    with db.write_session() as session:
        event = session.get(TrainingEvent, event_id)
        added = EventSession(event_id=event.id, checkin_key=secrets.token_hex(32), **draft.__dict__)
        session.add(added)
        session.flush()
        audit.record(session, actor, "event.session", event.code, session=added.id,
                     starts_at=draft.starts_at.isoformat(), capacity=draft.capacity)
    return added


def update_session(actor: User, session_id: int, draft: SessionDraft) -> EventSession:
    """Change a session's times or places; raised places move the first waiting people up at once."""
    from elearn.services.events import registration

    _check_session(draft)
    with db.write_session() as session:
        changed = session.get(EventSession, session_id, with_for_update=True)
        taken = session.scalar(select(func.count()).select_from(Registration).where(
            Registration.session_id == session_id, Registration.status.in_(list(HOLDS_PLACE)))) or 0
        if draft.capacity < taken:
            raise EventRefused("capacity_below_registered")
        for name, value in draft.__dict__.items():
            setattr(changed, name, value)
        session.flush()
        registration.fill_free_places(session, changed)
        audit.record(session, actor, "event.session.update", changed.event.code, session=session_id,
                     capacity=draft.capacity)
    return changed


def renew_checkin_key(actor: User, session_id: int) -> None:
    """Void every QR code shown so far for the session (a photo of it went round)."""
    with db.write_session() as session:
        changed = session.get(EventSession, session_id)
        changed.checkin_key = secrets.token_hex(32)
        audit.record(session, actor, "event.checkin_key", changed.event.code, session=session_id)


# --- reading ------------------------------------------------------------------------------------------------------


def get(event_id: int) -> TrainingEvent | None:
    return db.session().scalars(select(TrainingEvent).where(TrainingEvent.id == event_id).options(
        selectinload(TrainingEvent.sessions), selectinload(TrainingEvent.invitations),
        selectinload(TrainingEvent.materials))).first()


def get_session(session_id: int) -> EventSession | None:
    return db.session().get(EventSession, session_id)


def organised(viewer: Viewer, now: datetime) -> list[TrainingEvent]:
    """The events the viewer runs: drafts and those with a session still to end first (the soonest first),
    then the past ones, the latest first."""
    events = db.session().scalars(
        select(TrainingEvent).where(visibility.organised_body_condition(viewer, TrainingEvent.owner_body_id))
        .options(selectinload(TrainingEvent.sessions), selectinload(TrainingEvent.invitations))).all()
    current = [event for event in events if not event.sessions or any(item.ends_at > now for item in event.sessions)]
    past = [event for event in events if event not in current]
    return sorted(current, key=_start_key) + sorted(past, key=lambda event: max(item.ends_at for item in
                                                                                  event.sessions), reverse=True)


def open_to(viewer: Viewer, now: datetime) -> list[TrainingEvent]:
    """Published events the viewer's body is invited to with a session still to end, soonest first."""
    invited = select(EventInvitation.event_id).where(EventInvitation.body_id == viewer.body_id)
    events = db.session().scalars(
        select(TrainingEvent)
        .where(TrainingEvent.published_at.is_not(None), TrainingEvent.cancelled_at.is_(None),
               or_(TrainingEvent.owner_body_id == viewer.body_id, TrainingEvent.id.in_(invited)),
               TrainingEvent.id.in_(select(EventSession.event_id).where(EventSession.ends_at > now,
                                                                        EventSession.cancelled_at.is_(None))))
        .options(selectinload(TrainingEvent.sessions), selectinload(TrainingEvent.invitations))).all()
    return sorted(events, key=_start_key)


def _start_key(event: TrainingEvent) -> tuple:
    starts = [item.starts_at for item in event.sessions]
    return (not starts, min(starts) if starts else datetime.max, event.id)


def places(session_ids: list[int]) -> dict[int, dict[RegistrationStatus, int]]:
    """Registrations per session and status, one query."""
    counts: dict[int, dict[RegistrationStatus, int]] = {session_id: {} for session_id in session_ids}
    if session_ids:
        for session_id, status, count in db.session().execute(
                select(Registration.session_id, Registration.status, func.count())
                .where(Registration.session_id.in_(session_ids))
                .group_by(Registration.session_id, Registration.status)):
            counts[session_id][status] = count
    return counts


def is_for(event: TrainingEvent, tiers: frozenset[Tier], grade: str | None) -> bool:
    """Staff an event is written for: its target tiers or grades, or everyone when it names none."""
    if not event.target_tiers and not event.target_grades:
        return True
    return bool({Tier(value) for value in event.target_tiers} & tiers) or (grade in event.target_grades)


def notice_params(target: EventSession) -> dict:
    """What a notice about a session says (stored as plain values: see services/notices/messages.py)."""
    event = target.event
    return {"event_id": event.id, "title": event.title, "starts_at": target.starts_at.isoformat(),
            "venue": target.venue, "online": bool(target.meeting_url)}


def body_choices() -> list[tuple[int, str]]:
    """Bodies an event may be opened to, the prefecture first."""
    return [(unit.id, unit.name) for unit in db.session().scalars(
        select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.is_active.is_(True))
        .order_by(OrgUnit.kind.desc(), OrgUnit.code))]
