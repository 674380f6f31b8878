"""The learner's path: which courses, how far, and marking lessons read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, null, select, union_all
from sqlalchemy.exc import IntegrityError

from elearn import db
from elearn.clock import today_in_japan
from elearn.content.model import Course as CourseSource
from elearn.content.model import Lesson
from elearn.domain import completion
from elearn.domain import deadlines as deadline_rules
from elearn.domain.completion import CourseStatus
from elearn.domain.deadlines import DeadlineStanding
from elearn.domain.fiscal import fiscal_year
from elearn.models import Certificate, Completion, LessonProgress, QuizAttempt, User
from elearn.services.learning import content, reference


@dataclass(frozen=True)
class CourseCard:
    source: CourseSource
    course_id: int
    is_required: bool
    status: CourseStatus
    progress: int
    lessons_read: frozenset[str]
    next_lesson: Lesson | None
    completed_at: datetime | None
    is_due_again: bool
    certificate_id: int | None = None  # the latest certificate in force
    deadline: DeadlineStanding | None = None  # required courses with a deadline this fiscal year
    completed_years: frozenset[int] = frozenset()  # fiscal years of the person's completions


def my_courses(user: User) -> list[CourseCard]:
    """Every active course for this person, required ones first by urgency (see `deadline_rules.urgency`);
    two queries whatever the count (the courses and deadlines are reference data, `reference`)."""
    return sorted(_cards(user), key=_order)


def _order(card: CourseCard) -> tuple:
    is_done = card.status == CourseStatus.COMPLETED
    if card.is_required:
        return (False, *deadline_rules.urgency(card.deadline, is_done), card.source.title)
    return (True, is_done, False, date.max, card.source.title)


def course_card(user: User, slug: str) -> CourseCard | None:
    """One course's card, built from that course's rows only."""
    return next(iter(_cards(user, slug)), None)


def _cards(user: User, slug: str | None = None) -> list[CourseCard]:
    active = reference.active_courses()
    course_ids = {slug: active[slug]} if slug in active else {} if slug else active
    if not course_ids:
        return []
    wanted = list(course_ids.values())
    read, attempted = _marks(user.id, wanted)
    completions = _completions(user.id, wanted)
    grade = user.grade.name if user.grade else None
    today = today_in_japan()
    # The team page's source, for the same fiscal year: a learner and their manager see one deadline.
    due = reference.deadlines(fiscal_year(today))
    return [
        _card(source, course_ids[source.slug], user, grade, read.get(course_ids[source.slug], set()),
              course_ids[source.slug] in attempted, completions.get(course_ids[source.slug], []), today,
              due.get(course_ids[source.slug]))
        for source in content.tree().courses
        if source.slug in course_ids  # on disk but not synced yet: not offered
    ]


def _card(source: CourseSource, course_id: int, user: User, grade: str | None, read: set[str],
          attempted: bool, completed: list[_Completed], today: date, due_on: date | None) -> CourseCard:
    current_year = fiscal_year(today)
    lesson_slugs = [lesson.slug for lesson in source.lessons]
    due_again = bool(completed) and completion.is_due_again([done.fiscal_year for done in completed],
                                                              source.recurrence_years, current_year)
    is_done = bool(completed) and not due_again
    if is_done:
        state = CourseStatus.COMPLETED
    else:
        state = completion.status(lesson_slugs, read, False, attempted)
    is_required = completion.is_required(source.tiers, source.required_for_grades, user.tiers, grade)
    return CourseCard(
        source=source,
        course_id=course_id,
        is_required=is_required,
        status=state,
        progress=100 if is_done else completion.progress_percent(lesson_slugs, read, False),
        lessons_read=frozenset(read),
        next_lesson=next((lesson for lesson in source.lessons if lesson.slug not in read), None),
        completed_at=max(done.at for done in completed) if completed else None,
        is_due_again=due_again,
        certificate_id=next((done.certificate_id for done in sorted(completed, key=lambda d: d.at, reverse=True)
                             if done.certificate_id), None),
        deadline=deadline_rules.standing(due_on, is_done, today) if is_required else None,
        completed_years=frozenset(done.fiscal_year for done in completed),
    )


# The learner pages' statements, built once (building one and its cache key costs more than running it).
_COURSE_IDS = bindparam("course_ids", expanding=True)
_MARKS = union_all(
    select(LessonProgress.course_id, LessonProgress.lesson_slug.label("lesson")).where(
        LessonProgress.user_id == bindparam("user_id"), LessonProgress.course_id.in_(_COURSE_IDS)),
    select(QuizAttempt.course_id, null().label("lesson")).where(
        QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.course_id.in_(_COURSE_IDS)).distinct())
_COMPLETIONS = (
    select(Completion.course_id, Completion.completed_at, Completion.fiscal_year, Certificate.id)
    .outerjoin(Certificate, and_(Certificate.completion_id == Completion.id, Certificate.superseded_at.is_(None),
                                 Certificate.revoked_at.is_(None)))
    .where(Completion.user_id == bindparam("user_id"), Completion.course_id.in_(_COURSE_IDS)))


def _marks(user_id: int, course_ids: list[int]) -> tuple[dict[int, set[str]], set[int]]:
    """The lessons the person has read, by course, and the courses whose quiz they have started: one query."""
    read: dict[int, set[str]] = {}
    attempted: set[int] = set()
    for course_id, lesson_slug in db.session().execute(_MARKS, {"user_id": user_id, "course_ids": course_ids}):
        if lesson_slug is None:
            attempted.add(course_id)
        else:
            read.setdefault(course_id, set()).add(lesson_slug)
    return read, attempted


@dataclass(frozen=True)
class _Completed:
    at: datetime
    fiscal_year: int
    certificate_id: int | None


def _completions(user_id: int, course_ids: list[int]) -> dict[int, list[_Completed]]:
    found: dict[int, list[_Completed]] = {}
    for course_id, completed_at, year, certificate_id in db.session().execute(
            _COMPLETIONS, {"user_id": user_id, "course_ids": course_ids}):
        found.setdefault(course_id, []).append(_Completed(completed_at, year, certificate_id))
    return found


def mark_read(user: User, course_id: int, lesson_slug: str) -> None:
    """Idempotent: reading a lesson twice, or in two tabs, leaves one record."""
    session = db.session()
    try:
        with session.begin_nested():
            session.add(LessonProgress(user_id=user.id, course_id=course_id, lesson_slug=lesson_slug))
        session.commit()
    except IntegrityError:
        session.rollback()


def lessons_read(user_id: int, course_id: int) -> set[str]:
    return set(db.session().scalars(select(LessonProgress.lesson_slug).where(
        LessonProgress.user_id == user_id, LessonProgress.course_id == course_id)))
