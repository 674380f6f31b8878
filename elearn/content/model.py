"""What the content files describe, as plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from elearn.domain.people import Tier
from elearn.domain.quiz import Question, QuizSettings


@dataclass(frozen=True)
class Bank:
    slug: str
    title: str
    questions: tuple[Question, ...]
    path: Path

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


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
