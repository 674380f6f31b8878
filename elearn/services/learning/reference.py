"""Rows every learner page reads and that change only when content is synced or an administrator sets deadlines:
the active courses by slug, each course's current version, a fiscal year's deadlines.

Kept per process for REFERENCE_CACHE_SECONDS (60 by default). A change made in this process is seen at once
(`forget`); one made on another app server, or by `elearn content sync`, within that time. What depends on them
being exact reads the database itself: starting a quiz, the team page, reminders, the deadline form.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import func, select

from elearn import db
from elearn.models import Course, CourseDeadline, CourseVersion

T = TypeVar("T")
_lock = threading.Lock()


@dataclass(frozen=True)
class VersionRef:
    """What the quiz rules read of a course's current version (duck-typed like CourseVersion)."""

    id: int
    quiz: dict[str, Any] | None
    recurrence_years: int | None


def active_courses() -> dict[str, int]:
    """Slug -> course id, of the active courses."""
    return _cached("courses", lambda: dict(db.session().execute(
        select(Course.slug, Course.id).where(Course.is_active.is_(True))).all()))


def current_version(course_id: int) -> VersionRef | None:
    return _cached("versions", _current_versions).get(course_id)


def deadlines(fiscal_year: int) -> dict[int, date]:
    """Course id -> deadline in `fiscal_year`."""
    return _cached(("deadlines", fiscal_year), lambda: dict(db.session().execute(
        select(CourseDeadline.course_id, CourseDeadline.due_on)
        .where(CourseDeadline.fiscal_year == fiscal_year)).all()))


def forget() -> None:
    """After a change in this process (content sync, deadlines saved): read everything again."""
    with _lock:
        _store().clear()


def _current_versions() -> dict[int, VersionRef]:
    newest = (select(CourseVersion.course_id, func.max(CourseVersion.version).label("version"))
              .group_by(CourseVersion.course_id).subquery())
    rows = db.session().execute(
        select(CourseVersion.id, CourseVersion.course_id, CourseVersion.quiz, CourseVersion.recurrence_years)
        .join(newest, (newest.c.course_id == CourseVersion.course_id) & (newest.c.version == CourseVersion.version)))
    return {course_id: VersionRef(version_id, quiz, recurrence) for version_id, course_id, quiz, recurrence in rows}


def _store() -> dict:
    return current_app.extensions.setdefault("elearn.reference_cache", {})


def _cached(key: object, load: Callable[[], T]) -> T:
    now = time.monotonic()
    store = _store()
    with _lock:
        found = store.get(key)
    if found is not None and found[0] > now:
        return found[1]
    value = load()
    with _lock:
        store[key] = (now + current_app.config["REFERENCE_CACHE_SECONDS"], value)
    return value
