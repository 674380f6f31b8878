"""The weekly magazine: issues, their pages and images, reading records, the staff inbox and stickers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.clock import utcnow
from elearn.db import Base
from elearn.domain.magazine import Audience, InboxKind, InboxStatus, IssueStatus, StoredStatus, status
from elearn.models.learning import Course
from elearn.models.people import User
from elearn.models.types import UTCDateTime, str_enum


class MagazineIssue(Base):
    """One issue. Never deleted (a withdrawn issue keeps its row), so its number is never given again."""

    __tablename__ = "magazine_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(1000), default="")
    audience: Mapped[Audience] = mapped_column(str_enum(Audience), default=Audience.SHARED)
    stored_status: Mapped[StoredStatus] = mapped_column(str_enum(StoredStatus), default=StoredStatus.DRAFT)
    # When approved: the moment it becomes visible (UTC). Readers see it from then on, no job involved.
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Not a foreign key (pages point at issues); the service keeps it on one of this issue's pages.
    cover_page_id: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    pages: Mapped[list[MagazinePage]] = relationship(
        back_populates="issue", order_by="(MagazinePage.position, MagazinePage.id)", cascade="all, delete-orphan")
    tag_rows: Mapped[list[MagazineIssueTag]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    course_rows: Mapped[list[MagazineIssueCourse]] = relationship(cascade="all, delete-orphan")
    person_rows: Mapped[list[MagazineIssuePerson]] = relationship(cascade="all, delete-orphan")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    def status_at(self, now: datetime) -> IssueStatus:
        return status(self.stored_status, self.publish_at, now)

    @property
    def tags(self) -> list[str]:
        return sorted(row.tag for row in self.tag_rows)


class MagazinePage(Base):
    """A comic page: the uploaded image (kept only as re-encoded WebP) and its alternative text."""

    __tablename__ = "magazine_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("magazine_issues.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    is_spread: Mapped[bool] = mapped_column(Boolean, default=False)
    transcript: Mapped[str] = mapped_column(Text, default="")  # dialogue; ｜漢字《かんじ》 ruby allowed
    search_text: Mapped[str] = mapped_column(Text, default="")  # the transcript without ruby readings
    description: Mapped[str] = mapped_column(String(500), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    issue: Mapped[MagazineIssue] = relationship(back_populates="pages")
    images: Mapped[list[MagazinePageImage]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class MagazinePageImage(Base):
    """One encoding of a page: "full", a narrower width for srcset ("480", "960", "1600") or "thumb"."""

    __tablename__ = "magazine_page_images"

    page_id: Mapped[int] = mapped_column(ForeignKey("magazine_pages.id", ondelete="CASCADE"), primary_key=True)
    variant: Mapped[str] = mapped_column(String(16), primary_key=True)
    width: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class MagazineIssueTag(Base):
    __tablename__ = "magazine_issue_tags"

    issue_id: Mapped[int] = mapped_column(ForeignKey("magazine_issues.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)


class MagazineIssueCourse(Base):
    """A course the issue points readers to."""

    __tablename__ = "magazine_issue_courses"

    issue_id: Mapped[int] = mapped_column(ForeignKey("magazine_issues.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)

    course: Mapped[Course] = relationship()


class MagazineIssuePerson(Base):
    """A member of staff who appears in the issue (named in its credits)."""

    __tablename__ = "magazine_issue_people"

    issue_id: Mapped[int] = mapped_column(ForeignKey("magazine_issues.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)

    user: Mapped[User] = relationship()


class MagazineRead(Base):
    """Someone reached the last page of an issue; one row per person and issue, the first time kept.
    The reader's body is copied so that counts per body survive transfers."""

    __tablename__ = "magazine_reads"

    issue_id: Mapped[int] = mapped_column(ForeignKey("magazine_issues.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MagazineHelpful(Base):
    """A 役に立った vote: one per person and issue."""

    __tablename__ = "magazine_helpful"

    issue_id: Mapped[int] = mapped_column(ForeignKey("magazine_issues.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboxItem(Base):
    """A question (問い合わせ) or a topic idea (ネタ投稿) sent by a member of staff."""

    __tablename__ = "inbox_items"
    __table_args__ = (Index("ix_inbox_items_status_received", "status", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InboxKind] = mapped_column(str_enum(InboxKind))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Hidden from other staff (credits, profiles); authors always see who sent it.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    about_issue_id: Mapped[int | None] = mapped_column(ForeignKey("magazine_issues.id"))
    status: Mapped[InboxStatus] = mapped_column(str_enum(InboxStatus), default=InboxStatus.NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    internal_notes: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An adopted idea: the issue that used it. Its publication is what the sender is told about.
    adopted_issue_id: Mapped[int | None] = mapped_column(ForeignKey("magazine_issues.id"), index=True)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sender last looked at their items: later replies and publications are "new" to them.
    sender_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sender: Mapped[User] = relationship(foreign_keys=[sender_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    about_issue: Mapped[MagazineIssue | None] = relationship(foreign_keys=[about_issue_id])
    adopted_issue: Mapped[MagazineIssue | None] = relationship(foreign_keys=[adopted_issue_id])


class Sticker(Base):
    """A contributor sticker awarded by hand (e.g. for using digital tools well at work). Stickers for
    adopted ideas are not stored: they exist from the moment the idea's issue is published."""

    __tablename__ = "stickers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("magazine_issues.id"))
    awarded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    issue: Mapped[MagazineIssue | None] = relationship()
