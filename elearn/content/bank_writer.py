"""Questions -> the text of quizzes/<bank>.yaml, laid out as courses/README.md shows it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import yaml

from elearn.domain.quiz import Question, QuestionKind


class _BankDumper(yaml.SafeDumper):
    """safe_dump's dumper, plus the README's layout: indented list items, `|` for multi-line text."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # PyYAML puts a mapping's list items at the key's own column; the README indents them.
        return super().increase_indent(flow, False)


class _Inline(list):
    """A short list of words (tags, accepted answers) written as [a, b], as in the README."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(char in value for char in "\r\x85\u2028\u2029"):
        # YAML reads these as line breaks everywhere but in escapes: only double quotes keep them.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" not in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value)
    # A final newline makes it `|` rather than `|-`, as the README writes it; load_bank strips it again.
    # PyYAML falls back to a quoted style by itself when a literal block cannot hold the text exactly.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.rstrip("\n") + "\n", style="|")


def _inline(dumper: yaml.SafeDumper, value: _Inline) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_BankDumper.add_representer(str, _text)
_BankDumper.add_representer(_Inline, _inline)

# The keys each kind adds after `text`; load_bank rejects keys that belong to another kind.
_ANSWER_KEYS: dict[QuestionKind, Callable[[Question], dict]] = {
    QuestionKind.SINGLE: lambda q: {"choices": _choices(q)},
    QuestionKind.MULTIPLE: lambda q: {"choices": _choices(q)},
    QuestionKind.TRUE_FALSE: lambda q: {"answer": q.answer},
    QuestionKind.SHORT_ANSWER: lambda q: {"answers": _Inline(q.answers)},
    QuestionKind.ORDERING: lambda q: {"items": list(q.items)},
}


def bank_yaml(slug: str, title: str, questions: Sequence[Question]) -> str:
    """YAML that load_bank reads back into the same questions (ids, kinds, texts, choices, answers, tags)."""
    data = {"bank": slug, "title": title, "questions": [_question(q) for q in questions]}
    # yaml.dump with a SafeDumper subclass is safe_dump with the layout above; the huge width keeps
    # Japanese sentences and long choices on one line instead of folding them at spaces.
    text = yaml.dump(data, Dumper=_BankDumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100_000)
    # A blank line between questions, as in the README. Only a question starts a line with "  - id:":
    # nested values sit deeper, and every question mapping is written with `id` first.
    return re.sub(r"(?<!questions:)\n(?=  - id: )", "\n\n", text)


def _question(question: Question) -> dict:
    data: dict[str, object] = {"id": question.id, "kind": question.kind.value}
    if question.kind is QuestionKind.MULTIPLE:
        data["scoring"] = question.scoring.value
    if question.tags:
        data["tags"] = _Inline(question.tags)
    data["text"] = question.text
    data.update(_ANSWER_KEYS[question.kind](question))
    data["explanation"] = question.explanation
    return data


def _choices(question: Question) -> list[dict]:
    return [{"text": c.text, "correct": True} if c.correct else {"text": c.text} for c in question.choices]
