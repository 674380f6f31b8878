"""Content in the app: loaded once per process (never per request) and synced into the database."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from elearn import db
from elearn.content.loader import load_content
from elearn.content.model import Bank, ContentTree
from elearn.content.model import Course as CourseSource
from elearn.models import Course, CourseVersion
from elearn.services import audit
from elearn.services.files.stores import library_store
from elearn.services.learning import reference
from elearn.storage import StoreError


class SyncRefused(ValueError):
    pass


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # same version number, edited content
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


def content_root() -> Path:
    return Path(current_app.config["CONTENT_ROOT"])


# Loading reads the library's manifests, from the bucket when files are there. An unreachable bucket answers only
# after its timeouts (three tries of five seconds), so after a failure the next requests are answered at once
# (the 503 page) for this long instead of each holding a server thread that long.
LOAD_RETRY_SECONDS = 30


def tree() -> ContentTree:
    """The content of this process, loaded on first use; `elearn content sync` validates it first."""
    cached = current_app.extensions.get("elearn.content")
    if cached is None:
        failed_at = current_app.extensions.get("elearn.content_failed_at")
        if failed_at is not None and time.monotonic() - failed_at < LOAD_RETRY_SECONDS:
            raise StoreError("the media library could not be read moments ago; trying again shortly")
        try:
            cached = load_content(content_root(), library=library_store())
        except StoreError:
            current_app.extensions["elearn.content_failed_at"] = time.monotonic()
            raise
        current_app.extensions["elearn.content"] = cached
    return cached


def fingerprint(course: CourseSource, bank: Bank | None) -> str:
    """SHA-256 over every file of the course folder and its question bank."""
    digest = hashlib.sha256()
    for path in sorted(p for p in course.path.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(course.path)).encode())
        digest.update(path.read_bytes())
    if bank is not None:
        digest.update(bank.path.read_bytes())
    return digest.hexdigest()


def sync(loaded: ContentTree) -> SyncReport:
    """Make the database match the files, in one transaction; refuse a version that goes down."""
    report = SyncReport()
    with db.write_session() as session:
        rows = {c.slug: c for c in session.scalars(select(Course).options(selectinload(Course.versions)))}
        for source in loaded.courses:
            course = rows.get(source.slug)
            if course is None:
                course = Course(slug=source.slug)
                session.add(course)
                report.created.append(source.slug)
            course.is_active = True
            _sync_version(course, source, fingerprint(source, loaded.banks.get(source.quiz.bank)), report)
        for slug, course in rows.items():
            if course.is_active and loaded.course(slug) is None:
                course.is_active = False  # history stays: completions still count
                report.deactivated.append(slug)
        if report.created or report.new_versions or report.updated or report.deactivated:
            audit.record(session, None, "content.sync", "", created=report.created,
                         new_versions=report.new_versions, updated=report.updated,
                         deactivated=report.deactivated)
    reference.forget()
    return report


def _sync_version(course: Course, source: CourseSource, content_hash: str, report: SyncReport) -> None:
    existing = next((v for v in course.versions if v.version == source.version), None)
    latest = course.versions[-1].version if course.versions else 0
    if existing is None and source.version < latest:
        raise SyncRefused(f"{source.slug}: version {source.version} is lower than the synced {latest}")
    if existing is not None and existing.content_hash == content_hash:
        report.unchanged.append(source.slug)
        return
    row = existing or CourseVersion(version=source.version)
    row.content_hash = content_hash
    row.title = source.title
    row.summary = source.summary
    row.tiers = sorted(tier.value for tier in source.tiers)
    row.required_for_grades = sorted(source.required_for_grades)
    row.estimated_minutes = source.estimated_minutes
    row.recurrence_years = source.recurrence_years
    row.lessons = [{"slug": ls.slug, "title": ls.title, "minutes": ls.minutes,
                    **({"video_seconds": ls.video.duration} if ls.video else {})} for ls in source.lessons]
    row.quiz = _quiz_settings(source)
    if existing is None:
        course.versions.append(row)
        if course.id is not None and source.slug not in report.created:
            report.new_versions.append(f"{source.slug} v{source.version}")
    else:
        report.updated.append(f"{source.slug} v{source.version}")


def _quiz_settings(source: CourseSource) -> dict:
    quiz = source.quiz
    return {
        "bank": quiz.bank, "questions": quiz.questions, "passing_score": quiz.passing_score,
        "pools": [list(pool) for pool in quiz.pools], "max_attempts": quiz.max_attempts,
        "cooldown_minutes": quiz.cooldown_minutes, "time_limit_minutes": quiz.time_limit_minutes,
        "late_submission": quiz.late_submission.value, "show_answers": quiz.show_answers.value,
        "attempt_counts": quiz.attempt_counts.value,
    }
