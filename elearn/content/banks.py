"""quizzes/<bank>.yaml -> Bank, with every rule of courses/README.md checked."""

from __future__ import annotations

from pathlib import Path

from elearn.content.fields import SLUG, Fields
from elearn.content.model import Bank
from elearn.content.source import SourceError, load_yaml
from elearn.domain.quiz import Choice, Question, QuestionKind, Scoring

QUESTION_KEYS = {"id", "kind", "text", "explanation", "tags", "choices", "scoring", "answer", "answers", "items"}
CHOICE_LIMITS = {QuestionKind.SINGLE: (3, 6), QuestionKind.MULTIPLE: (3, 8)}
ORDERING_LIMITS = (3, 7)


def load_bank(path: Path, errors: list[SourceError]) -> Bank | None:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), path)
    except SourceError as error:
        errors.append(error)
        return None
    if not isinstance(data, dict):
        errors.append(SourceError(path, 1, "a question bank must be a mapping with bank, title, questions"))
        return None
    fields = Fields(data, path, errors, {"bank", "title", "questions"})
    slug = fields.slug("bank")
    if slug and slug != path.stem:
        fields.error(f"bank {slug!r} must equal the file name {path.stem!r}", key="bank")
    title = fields.text("title")
    questions = []
    seen: dict[str, int] = {}
    for raw in fields.mapping_list("questions"):
        question = _question(raw, path, errors, path.stem)
        if question is None:
            continue
        if question.id in seen:
            errors.append(SourceError(path, question.line,
                                      f"question id {question.id!r} is used twice (first on line {seen[question.id]})"))
            continue
        seen[question.id] = question.line
        questions.append(question)
    if not questions and "questions" in data:
        fields.error("the bank has no valid questions")
    return Bank(slug=path.stem, title=title, questions=tuple(questions), path=path)


def _question(raw: dict, path: Path, errors: list[SourceError], bank: str) -> Question | None:
    before = len(errors)
    fields = Fields(raw, path, errors, QUESTION_KEYS)
    question_id = fields.text("id")
    if question_id and not SLUG.match(question_id):
        fields.error(f"question id must be lower-case letters, digits and hyphens, not {question_id!r}", key="id")
    kind = fields.choice("kind", QuestionKind, QuestionKind.SINGLE)
    if "kind" not in raw:
        fields.error("'kind' is required")
    text = fields.text("text")
    explanation = fields.text("explanation")
    tags = tuple(fields.text_list("tags"))
    choices: tuple[Choice, ...] = ()
    scoring = Scoring.ALL_OR_NOTHING
    answer = None
    answers: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    misplaced = {
        "choices": kind not in CHOICE_LIMITS, "scoring": kind is not QuestionKind.MULTIPLE,
        "answer": kind is not QuestionKind.TRUE_FALSE, "answers": kind is not QuestionKind.SHORT_ANSWER,
        "items": kind is not QuestionKind.ORDERING,
    }
    for key, wrong in misplaced.items():
        if wrong and key in raw:
            fields.error(f"{key!r} does not belong to a {kind.value} question", key=key)
    if kind in CHOICE_LIMITS:
        choices = _choices(fields, kind)
        if kind is QuestionKind.MULTIPLE:
            if "scoring" not in raw:
                fields.error("a multiple question needs 'scoring': all_or_nothing or partial")
            scoring = fields.choice("scoring", Scoring, Scoring.ALL_OR_NOTHING)
    elif kind is QuestionKind.TRUE_FALSE:
        answer = fields.boolean("answer", required=True)
    elif kind is QuestionKind.SHORT_ANSWER:
        answers = tuple(a for a in fields.text_list("answers", required=True) if a)
        if not answers and "answers" in raw:
            fields.error("a short_answer question needs at least one accepted answer", key="answers")
    elif kind is QuestionKind.ORDERING:
        items = tuple(fields.text_list("items", required=True))
        low, high = ORDERING_LIMITS
        if items and not low <= len(items) <= high:
            fields.error(f"an ordering question needs {low}-{high} items, not {len(items)}", key="items")
        if len(set(items)) != len(items):
            fields.error("ordering items must be distinct", key="items")
    if len(errors) > before:
        return None
    return Question(bank=bank, id=question_id, kind=kind, text=text, explanation=explanation, tags=tags,
                    choices=choices, scoring=scoring, answer=answer, answers=answers, items=items,
                    line=fields.line)


def _choices(fields: Fields, kind: QuestionKind) -> tuple[Choice, ...]:
    choices = []
    for raw in fields.mapping_list("choices"):
        choice = Fields(raw, fields.path, fields.errors, {"text", "correct"})
        text = choice.text("text")
        correct = choice.boolean("correct", default=False)
        choices.append(Choice(text=text, correct=bool(correct)))
    low, high = CHOICE_LIMITS[kind]
    if choices and not low <= len(choices) <= high:
        fields.error(f"a {kind.value} question needs {low}-{high} choices, not {len(choices)}", key="choices")
    correct_count = sum(c.correct for c in choices)
    if choices and kind is QuestionKind.SINGLE and correct_count != 1:
        fields.error(f"a single question needs exactly one correct choice, not {correct_count}", key="choices")
    if choices and kind is QuestionKind.MULTIPLE and correct_count < 1:
        fields.error("a multiple question needs at least one correct choice", key="choices")
    texts = [c.text for c in choices]
    if len(set(texts)) != len(texts):
        fields.error("choice texts in a question must be distinct", key="choices")
    return tuple(choices)


