"""Training events (研修・セミナー・ワークショップ): their sessions, registrations with waiting lists and
nominations, attendance, surveys and materials."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from elearn.clock import utcnow
from elearn.db import Base
from elearn.domain.events import Attendance, Delivery, EventFormat, RegistrationStatus
from elearn.domain.people import Tier
from elearn.models.people import OrgUnit, User
from elearn.models.types import UTCDateTime, str_enum


class TrainingEvent(Base):
    """A seminar, workshop or online training with one or more sessions. `owner_body` runs it; staff of the
    invited bodies (the owner always among them) see it and may register."""

    __tablename__ = "training_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # what a past-training file names (EV-2026-01)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[EventFormat] = mapped_column(str_enum(EventFormat))
    delivery: Mapped[Delivery] = mapped_column(str_enum(Delivery))
    target_tiers: Mapped[list] = mapped_column(JSON, default=list)  # Tier values; empty: anyone invited
    target_grades: Mapped[list] = mapped_column(JSON, default=list)  # grade names; empty: any grade
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    kpi_tier: Mapped[Tier | None] = mapped_column(str_enum(Tier))  # None: completing it counts for no tier
    survey_required: Mapped[bool] = mapped_column(Boolean, default=False)
    survey_questions: Mapped[list] = mapped_column(JSON, default=list)  # [{"kind": "scale"|"text", "text": ...}]
    owner_body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner_body: Mapped[OrgUnit] = relationship()
    invitations: Mapped[list[EventInvitation]] = relationship(cascade="all, delete-orphan",
                                                              back_populates="event")
    sessions: Mapped[list[EventSession]] = relationship(back_populates="event",
                                                        order_by="EventSession.starts_at")
    materials: Mapped[list[EventMaterial]] = relationship(back_populates="event", order_by="EventMaterial.id")

    @property
    def invited_body_ids(self) -> frozenset[int]:
        return frozenset({self.owner_body_id, *(invitation.body_id for invitation in self.invitations)})


class EventInvitation(Base):
    """A body besides the owner whose staff the event is open to (a prefecture's event opened to a city)."""

    __tablename__ = "event_invitations"

    event_id: Mapped[int] = mapped_column(ForeignKey("training_events.id", ondelete="CASCADE"), primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)

    event: Mapped[TrainingEvent] = relationship(back_populates="invitations")
    body: Mapped[OrgUnit] = relationship()


class EventSession(Base):
    """One date of an event (日程), with its own places. Times are stored in UTC and shown in Japan time.
    `checkin_key` signs the QR code shown at the venue; a new key voids codes already shown."""

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("training_events.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(String(200), default="")
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_key: Mapped[str] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[TrainingEvent] = relationship(back_populates="sessions")
    registrations: Mapped[list[Registration]] = relationship(back_populates="session",
                                                             order_by="Registration.id")


class Registration(Base):
    """A person's place on a session: registered, waiting (in queue order), a nomination (holding a place until
    answered), declined or cancelled. One row per person and session; registering again reuses it."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        Index("ix_event_registrations_session_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus))
    # Waiting order: the time the person (last) joined the list; ties broken by id.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    attendance: Mapped[Attendance | None] = mapped_column(str_enum(Attendance))
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # by the venue's QR code

    session: Mapped[EventSession] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    nominated_by: Mapped[User | None] = relationship(foreign_keys=[nominated_by_id])


class SurveyResponse(Base):
    """One person's answers to an event's survey (受講後アンケート); organisers read them without names."""

    __tablename__ = "event_survey_responses"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("training_events.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    answers: Mapped[list] = mapped_column(JSON)  # one per question: an int 1-5, or text
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventMaterial(Base):
    """A file handed out with an event (slides, PDF), checked like the magazine's uploads and kept in the file
    store (`storage_key`); materials added before migration 0018 keep their bytes in `content`."""

    __tablename__ = "event_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("training_events.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str | None] = mapped_column(String(200))
    # Deferred: listing an event's materials must not read their bytes.
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[TrainingEvent] = relationship(back_populates="materials")
