"""Attempt snapshots: the questions an attempt was given (answers included, kept on the server only),
the answer-free view a learner sees, and a learner's answers (in display terms) turned into responses.

Nothing here knows HTML: the quiz view parses the posted form into `Answer` values (elearn/quiz/forms.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from elearn.domain.attempts import Presentation
from elearn.domain.grading import Response
from elearn.domain.quiz import Choice, Question, QuestionKind, Scoring

MAX_TEXT_ANSWER = 200


def snapshot(question: Question, presentation: Presentation) -> dict:
    """Everything needed to show and grade this question later, whatever happens to the bank."""
    return {
        "id": question.id, "kind": question.kind.value, "text": question.text,
        "explanation": question.explanation, "scoring": question.scoring.value,
        "choices": [{"text": c.text, "correct": c.correct} for c in question.choices],
        "answer": question.answer, "answers": list(question.answers), "items": list(question.items),
        "order": list(presentation.order),
    }


def question_of(stored: dict) -> Question:
    return Question(
        bank="", id=stored["id"], kind=QuestionKind(stored["kind"]), text=stored["text"],
        explanation=stored["explanation"], scoring=Scoring(stored["scoring"]),
        choices=tuple(Choice(c["text"], c["correct"]) for c in stored["choices"]),
        answer=stored["answer"], answers=tuple(stored["answers"]), items=tuple(stored["items"]),
    )


@dataclass(frozen=True)
class QuestionView:
    """What the learner's browser receives: no correctness, no accepted answers, no original order."""

    number: int
    kind: str
    text: str
    options: tuple[str, ...]  # choices or items, in display order
    # The learner's saved answer in display terms: chosen positions, "true"/"false", text, or ranks.
    chosen: frozenset[int] = frozenset()
    value: str = ""
    ranks: tuple[int, ...] = ()


def learner_view(stored_questions: list[dict], responses: Mapping[str, object] | None = None) -> list[QuestionView]:
    views = []
    responses = responses or {}
    for number, stored in enumerate(stored_questions, start=1):
        kind = QuestionKind(stored["kind"])
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            options = tuple(stored["choices"][i]["text"] for i in stored["order"])
        elif kind is QuestionKind.ORDERING:
            options = tuple(stored["items"][i] for i in stored["order"])
        else:
            options = ()
        views.append(QuestionView(number, kind.value, stored["text"], options,
                                  **_saved(stored, responses.get(stored["id"]))))
    return views


def _saved(stored: dict, value: object) -> dict:
    """A saved response (bank indices) turned back into what the form shows."""
    if value is None:
        return {}
    kind = QuestionKind(stored["kind"])
    order = stored["order"]
    if kind is QuestionKind.SINGLE:
        return {"chosen": frozenset({order.index(value)})}
    if kind is QuestionKind.MULTIPLE:
        return {"chosen": frozenset(order.index(i) for i in value)}
    if kind is QuestionKind.TRUE_FALSE:
        return {"value": "true" if value else "false"}
    if kind is QuestionKind.ORDERING:
        return {"ranks": tuple(value.index(item) + 1 for item in order)}
    return {"value": str(value)}


@dataclass(frozen=True)
class Answer:
    """One question answered as the learner saw it: positions on the page, not the bank's indices."""

    chosen: tuple[int, ...] = ()  # positions of the options picked (single, multiple)
    truth: bool | None = None  # true/false
    text: str = ""  # short answer
    ranks: tuple[int | None, ...] = ()  # ordering: the rank (1..n) given to each displayed item


def responses_from(stored_questions: list[dict], answers: Mapping[int, Answer]) -> dict[str, object]:
    """Answers by question number (1..n, display order) -> responses in the bank's own indices, JSON-ready.

    Only answers are read: a score or correctness has nowhere to land. Out-of-range positions and
    incomplete orderings count as no answer.
    """
    responses: dict[str, object] = {}
    for number, stored in enumerate(stored_questions, start=1):
        answer = answers.get(number)
        response = _response_of(stored, answer) if answer is not None else None
        if response is not None:
            responses[stored["id"]] = response
    return responses


def _response_of(stored: dict, answer: Answer) -> object:
    kind = QuestionKind(stored["kind"])
    order = stored["order"]
    positions = [p for p in answer.chosen if 0 <= p < len(order)]
    if kind is QuestionKind.SINGLE:
        return order[positions[0]] if positions else None
    if kind is QuestionKind.MULTIPLE:
        return sorted({order[p] for p in positions}) or None
    if kind is QuestionKind.TRUE_FALSE:
        return answer.truth
    if kind is QuestionKind.SHORT_ANSWER:
        return answer.text.strip()[:MAX_TEXT_ANSWER] or None
    ranks = list(answer.ranks)
    if sorted(rank or 0 for rank in ranks) != list(range(1, len(order) + 1)):
        return None  # incomplete or repeated ranks: not an ordering
    return [order[position] for _rank, position in sorted(zip(ranks, range(len(order)), strict=True))]


def as_response(stored: dict, value: object) -> Response:
    """JSON-stored response -> the type the grader expects."""
    kind = QuestionKind(stored["kind"])
    if value is None:
        return None
    if kind is QuestionKind.MULTIPLE:
        return frozenset(value)  # type: ignore[arg-type]
    if kind is QuestionKind.ORDERING:
        return tuple(value)  # type: ignore[arg-type]
    return value  # type: ignore[return-value]


def describe_response(stored: dict, value: object) -> str:
    """The learner's answer in words, for the results page."""
    kind = QuestionKind(stored["kind"])
    if value is None:
        return ""
    if kind is QuestionKind.SINGLE:
        return stored["choices"][value]["text"]
    if kind is QuestionKind.MULTIPLE:
        return "、".join(stored["choices"][i]["text"] for i in value)
    if kind is QuestionKind.TRUE_FALSE:
        return "○" if value else "×"
    if kind is QuestionKind.ORDERING:
        return " → ".join(stored["items"][i] for i in value)
    return str(value)


def describe_correct(stored: dict) -> str:
    kind = QuestionKind(stored["kind"])
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "、".join(c["text"] for c in stored["choices"] if c["correct"])
    if kind is QuestionKind.TRUE_FALSE:
        return "○" if stored["answer"] else "×"
    if kind is QuestionKind.ORDERING:
        return " → ".join(stored["items"])
    return " / ".join(stored["answers"])
