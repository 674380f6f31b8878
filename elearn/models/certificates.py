"""Completion certificates, their issuers and seals, and the rendered PDFs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.clock import utcnow
from elearn.db import Base
from elearn.domain.certificates import CertificateState, state
from elearn.domain.people import Tier
from elearn.models.learning import Completion
from elearn.models.people import OrgUnit, User
from elearn.models.types import UTCDateTime, str_enum


class CertificateSeal(Base):
    """A seal image as uploaded (re-encoded PNG). Never changed: a new upload adds a row, so
    certificates issued under an older seal keep showing it."""

    __tablename__ = "certificate_seals"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CertificateIssuer(Base):
    """Who signs a body's certificates: title and name (e.g. みどり県知事 / 緑川 一郎) and the seal."""

    __tablename__ = "certificate_issuers"

    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    seal_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_seals.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    seal: Mapped[CertificateSeal | None] = relationship()


class CertificateCounter(Base):
    """The last sequence given per body, fiscal year and tier; bumped by an UPDATE so that two
    issuers never get the same number."""

    __tablename__ = "certificate_counters"

    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    tier: Mapped[Tier] = mapped_column(str_enum(Tier), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class Certificate(Base):
    """A certificate as issued. What it says (holder, course, issuer) is copied at issue, so later
    renames and content edits never change it; a name change is handled by reissuing."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("body_id", "serial"),
        # One certificate in force per completion, however many requests race to issue it.
        Index("uq_certificates_current", "completion_id", unique=True,
              sqlite_where=text("superseded_at IS NULL"), postgresql_where=text("superseded_at IS NULL")),
        # The KPI reads certificates of a few tiers (1-3 are a small share), per person.
        Index("ix_certificates_tier_user", "tier", "user_id"),
        # The administrators' list, newest first, one page at a time, of every year or of one: without them
        # every certificate (of the year) is sorted.
        Index("ix_certificates_issued_at", "issued_at", "id"),
        Index("ix_certificates_year_issued_at", "fiscal_year", "issued_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    serial: Mapped[str] = mapped_column(String(20))
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    tier: Mapped[Tier] = mapped_column(str_enum(Tier))
    sequence: Mapped[int] = mapped_column(Integer)
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    holder_name: Mapped[str] = mapped_column(String(100))
    course_title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    completed_on: Mapped[date] = mapped_column(Date)
    body_name: Mapped[str] = mapped_column(String(200))
    issuer_title: Mapped[str] = mapped_column(String(100))
    issuer_name: Mapped[str] = mapped_column(String(100))
    seal_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_seals.id"))
    # Issued on request for an imported past record, not on completing a course here; the PDF says so.
    from_record: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_on: Mapped[date | None] = mapped_column(Date)  # the Japan day from which it stops counting
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    holder: Mapped[User] = relationship(foreign_keys=[user_id])
    body: Mapped[OrgUnit] = relationship()
    completion: Mapped[Completion] = relationship()
    seal: Mapped[CertificateSeal | None] = relationship()
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def state(self) -> CertificateState:
        return state(self.revoked_on, self.superseded_at is not None)


class CertificatePdf(Base):
    """The rendered PDF. `template_key` names the template it came from; a different key means the
    template changed since and the PDF is rendered again on its next download."""

    __tablename__ = "certificate_pdfs"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"),
                                                primary_key=True)
    template_key: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
