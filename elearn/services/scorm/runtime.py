"""SCORM at run time: a launch token for the package origin, commits stored per person and item, resume.

The package runs on an origin of its own (see elearn.scorm), where the app's session means nothing: the
player and its commits carry a signed launch token naming one attempt, valid for a working day.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from elearn import db
from elearn.clock import utcnow
from elearn.content.model import Lesson
from elearn.content.scorm import Sco
from elearn.domain import scorm as rules
from elearn.models import LessonProgress, ScormAttempt, User
from elearn.services.learning import completions, content

LAUNCH_SECONDS = 12 * 60 * 60
_SALT = "elearn.scorm.launch"


class CommitRefused(ValueError):
    pass


@dataclass(frozen=True)
class Launched:
    attempt: ScormAttempt
    course_slug: str
    lesson: Lesson
    item: Sco


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def launch(user: User, course_id: int, course_slug: str, lesson: Lesson, item: Sco) -> str:
    """The token of the person's attempt at `item`, started now if there is none. An asset (no run-time
    calls) counts as done once opened."""
    assert lesson.scorm is not None
    attempt = _attempt(user.id, course_id, lesson, item)
    if not item.is_sco and attempt.completed_at is None:
        with db.write_session() as session:
            row = session.get(ScormAttempt, attempt.id)
            row.status, row.completed_at = "opened", utcnow()
            _mark_lesson_if_done(session, row, lesson)
        completions.complete_if_done(user, course_id)
    return _serializer().dumps({"a": attempt.id, "c": course_slug, "l": lesson.slug})


def _attempt(user_id: int, course_id: int, lesson: Lesson, item: Sco) -> ScormAttempt:
    query = select(ScormAttempt).where(
        ScormAttempt.user_id == user_id, ScormAttempt.course_id == course_id,
        ScormAttempt.lesson_slug == lesson.slug, ScormAttempt.sco == item.identifier, ScormAttempt.number == 1)
    found = db.session().scalar(query)
    if found is not None:
        return found
    try:
        with db.write_session() as session:
            session.add(ScormAttempt(user_id=user_id, course_id=course_id, lesson_slug=lesson.slug,
                                     package=lesson.scorm.package, sco=item.identifier, number=1, cmi={}))
    except IntegrityError:
        pass  # the same launch from another tab a moment earlier
    return db.session().scalar(query)


def launched(token: str) -> Launched | None:
    """The attempt a token names, if the token is genuine, unexpired and its lesson still exists."""
    try:
        data = _serializer().loads(token, max_age=LAUNCH_SECONDS)
    except BadSignature:
        return None
    attempt = db.session().get(ScormAttempt, data.get("a"))
    source = content.tree().course(data.get("c", ""))
    lesson = next((item for item in source.lessons if item.slug == data.get("l")), None) if source else None
    if attempt is None or lesson is None or lesson.scorm is None or lesson.scorm.package != attempt.package:
        return None
    item = lesson.scorm.item(attempt.sco)
    return Launched(attempt, source.slug, lesson, item) if item else None


def resume_data(run: Launched) -> dict:
    user = db.session().get(User, run.attempt.user_id)
    family, _space, given = user.name.replace("\u3000", " ").partition(" ")
    # SCORM asks for "Family, Given"; the learner id is the staff number, unique in the body
    return rules.resume_data(run.lesson.scorm.version, run.attempt.cmi or {}, user.staff_number,
                             f"{family}, {given}" if given else family)


def commit(run: Launched, payload: object) -> rules.Standing:
    """Keep what the package committed and judge it; the lesson is read once every item is done."""
    if not isinstance(payload, dict) or not isinstance(payload.get("cmi"), dict):
        raise CommitRefused("a commit is a JSON object with the 'cmi' the package set")
    cmi = payload["cmi"]
    standing = rules.standing(run.lesson.scorm.version, cmi, run.item.mastery_score)
    with db.write_session() as session:
        row = session.scalar(select(ScormAttempt).where(ScormAttempt.id == run.attempt.id).with_for_update())
        row.cmi, row.status, row.score, row.passed = cmi, standing.status[:60], standing.score, standing.passed
        row.commits += 1
        row.committed_at = utcnow()
        just_completed = standing.is_complete and row.completed_at is None
        if just_completed:
            row.completed_at = row.committed_at
            _mark_lesson_if_done(session, row, run.lesson)
    if just_completed:  # autocommits after that change nothing for the course
        completions.complete_if_done(db.session().get(User, run.attempt.user_id), run.attempt.course_id)
    return standing


def _mark_lesson_if_done(session, row: ScormAttempt, lesson: Lesson) -> None:  # type: ignore[no-untyped-def]
    session.flush()
    done = set(session.scalars(select(ScormAttempt.sco).where(
        ScormAttempt.user_id == row.user_id, ScormAttempt.course_id == row.course_id,
        ScormAttempt.lesson_slug == lesson.slug, ScormAttempt.completed_at.is_not(None))))
    if {item.identifier for item in lesson.scorm.items} <= done and session.scalar(select(LessonProgress.id).where(
            LessonProgress.user_id == row.user_id, LessonProgress.course_id == row.course_id,
            LessonProgress.lesson_slug == lesson.slug)) is None:
        session.add(LessonProgress(user_id=row.user_id, course_id=row.course_id, lesson_slug=lesson.slug))


def attempts_of(user_id: int, course_id: int, lesson: Lesson) -> dict[str, ScormAttempt]:
    """The person's attempt at each item of the lesson, by item identifier."""
    rows = db.session().scalars(select(ScormAttempt).where(
        ScormAttempt.user_id == user_id, ScormAttempt.course_id == course_id,
        ScormAttempt.lesson_slug == lesson.slug, ScormAttempt.number == 1))
    return {row.sco: row for row in rows}


def lesson_done(user_id: int, course_id: int, lesson: Lesson,
                attempts: dict[str, ScormAttempt] | None = None) -> bool:
    """Every item done; `attempts` as `attempts_of` gives them, when the caller has read them already."""
    attempts = attempts_of(user_id, course_id, lesson) if attempts is None else attempts
    return all(item.identifier in attempts and attempts[item.identifier].completed_at is not None
               for item in lesson.scorm.items)
