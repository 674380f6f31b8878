"""Grading: a registry of question kind -> grader, over plain content data and plain responses.

Responses refer to the content's own order (choice and item indices as written in the bank), never to
the shuffled order a learner saw; the quiz layer translates before grading.
  single        int | None                 the chosen choice
  multiple      frozenset[int]             the chosen choices
  true_false    bool | None
  short_answer  str                        matched against each accepted answer, `*` a wildcard
  ordering      tuple[int, ...]            item indices in the order the learner put them
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from elearn.domain.answers import matches, normalise_answer
from elearn.domain.quiz import Question, QuestionKind, Scoring

Response = int | frozenset[int] | bool | str | tuple[int, ...] | None


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    score: Fraction  # 0..1
    is_correct: bool


@dataclass(frozen=True)
class AttemptResult:
    results: tuple[QuestionResult, ...]
    score: Fraction  # 0..100
    passed: bool


def _full(is_right: bool) -> Fraction:
    return Fraction(1) if is_right else Fraction(0)


def _grade_single(question: Question, response: Response) -> Fraction:
    if not isinstance(response, int) or isinstance(response, bool):
        return Fraction(0)
    return _full(0 <= response < len(question.choices) and question.choices[response].correct)


def _grade_multiple(question: Question, response: Response) -> Fraction:
    chosen = response if isinstance(response, frozenset) else frozenset()
    correct = frozenset(i for i, choice in enumerate(question.choices) if choice.correct)
    chosen = frozenset(i for i in chosen if 0 <= i < len(question.choices))
    if question.scoring is Scoring.ALL_OR_NOTHING:
        return _full(chosen == correct)
    # Partial: each right choice earns its share, each wrong one takes a share away, never below zero.
    right = len(chosen & correct)
    wrong = len(chosen - correct)
    return max(Fraction(0), Fraction(right - wrong, len(correct)))


def _grade_true_false(question: Question, response: Response) -> Fraction:
    return _full(isinstance(response, bool) and response is question.answer)


def _grade_short_answer(question: Question, response: Response) -> Fraction:
    """Right when any accepted answer matches; `*` in one matches any run of characters (content/answers.py)."""
    if not isinstance(response, str) or not response.strip():
        return Fraction(0)
    typed = normalise_answer(response)
    return _full(any(matches(answer, typed) for answer in question.answers))


def _grade_ordering(question: Question, response: Response) -> Fraction:
    return _full(isinstance(response, tuple) and response == tuple(range(len(question.items))))


GRADERS: Mapping[QuestionKind, Callable[[Question, Response], Fraction]] = {
    QuestionKind.SINGLE: _grade_single,
    QuestionKind.MULTIPLE: _grade_multiple,
    QuestionKind.TRUE_FALSE: _grade_true_false,
    QuestionKind.SHORT_ANSWER: _grade_short_answer,
    QuestionKind.ORDERING: _grade_ordering,
}


def grade_question(question: Question, response: Response) -> QuestionResult:
    score = GRADERS[question.kind](question, response)
    return QuestionResult(question.id, score, score == 1)


def grade_attempt(
    questions: Sequence[Question], responses: Mapping[str, Response], passing_score: int
) -> AttemptResult:
    """Every question weighs the same; a missing response scores zero."""
    results = tuple(grade_question(q, responses.get(q.id)) for q in questions)
    total = sum((r.score for r in results), Fraction(0))
    score = total * 100 / len(questions) if questions else Fraction(0)
    return AttemptResult(results, score, score >= passing_score)
