"""Sign-in failures, password-reset links and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from elearn.clock import utcnow
from elearn.db import Base
from elearn.domain.audit import target_user_id
from elearn.models.people import User
from elearn.models.types import UTCDateTime


class SignInFailure(Base):
    """Failed sign-ins per account, shared by every worker.

    Keyed `account:<user id>` for a known account, whichever identifier was typed, and by the typed
    name otherwise, so an unknown name is throttled like a real one.
    """

    __tablename__ = "sign_in_failures"

    account_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateLimitCounter(Base):
    """A fixed-window rate-limit counter kept for Flask-Limiter (`database://`), shared by every worker.

    Times are epoch seconds, as the limits library hands them over.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class PasswordResetToken(Base):
    """A one-time link; only the SHA-256 of the token is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class AuditEntry(Base):
    """Who did what to what, when. Written in the same transaction as the action."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    # The person the target names ("user:<id> ...", set with the target), kept apart so the log's person search can
    # join on it: read out of the text for each entry, it made that search read all staff once per entry.
    subject_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    address: Mapped[str] = mapped_column(String(64), default="")

    actor: Mapped[User | None] = relationship()

    @validates("target")
    def _name_subject(self, _key: str, target: str) -> str:
        self.subject_user_id = target_user_id(target)
        return target
