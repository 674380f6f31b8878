"""Quiz attempt rules: drawing and shuffling, limits and cool-down, time limits, which attempt counts."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from elearn.domain.quiz import (
    AttemptCounts,
    LateSubmission,
    Question,
    QuestionKind,
    QuizSettings,
    ShowAnswers,
)


@dataclass(frozen=True)
class Presentation:
    """One question as one attempt shows it: the content's indices in display order."""

    question_id: str
    order: tuple[int, ...] = ()  # choices (single, multiple) or items (ordering); empty otherwise


def draw_questions(questions: Sequence[Question], settings: QuizSettings, rng: random.Random) -> list[Question]:
    """N questions from the bank, or from each tagged pool; a question is never drawn twice."""
    if not settings.pools:
        return rng.sample(list(questions), settings.questions)
    drawn: list[Question] = []
    for tag, count in settings.pools:
        candidates = [q for q in questions if tag in q.tags and q not in drawn]
        drawn.extend(rng.sample(candidates, min(count, len(candidates))))
    rng.shuffle(drawn)
    return drawn


def present(question: Question, rng: random.Random) -> Presentation:
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        order = list(range(len(question.choices)))
        rng.shuffle(order)
        return Presentation(question.id, tuple(order))
    if question.kind is QuestionKind.ORDERING:
        order = list(range(len(question.items)))
        while order == sorted(order):  # never show the answer as the starting order
            rng.shuffle(order)
        return Presentation(question.id, tuple(order))
    return Presentation(question.id)


class StartRefusal(StrEnum):
    NO_ATTEMPTS_LEFT = "no_attempts_left"
    COOLING_DOWN = "cooling_down"
    ALREADY_PASSED = "already_passed"
    COMPLETED_THIS_YEAR = "completed_this_year"


@dataclass(frozen=True)
class PastAttempt:
    number: int
    started_at: datetime
    submitted_at: datetime | None
    score: float | None
    passed: bool


@dataclass(frozen=True)
class StartDecision:
    allowed: bool
    refusal: StartRefusal | None = None
    wait_until: datetime | None = None


def may_start(past: Sequence[PastAttempt], settings: QuizSettings, now: datetime,
              completed_this_year: bool = False) -> StartDecision:
    """Whether a new attempt may begin (an open, unsubmitted attempt is resumed, not restarted).

    `past` holds the attempts at the current version; a completion of the course this fiscal year, at
    any version, closes the quiz too: one completion per person, course and fiscal year.
    """
    if completed_this_year:
        return StartDecision(False, StartRefusal.COMPLETED_THIS_YEAR)
    submitted = [a for a in past if a.submitted_at is not None]
    if any(a.passed for a in submitted):
        return StartDecision(False, StartRefusal.ALREADY_PASSED)
    if settings.max_attempts and len(past) >= settings.max_attempts:
        return StartDecision(False, StartRefusal.NO_ATTEMPTS_LEFT)
    if settings.cooldown_minutes and submitted:
        ready_at = max(a.submitted_at for a in submitted) + timedelta(minutes=settings.cooldown_minutes)
        if now < ready_at:
            return StartDecision(False, StartRefusal.COOLING_DOWN, ready_at)
    return StartDecision(True)


def attempts_left(past: Sequence[PastAttempt], settings: QuizSettings) -> int | None:
    """Attempts that may still be begun (an open one has used its turn, as in `may_start`); None when the
    quiz sets no limit."""
    if not settings.max_attempts:
        return None
    return max(0, settings.max_attempts - len(past))


def in_current_cycle(started_in: int, current_year: int, recurrence_years: int | None) -> bool:
    """Whether an attempt begun in fiscal year `started_in` still counts against limits and passes.

    A yearly course starts a fresh cycle each April: last year's pass or used-up attempts do not stop
    this year's re-completion.
    """
    if recurrence_years is None:
        return True
    return current_year - started_in < recurrence_years


def deadline(started_at: datetime, settings: QuizSettings) -> datetime | None:
    if settings.time_limit_minutes is None:
        return None
    return started_at + timedelta(minutes=settings.time_limit_minutes)


# A submit sent at the last second still travels over the network.
GRACE = timedelta(seconds=30)


@dataclass(frozen=True)
class SubmissionRuling:
    accepted: bool
    is_late: bool = False
    graded_as_of: datetime | None = None  # grade only what was saved by then (GRADE_AT_DEADLINE)


def rule_on_submission(started_at: datetime, submitted_at: datetime, settings: QuizSettings) -> SubmissionRuling:
    limit = deadline(started_at, settings)
    if limit is None or submitted_at <= limit + GRACE:
        return SubmissionRuling(True, graded_as_of=submitted_at)
    if settings.late_submission is LateSubmission.REFUSE:
        return SubmissionRuling(False, is_late=True)
    return SubmissionRuling(True, is_late=True, graded_as_of=limit)


def counted_attempt(past: Sequence[PastAttempt], settings: QuizSettings) -> PastAttempt | None:
    """The attempt whose score counts: the highest (earliest among equals) or the last submitted."""
    graded = [a for a in past if a.submitted_at is not None and a.score is not None]
    if not graded:
        return None
    if settings.attempt_counts is AttemptCounts.LAST:
        return max(graded, key=lambda a: a.number)
    return max(graded, key=lambda a: (a.score, -a.number))


def may_see_answers(settings: QuizSettings, attempts_used: int, has_passed: bool) -> bool:
    if settings.show_answers is ShowAnswers.IMMEDIATELY:
        return True
    if settings.show_answers is ShowAnswers.NEVER:
        return False
    out_of_attempts = bool(settings.max_attempts) and attempts_used >= settings.max_attempts
    return out_of_attempts or has_passed
