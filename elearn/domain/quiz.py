"""The quiz vocabulary: question kinds, questions and quiz settings as plain frozen data. Content files
are loaded into these (content/), and the rules grade and draw them (grading.py, attempts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"
    ORDERING = "ordering"


class Scoring(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    PARTIAL = "partial"


class LateSubmission(StrEnum):
    GRADE_AT_DEADLINE = "grade_at_deadline"
    REFUSE = "refuse"


class ShowAnswers(StrEnum):
    NEVER = "never"
    IMMEDIATELY = "immediately"
    AFTER_LAST_ATTEMPT = "after_last_attempt"


class AttemptCounts(StrEnum):
    HIGHEST = "highest"
    LAST = "last"


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    bank: str
    id: str
    kind: QuestionKind
    text: str
    explanation: str
    tags: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()  # single, multiple
    scoring: Scoring = Scoring.ALL_OR_NOTHING  # multiple
    answer: bool | None = None  # true_false
    answers: tuple[str, ...] = ()  # short_answer
    items: tuple[str, ...] = ()  # ordering, in the correct order
    line: int = 0


@dataclass(frozen=True)
class QuizSettings:
    bank: str
    questions: int
    passing_score: int
    pools: tuple[tuple[str, int], ...] = ()
    max_attempts: int = 0
    cooldown_minutes: int = 0
    time_limit_minutes: int | None = None
    late_submission: LateSubmission = LateSubmission.GRADE_AT_DEADLINE
    show_answers: ShowAnswers = ShowAnswers.IMMEDIATELY
    attempt_counts: AttemptCounts = AttemptCounts.HIGHEST
