"""Import files applied by the worker: a whole prefecture's staff list or years of past training records take
longer than anyone should wait on a page, so they are applied in the background and followed here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.clock import utcnow
from elearn.db import Base
from elearn.models.people import User
from elearn.models.types import UTCDateTime, str_enum


class ImportRunState(StrEnum):
    QUEUED = "queued"  # waiting for a worker
    RUNNING = "running"  # in the worker's transaction (a worker that dies leaves it here; it is run again)
    DONE = "done"  # applied: `summary` holds the counts
    REJECTED = "rejected"  # the data changed since the preview and the file no longer applies: nothing changed
    FAILED = "failed"  # an unexpected error: nothing changed; `error` says what


class ImportRun(Base):
    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # staff or history
    filename: Mapped[str] = mapped_column(String(200))
    # The pending upload (elearn.services.files.uploads) the preview was made from, kept until the run ends.
    upload_id: Mapped[str] = mapped_column(String(64))
    deactivate_missing: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[ImportRunState] = mapped_column(str_enum(ImportRunState), default=ImportRunState.QUEUED)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    # The first rows a rejected run found wrong, as [line, message id, params]; `error_count` counts them all.
    errors: Mapped[list] = mapped_column(JSON, default=list)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    started_by: Mapped[User] = relationship()

    @property
    def waiting(self) -> bool:
        return self.state in {ImportRunState.QUEUED, ImportRunState.RUNNING}
