"""Notices in the app, the mail outbox, what the reminder scan has sent, announcements, and the record of
background jobs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.clock import utcnow
from elearn.db import Base
from elearn.domain.notices import Channel, NoticeKind, ReminderStep, Topic
from elearn.models.people import OrgUnit, User
from elearn.models.types import UTCDateTime, str_enum


class Notice(Base):
    """One notice to one person, shown under the bell. Its words are made when it is shown, from `kind` and
    `params`, so a person who switches language reads it in the new one. `key` stops the same notice twice
    (a session's reminder, a week's digest)."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notices_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NoticeChoice(Base):
    """A person's channel for one topic, stored only where they chose something else than the default."""

    __tablename__ = "notice_choices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[Topic] = mapped_column(str_enum(Topic), primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))


class OutboxMessage(Base):
    """A mail queued in the transaction of the event that caused it, sent later by the mail task.

    queued -> sending (claimed, with `claimed_at`) -> sent; a failure goes back to queued with
    `next_attempt_at`, or to failed after the last attempt. A claim older than the lease is taken to have lost
    its sender and is sent again with the same Message-ID (at-least-once)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind))
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(100), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[str | None] = mapped_column(Text)
    # Lower goes first: a person's own notices before an announcement to thousands.
    priority: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))  # host:pid of the sender
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()


class ReminderSent(Base):
    """A reminder step told to a person for a course in a fiscal year, with the deadline it was told for."""

    __tablename__ = "reminders_sent"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    step: Mapped[ReminderStep] = mapped_column(str_enum(ReminderStep), primary_key=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Announcement(Base):
    """A message from a training office to a group of staff: delivered by a job in chunks, each person once."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # {"units": [ids], "tiers": [values], "grades": [ids]}; empty lists mean everyone of the body.
    target: Mapped[dict] = mapped_column(JSON, default=dict)
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # counted when it was sent
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    body: Mapped[OrgUnit] = relationship()
    sender: Mapped[User] = relationship()


class JobRun(Base):
    """One run of a background task as the worker reported it (Huey's signals): running, complete,
    retrying, failed, or interrupted (its worker died). Waiting tasks are read from the queue itself."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_state_started", "state", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100))
    args: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    worker: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
