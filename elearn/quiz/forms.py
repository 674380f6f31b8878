"""The quiz page's posted form turned into plain answers: the only code that knows its field names.

Question N's field is `q<N>` (its option positions, "true"/"false" or the text); an ordering question
has one rank field per displayed item, `q<N>-<position>`. templates/quiz/attempt.html names them
through `answer_field`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from elearn.services.learning.quiz_snapshot import Answer, QuestionView

# ASCII digits only: str.isdigit() also accepts "²" and "①", which int() refuses, and int() reads
# other scripts' digits ("١") that no field of ours sends.
_DIGITS = re.compile(r"[0-9]+")


def answer_field(number: int, position: int | None = None) -> str:
    return f"q{number}" if position is None else f"q{number}-{position}"


def as_number(raw: str, max_digits: int = 4) -> int | None:
    """A non-negative number in ASCII digits (at most `max_digits`), else None; never an exception."""
    return int(raw) if len(raw) <= max_digits and _DIGITS.fullmatch(raw) else None


def answers_from(form: Mapping[str, Sequence[str]], questions: Sequence[QuestionView]) -> dict[int, Answer]:
    """Each question's answer by number; values that are not valid choices are dropped, never raised on."""
    answers = {}
    for question in questions:
        values = list(form.get(answer_field(question.number), []))
        first = values[0] if values else ""
        if question.kind in ("single", "multiple"):
            answer = Answer(chosen=tuple(n for n in map(as_number, values) if n is not None))
        elif question.kind == "true_false":
            answer = Answer(truth={"true": True, "false": False}.get(first))
        elif question.kind == "ordering":
            answer = Answer(ranks=tuple(
                as_number((form.get(answer_field(question.number, position)) or [""])[0])
                for position in range(len(question.options))))
        else:
            answer = Answer(text=first)
        answers[question.number] = answer
    return answers
