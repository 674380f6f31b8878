"""Quiz attempts: start, save, submit. Grading is pure (elearn.domain); this module only persists.

A submit is accepted once: the UPDATE that records it names the sequence the learner's page was built
from and requires the attempt to be open, so a double click, the Back button or twenty tabs at once
grade one attempt; (course, user, number) is unique, so two starts cannot make two attempts.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from elearn import db
from elearn.clock import utcnow
from elearn.domain import attempts as rules
from elearn.domain.completion import completion_fiscal_year, is_complete
from elearn.domain.grading import grade_attempt
from elearn.domain.notices import NoticeKind
from elearn.domain.quiz import AttemptCounts, LateSubmission, QuizSettings, ShowAnswers
from elearn.models import Completion, Course, CourseVersion, QuizAttempt, User
from elearn.services import certificates, learning, notices
from elearn.services.learning import content, reference
from elearn.services.learning.quiz_snapshot import Answer, as_response, question_of, responses_from, snapshot
from elearn.services.learning.workshop_records import is_accepted


class QuizClosed(Exception):
    """The quiz cannot be started now; `reason` is a StartRefusal or 'lessons_unread'."""

    def __init__(self, reason: str, wait_until=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(reason)
        self.reason = reason
        self.wait_until = wait_until


@dataclass(frozen=True)
class SubmitOutcome:
    attempt: QuizAttempt
    newly_graded: bool  # False: it had been submitted already (double submit, Back button)
    refused_late: bool = False


def settings_of(version: CourseVersion) -> QuizSettings:
    """The stored (JSON) settings as the domain expects them: enum members, not their string values,
    since the rules compare with `is`."""
    stored = version.quiz
    return QuizSettings(**{
        **stored, "pools": tuple(tuple(p) for p in stored["pools"]),
        "late_submission": LateSubmission(stored.get("late_submission", LateSubmission.GRADE_AT_DEADLINE)),
        "show_answers": ShowAnswers(stored.get("show_answers", ShowAnswers.IMMEDIATELY)),
        "attempt_counts": AttemptCounts(stored.get("attempt_counts", AttemptCounts.HIGHEST)),
    })


_PAST_ATTEMPTS = (select(QuizAttempt)
                  .where(QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.course_id == bindparam("course_id"))
                  .order_by(QuizAttempt.number))
_PAST_ATTEMPTS_LIGHT = _PAST_ATTEMPTS.options(defer(QuizAttempt.questions), defer(QuizAttempt.responses),
                                              defer(QuizAttempt.results))


def past_attempts(user_id: int, course_id: int, light: bool = False) -> list[QuizAttempt]:
    """The person's attempts in order; `light` leaves out the questions, responses and results (JSON, the bulk
    of a row), for lists and rules that do not read them."""
    return list(db.session().scalars(_PAST_ATTEMPTS_LIGHT if light else _PAST_ATTEMPTS,
                                     {"user_id": user_id, "course_id": course_id}))


def as_past(attempt: QuizAttempt) -> rules.PastAttempt:
    score = float(attempt.score) if attempt.score is not None else None
    return rules.PastAttempt(attempt.number, attempt.started_at, attempt.submitted_at, score, attempt.passed)


def start(user: User, slug: str) -> QuizAttempt:
    """The open attempt if there is one, else a new one with freshly drawn and shuffled questions."""
    card = learning.course_card(user, slug)
    if card is None or not card.source.has_quiz:
        raise LookupError(slug)
    if card.next_lesson is not None:
        raise QuizClosed("lessons_unread")
    try:
        with db.write_session() as session:
            course = session.get(Course, card.course_id)
            version = course.current_version
            if has_completed_in(session, user.id, course.id, completion_fiscal_year(utcnow())):
                # Whatever the version: a raised version is not a second completion in the same year.
                raise QuizClosed(rules.StartRefusal.COMPLETED_THIS_YEAR.value)
            past = past_attempts(user.id, course.id)
            open_attempt = next((a for a in past if a.submitted_at is None), None)
            if open_attempt is not None:
                return open_attempt
            settings = settings_of(version)
            decision = rules.may_start([as_past(a) for a in attempts_in_force(past, version)], settings, utcnow())
            if not decision.allowed:
                raise QuizClosed(decision.refusal.value, decision.wait_until)
            rng = random.Random(secrets.randbits(64))
            bank = content.tree().banks[settings.bank]
            drawn = rules.draw_questions(bank.questions, settings, rng)
            now = utcnow()
            attempt = QuizAttempt(
                course_id=course.id, course_version_id=version.id, user_id=user.id, number=len(past) + 1,
                started_at=now, deadline=rules.deadline(now, settings),
                questions=[snapshot(q, rules.present(q, rng)) for q in drawn], responses={}, results=[],
            )
            session.add(attempt)
            session.flush()
            return attempt
    except IntegrityError:
        # Another tab started the same attempt number a moment earlier: use that one.
        return next(a for a in past_attempts(user.id, card.course_id) if a.submitted_at is None)


def has_completed_in(session: Session, user_id: int, course_id: int, fiscal_year: int) -> bool:
    """One completion per person, course and fiscal year, whatever the version (the database holds the
    same rule: uq_completions_user_course_year)."""
    return session.scalar(select(Completion.id).where(
        Completion.user_id == user_id, Completion.course_id == course_id,
        Completion.fiscal_year == fiscal_year).limit(1)) is not None


def attempts_in_force(past: list[QuizAttempt], version: CourseVersion) -> list[QuizAttempt]:
    """Attempts at this version in the current re-completion cycle; earlier ones stay as history."""
    current_year = completion_fiscal_year(utcnow())
    return [a for a in past if a.course_version_id == version.id
            and rules.in_current_cycle(completion_fiscal_year(a.started_at), current_year, version.recurrence_years)]


def attempt_of(user: User, attempt_id: int) -> QuizAttempt | None:
    attempt = db.session().get(QuizAttempt, attempt_id)
    return attempt if attempt is not None and attempt.user_id == user.id else None


def save(user: User, attempt_id: int, sequence: int, answers: Mapping[int, Answer]) -> bool:
    """Keep answers (by question number) without submitting; refused after the deadline or when stale."""
    attempt = attempt_of(user, attempt_id)
    if attempt is None or (attempt.deadline and utcnow() > attempt.deadline + rules.GRACE):
        return False
    responses = responses_from(attempt.questions, answers)
    with db.write_session() as session:
        changed = session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt_id, QuizAttempt.sequence == sequence,
                   QuizAttempt.submitted_at.is_(None))
            .values(responses=responses, sequence=QuizAttempt.sequence + 1)
        ).rowcount
    return changed == 1


def submit(user: User, attempt_id: int, sequence: int, answers: Mapping[int, Answer]) -> SubmitOutcome:
    attempt = attempt_of(user, attempt_id)
    if attempt is None:
        raise LookupError(attempt_id)
    if attempt.submitted_at is not None:
        return SubmitOutcome(attempt, newly_graded=False)
    now = utcnow()
    version = db.session().get(CourseVersion, attempt.course_version_id)
    settings = settings_of(version)
    ruling = rules.rule_on_submission(attempt.started_at, now, settings)
    # Late and graded as of the deadline: only what was saved before it counts.
    responses = responses_from(attempt.questions, answers) if not ruling.is_late else dict(attempt.responses)
    questions = [question_of(stored) for stored in attempt.questions]
    graded = grade_attempt(
        questions, {q.id: as_response(s, responses.get(q.id)) for q, s in zip(questions, attempt.questions,
                                                                                strict=True)},
        settings.passing_score,
    )
    passed = ruling.accepted and graded.passed
    values = {
        "submitted_at": now, "responses": responses, "is_late": ruling.is_late,
        "results": [{"id": r.question_id, "score": str(r.score), "correct": r.is_correct} for r in graded.results],
        "score": _as_decimal(graded.score) if ruling.accepted else Decimal(0),
        "passed": passed, "sequence": QuizAttempt.sequence + 1,
    }
    # Everything read for the completion is read before the write lock is taken: lessons read only grow.
    completes_course = passed and _rest_of_course_done(user, attempt)
    with db.write_session() as session:
        changed = session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt_id, QuizAttempt.sequence == sequence,
                   QuizAttempt.submitted_at.is_(None))
            .values(**values)
        ).rowcount
        if changed == 1 and completes_course and not has_completed_in(
                session, user.id, attempt.course_id, completion_fiscal_year(now)):
            completion = Completion(user_id=user.id, course_id=attempt.course_id,
                                    course_version_id=attempt.course_version_id, attempt_id=attempt.id,
                                    completed_at=now, fiscal_year=completion_fiscal_year(now),
                                    body_id=user.body_id, division_id=user.division_id, grade_id=user.grade_id)
            session.add(completion)
            session.flush()
            # Same transaction as the completion: the sequence-guarded UPDATE above lets exactly one
            # submit through, so there is exactly one certificate.
            certificate = certificates.issue(session, completion, user, version, render_soon=True)
            notices.notify(session, user.id, NoticeKind.CERTIFICATE_ISSUED,
                           {"title": certificate.course_title, "number": certificate.serial})
    db.session().expire_all()
    stored = db.session().get(QuizAttempt, attempt_id)
    if changed != 1:
        if stored.submitted_at is None:
            raise StaleAttempt(stored)
        return SubmitOutcome(stored, newly_graded=False)
    return SubmitOutcome(stored, newly_graded=True, refused_late=not ruling.accepted)


def _as_decimal(score: Fraction) -> Decimal:
    return (Decimal(score.numerator) / score.denominator).quantize(Decimal("0.01"))


class StaleAttempt(Exception):
    """The page was built from an older state of the attempt (another tab saved since)."""

    def __init__(self, attempt: QuizAttempt) -> None:
        super().__init__(attempt.id)
        self.attempt = attempt


def _rest_of_course_done(user: User, attempt: QuizAttempt) -> bool:
    """Every lesson read, and a course with a workshop completes when a reviewer accepts it, if the quiz is passed
    first."""
    course = db.session().get(Course, attempt.course_id)
    source = content.tree().course(course.slug)
    if source is None:
        return False
    read = learning.lessons_read(user.id, course.id)
    return (is_complete([lesson.slug for lesson in source.lessons], read, quiz_passed=True)
            and (source.workshop is None or is_accepted(user.id, course.id)))


def passed_attempt_id(user_id: int, course: Course) -> int | None:
    """A passed attempt at the current version in this re-completion cycle, if there is one."""
    in_force = attempts_in_force(past_attempts(user_id, course.id), course.current_version)
    return next((a.id for a in in_force if a.passed), None)


@dataclass(frozen=True)
class QuizStatus:
    attempts: list[QuizAttempt]
    open_attempt: QuizAttempt | None
    decision: rules.StartDecision
    counted_number: int | None  # the attempt whose score counts (highest or last, per course)
    counts: AttemptCounts  # which rule picks it, to say so on the page
    attempts_left: int | None  # None: the quiz sets no limit
    cooldown_minutes: int


def status(user: User, course_id: int, completed_years: Collection[int] | None = None) -> QuizStatus:
    """The learner's attempts at a course's quiz and whether a new one may start now. `completed_years` (the
    fiscal years of the person's completions of the course, as the course card has them) saves a query."""
    version = reference.current_version(course_id) or db.session().get(Course, course_id).current_version
    past = past_attempts(user.id, course_id, light=True)
    settings = settings_of(version)
    in_force = [as_past(a) for a in attempts_in_force(past, version)]
    counted = rules.counted_attempt(in_force, settings)
    this_year = completion_fiscal_year(utcnow())
    completed = (this_year in completed_years if completed_years is not None
                 else has_completed_in(db.session(), user.id, course_id, this_year))
    return QuizStatus(past, next((a for a in past if a.submitted_at is None), None),
                      rules.may_start(in_force, settings, utcnow(), completed), counted.number if counted else None,
                      settings.attempt_counts, rules.attempts_left(in_force, settings), settings.cooldown_minutes)
