"""Workshop submissions: a learner's worksheet for a course, and its review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from elearn.clock import utcnow
from elearn.db import Base
from elearn.domain.workshops import SubmissionStatus
from elearn.models.learning import Course, CourseVersion
from elearn.models.people import User
from elearn.models.types import UTCDateTime, str_enum


class WorkshopSubmission(Base):
    """One round of a learner's workshop for a course: typed text, a checked file, or both. A pending round
    is replaced in place (`revision` counts the replacements, so a review of an older revision is refused);
    a returned round stays as it was and the learner's answer is the next round."""

    __tablename__ = "workshop_submissions"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "round"),
        # The reviewers' queue: what waits, oldest first.
        Index("ix_workshop_submissions_status", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    round: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(64))
    # Loaded only when the file is downloaded: lists and the review page never carry it.
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[SubmissionStatus] = mapped_column(str_enum(SubmissionStatus), default=SubmissionStatus.SUBMITTED)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    course: Mapped[Course] = relationship()
    course_version: Mapped[CourseVersion] = relationship()
