"""Video lessons: what the player reports, kept per person, and the lesson done once enough is watched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn import db
from elearn.clock import utcnow
from elearn.content.model import Lesson
from elearn.domain import video as rules
from elearn.models import LessonProgress, User, VideoProgress

# A video replaced by one of another length: what was watched of the old one no longer says anything.
DURATION_CHANGED_BY = 1.0


@dataclass(frozen=True)
class Watching:
    share: float  # 0.0-1.0 of the video watched
    resume_at: float  # seconds
    is_watched: bool  # enough to count the lesson done
    percent_needed: int
    just_watched: bool = False  # this report is the one that reached the share

    @property
    def percent(self) -> int:
        return int(self.share * 100)


def watching(user_id: int, course_id: int, lesson: Lesson, percent_needed: int) -> Watching:
    row = db.session().scalar(select(VideoProgress).where(
        VideoProgress.user_id == user_id, VideoProgress.course_id == course_id,
        VideoProgress.lesson_slug == lesson.slug))
    return _watching(row, lesson, percent_needed)


def _watching(row: VideoProgress | None, lesson: Lesson, percent_needed: int) -> Watching:
    assert lesson.video is not None
    duration = lesson.video.duration
    if row is None or abs(row.duration - duration) > DURATION_CHANGED_BY:
        return Watching(0.0, 0.0, False, percent_needed)
    stretches = [tuple(item) for item in row.watched]
    return Watching(rules.share_watched(stretches, duration), rules.resume_at(row.position, duration),
                    row.completed_at is not None or rules.is_watched(stretches, duration, percent_needed),
                    percent_needed)


def report(user: User, course_id: int, lesson: Lesson, percent_needed: int, stretches: Sequence[Sequence[float]],
           position: float) -> Watching:
    """Add what the player played; the lesson is marked read, in the same transaction, once enough is."""
    try:
        return _report(user, course_id, lesson, percent_needed, stretches, position)
    except IntegrityError:
        # Two tabs made the first report at once: the other one's row exists now.
        return _report(user, course_id, lesson, percent_needed, stretches, position)


def _report(user: User, course_id: int, lesson: Lesson, percent_needed: int, stretches: Sequence[Sequence[float]],
            position: float) -> Watching:
    assert lesson.video is not None
    duration = lesson.video.duration
    now = utcnow()
    with db.write_session() as session:
        row = session.scalar(select(VideoProgress).where(
            VideoProgress.user_id == user.id, VideoProgress.course_id == course_id,
            VideoProgress.lesson_slug == lesson.slug).with_for_update())
        if row is None:
            row = VideoProgress(user_id=user.id, course_id=course_id, lesson_slug=lesson.slug, watched=[],
                                watched_seconds=0.0, duration=duration, position=0.0, reported_at=now)
            session.add(row)
            elapsed = None
        else:
            elapsed = (now - row.reported_at).total_seconds()
            if abs(row.duration - duration) > DURATION_CHANGED_BY:
                row.watched, row.watched_seconds, row.duration, row.completed_at = [], 0.0, duration, None
        accepted = rules.accept([tuple(item) for item in row.watched], rules.clean(stretches, duration), elapsed)
        row.watched = [list(stretch) for stretch in accepted.watched]
        row.watched_seconds = rules.seconds_in(accepted.watched)
        row.position = max(0.0, min(float(position), duration))
        row.reported_at = now
        just_watched = row.completed_at is None and rules.is_watched(accepted.watched, duration, percent_needed)
        if just_watched:
            row.completed_at = now
            _mark_read(session, user.id, course_id, lesson.slug)
        session.flush()
        return replace(_watching(row, lesson, percent_needed), just_watched=just_watched)


def _mark_read(session: Session, user_id: int, course_id: int, lesson_slug: str) -> None:
    exists = session.scalar(select(LessonProgress.id).where(
        LessonProgress.user_id == user_id, LessonProgress.course_id == course_id,
        LessonProgress.lesson_slug == lesson_slug))
    if exists is None:
        session.add(LessonProgress(user_id=user_id, course_id=course_id, lesson_slug=lesson_slug))
