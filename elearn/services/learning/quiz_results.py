"""What a learner sees after submitting, and how each question fared across all learners."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from elearn import db
from elearn.domain.attempts import may_see_answers
from elearn.models import Course, QuizAttempt, User
from elearn.services.learning import content
from elearn.services.learning.quiz import attempts_in_force, past_attempts, settings_of
from elearn.services.learning.quiz_snapshot import describe_correct, describe_response


@dataclass(frozen=True)
class ResultRow:
    number: int
    text: str
    your_answer: str
    is_correct: bool
    correct_answer: str | None  # None when the quiz does not show answers yet
    explanation: str | None


@dataclass(frozen=True)
class ResultReport:
    attempt: QuizAttempt
    course_slug: str
    course_title: str
    passing_score: int
    rows: list[ResultRow]
    answers_shown: bool


def report(user: User, attempt: QuizAttempt) -> ResultReport:
    version = attempt.course_version
    settings = settings_of(version)
    in_force = attempts_in_force(past_attempts(user.id, attempt.course_id), version)
    shown = may_see_answers(settings, len(in_force), any(a.passed for a in in_force))
    results = {r["id"]: r for r in attempt.results}
    rows = []
    for number, stored in enumerate(attempt.questions, start=1):
        result = results.get(stored["id"], {"correct": False})
        rows.append(ResultRow(
            number=number, text=stored["text"],
            your_answer=describe_response(stored, attempt.responses.get(stored["id"])),
            is_correct=bool(result["correct"]),
            correct_answer=describe_correct(stored) if shown else None,
            explanation=stored["explanation"] if shown else None,
        ))
    return ResultReport(attempt, version.course.slug, version.title, settings.passing_score, rows, shown)


@dataclass(frozen=True)
class QuestionStat:
    question_id: str
    text: str
    answered: int
    correct: int

    @property
    def percent(self) -> int:
        return self.correct * 100 // self.answered if self.answered else 0


@dataclass(frozen=True)
class StatsTable:
    course_title: str
    attempts: int
    rows: list[QuestionStat]


def question_stats(slug: str) -> StatsTable | None:
    """How often each bank question was answered right, over all submitted attempts (one query)."""
    course = db.session().scalars(select(Course).where(Course.slug == slug)).first()
    source = content.tree().course(slug)
    if course is None or source is None or not source.has_quiz:
        return None
    answered: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    attempts = 0
    rows = db.session().execute(select(QuizAttempt.results).where(
        QuizAttempt.course_id == course.id, QuizAttempt.submitted_at.is_not(None)))
    for (results,) in rows:
        attempts += 1
        for result in results:
            answered[result["id"]] += 1
            correct[result["id"]] += bool(result["correct"])
    bank = content.tree().banks[source.quiz.bank]
    table = [QuestionStat(q.id, q.text, answered[q.id], correct[q.id]) for q in bank.questions]
    table.sort(key=lambda row: (row.answered == 0, row.percent))
    return StatsTable(source.title, attempts, table)
