"""Courses as synced from content files, lesson progress, quiz attempts and completions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.clock import utcnow
from elearn.db import Base
from elearn.domain.people import Tier
from elearn.models.people import User
from elearn.models.types import UTCDateTime, str_enum


class Course(Base):
    """One course folder. Its content lives in versions (the highest is current); the slug is stable."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)  # false when its folder is removed

    versions: Mapped[list[CourseVersion]] = relationship(back_populates="course", order_by="CourseVersion.version")

    @property
    def current_version(self) -> CourseVersion | None:
        return self.versions[-1] if self.versions else None


class CourseVersion(Base):
    """What a course said at one version: completions and attempts point here, so later edits never
    change what someone completed. Fixes that keep the version number update the row in place."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(1000), default="")
    tiers: Mapped[list] = mapped_column(JSON, default=list)
    required_for_grades: Mapped[list] = mapped_column(JSON, default=list)
    estimated_minutes: Mapped[int] = mapped_column(Integer)
    recurrence_years: Mapped[int | None] = mapped_column(Integer)
    lessons: Mapped[list] = mapped_column(JSON, default=list)  # [{slug, title, minutes}]
    quiz: Mapped[dict] = mapped_column(JSON, default=dict)  # QuizSettings as plain values
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="versions")


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VideoProgress(Base):
    """How much of one video lesson a person has watched (see elearn.domain.video), and where they stopped,
    so another device resumes there. `watched` is the union of the stretches played, [[start, end], ...]."""

    __tablename__ = "video_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    watched: Mapped[list] = mapped_column(JSON, default=list)
    watched_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    duration: Mapped[float] = mapped_column(Float)  # of the video the stretches were measured on
    position: Mapped[float] = mapped_column(Float, default=0.0)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the share to watch was reached


class QuizAttempt(Base):
    """One attempt; (course, user, number) is unique so a double submit or a second tab cannot add one.

    `questions` keeps the questions and their display order as given, so later content edits never
    change an attempt; `sequence` rises with each save and a submit must name the one it saw.
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("course_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    questions: Mapped[list] = mapped_column(JSON)
    responses: Mapped[dict] = mapped_column(JSON, default=dict)
    results: Mapped[list] = mapped_column(JSON, default=list)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()
    course_version: Mapped[CourseVersion] = relationship()


class Completion(Base):
    """Training completed: a course once per person, course and fiscal year, whatever the version (recurring
    courses are completed again in later years; the earlier record stays and keeps counting).

    A record read from a past-training file (`history_import_id` set) has no course version (nobody knows
    which one was taken) and carries its own tier and hours; it gets no certificate unless one is asked for.
    An event attended (`event_id` set) carries the event's KPI tier and hours and gets its certificate at once.
    """

    __tablename__ = "completions"
    __table_args__ = (
        UniqueConstraint("user_id", "course_version_id", "fiscal_year"),
        # The rule services.quiz.has_completed_in checks; an index, so SQLite adds it without a rebuild.
        Index("uq_completions_user_course_year", "user_id", "course_id", "fiscal_year", unique=True),
        # The KPI reads imported records by tier; without it SQLite scans every completion for the few imported.
        Index("ix_completions_imported", "tier", "user_id", sqlite_where=text("history_import_id IS NOT NULL"),
              postgresql_where=text("history_import_id IS NOT NULL")),
        # A training event is completed once per person, whichever session they attended.
        Index("uq_completions_user_event", "user_id", "event_id", unique=True,
              sqlite_where=text("event_id IS NOT NULL"), postgresql_where=text("event_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    course_version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempts.id"))
    history_import_id: Mapped[int | None] = mapped_column(ForeignKey("history_imports.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("training_events.id"), index=True)
    event_session_id: Mapped[int | None] = mapped_column(ForeignKey("event_sessions.id"))
    source_line: Mapped[int | None] = mapped_column(Integer)  # the file's line, for an imported record
    tier: Mapped[Tier | None] = mapped_column(str_enum(Tier))  # set where no course version says it
    hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # The Japan day of an imported record, which knows nothing finer (completed_at is its midnight); the
    # KPI reads it in SQL, where turning completed_at into a Japan day would differ per database.
    completed_on: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    # Where the person was when they completed: staff move every April, and reports count a
    # completion where it was earned.
    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    grade_id: Mapped[int | None] = mapped_column(ForeignKey("grades.id"))

    user: Mapped[User] = relationship()
    course: Mapped[Course | None] = relationship()
    course_version: Mapped[CourseVersion | None] = relationship()
    history_import: Mapped[HistoryImport | None] = relationship()


class HistoryImport(Base):
    """One past-training file applied: its records point here, so an administrator can undo it as a whole."""

    __tablename__ = "history_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    records: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    imported_by: Mapped[User | None] = relationship(foreign_keys=[imported_by_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])
