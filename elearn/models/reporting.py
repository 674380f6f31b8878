"""What the reports measure against (course deadlines, the KPI counting rule and its targets), and the
KPI report PDFs already printed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from elearn.clock import utcnow
from elearn.db import Base
from elearn.domain.kpi import CountUnit
from elearn.models.types import UTCDateTime, str_enum


class CourseDeadline(Base):
    """By when staff who must take a course should have completed it in a fiscal year."""

    __tablename__ = "course_deadlines"
    __table_args__ = (UniqueConstraint("course_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    due_on: Mapped[date] = mapped_column(Date)


class KpiRuleRow(Base):
    """The counting rule of the installation's KPI; one row (id 1), absent until an admin saves it."""

    __tablename__ = "kpi_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    tiers: Mapped[list] = mapped_column(JSON)  # Tier values
    since_fiscal_year: Mapped[int] = mapped_column(Integer)
    unit: Mapped[CountUnit] = mapped_column(str_enum(CountUnit))
    municipal_staff_count_for_prefecture: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class KpiTarget(Base):
    """A body's cumulative target for the end of a fiscal year."""

    __tablename__ = "kpi_targets"

    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[int] = mapped_column(Integer)


class KpiReportPdf(Base):
    """A printed KPI report. `content_key` hashes what the PDF is printed from (the report's figures, its
    HTML, the stylesheet and fonts), so a new completion, a revocation, a changed target or rule, or a new
    template gives a new key and a new PDF; the same key is served from here."""

    __tablename__ = "kpi_report_pdfs"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_key: Mapped[str] = mapped_column(String(64), unique=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    etag: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataGeneration(Base):
    """A counter the database bumps itself (triggers, migration 0017) whenever rows the KPI report reads change:
    one per tier (certificates and imported records of it), `people` (staff, units, grades, tiers, event
    formats) and `kpi_settings` (rule and targets). Equal counters mean equal figures, whichever code path or
    server wrote; the report keeps what it computed under them (elearn.services.reports.kpi)."""

    __tablename__ = "data_generations"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)


class KpiReportCache(Base):
    """A worked-out KPI report (its figures as JSON, bodies by id) under a digest of the data generations it was
    computed from: shared by every server (elearn.services.reports.kpi_store); rows older than two days go."""

    __tablename__ = "kpi_report_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
