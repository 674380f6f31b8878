"""Videos uploaded for lessons: checked by a worker, then kept as files in the media library."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.clock import utcnow
from elearn.db import Base
from elearn.models.people import User
from elearn.models.types import UTCDateTime, str_enum


class UploadState(StrEnum):
    CHECKING = "checking"  # waiting for or in the worker's check
    READY = "ready"  # in the library: lessons may name it
    REFUSED = "refused"  # nothing kept; `reason` says why


class VideoUpload(Base):
    """One upload. The slug names its folder in the library and is what a lesson's `video: {library: ...}` says;
    a refused upload keeps its row (and reason) but frees nothing else, so its slug may be used again."""

    __tablename__ = "video_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
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
