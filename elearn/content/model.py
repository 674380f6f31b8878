"""What the content files describe, as plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from elearn.domain.people import Tier


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
class Bank:
    slug: str
    title: str
    questions: tuple[Question, ...]
    path: Path

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


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


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str  # the file name without .md, e.g. "01-three-stages"
    title: str
    minutes: int
    html: str
    path: Path


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    summary: str
    version: int
    tiers: frozenset[Tier]
    required_for_grades: frozenset[str]
    estimated_minutes: int
    recurrence_years: int | None
    quiz: QuizSettings
    overview_html: str
    lessons: tuple[Lesson, ...]
    path: Path
    assets: frozenset[str] = field(default_factory=frozenset)  # relative paths of files besides the .md


@dataclass(frozen=True)
class ContentTree:
    courses: tuple[Course, ...]
    banks: dict[str, Bank]

    def course(self, slug: str) -> Course | None:
        return next((course for course in self.courses if course.slug == slug), None)
