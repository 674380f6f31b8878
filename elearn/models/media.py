"""Videos uploaded for lessons: checked by a worker, then kept as files in the media library."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.clock import utcnow
from elearn.db import Base
from elearn.models.people import User
from elearn.models.types import UTCDateTime, str_enum


class UploadKind(StrEnum):
    VIDEO = "video"  # a lesson video with its captions: video: {library: <slug>}
    SCORM = "scorm"  # a SCORM package: scorm: {package: <slug>}


class UploadState(StrEnum):
    CHECKING = "checking"  # waiting for or in the worker's check
    READY = "ready"  # in the library: lessons may name it
    REFUSED = "refused"  # nothing kept; `reason` says why


class LibraryUpload(Base):
    """One upload to the media library. The slug names its folder there and is what a lesson's
    `video: {library: ...}` or `scorm: {package: ...}` says; a refused upload keeps its row (and reason) but
    nothing else, so its slug may be used again."""

    __tablename__ = "library_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[UploadKind] = mapped_column(str_enum(UploadKind), default=UploadKind.VIDEO)
    slug: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[UploadState] = mapped_column(str_enum(UploadState), default=UploadState.CHECKING)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    original_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration: Mapped[float | None] = mapped_column(Float)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    uploaded_by: Mapped[User] = relationship()


class ScormAttempt(Base):
    """One person's run-time data of one item (SCO) of a SCORM package in a lesson, as the package last
    committed it; `cmi` is restored at the next launch, so the package resumes where the person left it."""

    __tablename__ = "scorm_attempts"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "lesson_slug", "sco", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    package: Mapped[str] = mapped_column(String(100))
    sco: Mapped[str] = mapped_column(String(200))  # the manifest item's identifier
    number: Mapped[int] = mapped_column(Integer, default=1)
    cmi: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(60), default="")
    score: Mapped[float | None] = mapped_column(Float)  # 0-100
    passed: Mapped[bool | None] = mapped_column(Boolean)
    commits: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
