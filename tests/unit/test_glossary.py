"""The Japanese catalogue keeps to translations/GLOSSARY.md: one word for one thing, so 講座 does not creep
back for a course, 課 for a lesson or 編集者 for two different roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


@dataclass(frozen=True)
class Term:
    english: str  # without its context: "issue" for "issue (magazine)"
    japanese: str
    has_context: bool
    forbidden: tuple[str, ...]

    def mentioned_in(self, msgid: str) -> bool:
        return re.search(rf"\b{re.escape(self.english)}(?:s|es)?\b", msgid, re.IGNORECASE) is not None

    def is_named_by(self, msgid: str) -> bool:
        return msgid.casefold() in {self.english, f"{self.english}s", f"{self.english}es"}


def parse_glossary(text: str) -> list[Term]:
    """Rows of the table under "## Terms": | English | 日本語 | Meaning | Not |, Not words split on 、 or ,."""
    table = text.split("## Terms", 1)[1]
    terms = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("English", "---"):
            continue
        english, japanese, _meaning, forbidden = cells
        context = re.fullmatch(r"(.+?) \((.+)\)", english)
        terms.append(Term(english=(context[1] if context else english).casefold(), japanese=japanese,
                          has_context=context is not None,
                          forbidden=tuple(word for word in re.split(r"[、,]\s*", forbidden) if word)))
    return terms


@pytest.fixture(scope="module")
def glossary() -> list[Term]:
    return parse_glossary((TRANSLATIONS / "GLOSSARY.md").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with (TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="ja")


def _messages(catalog: Catalog) -> list[tuple[str, str]]:
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        pairs += [(msgid, string) for msgid in ids for string in strings]
    return pairs


def test_the_glossary_is_read_with_its_forbidden_words(glossary):
    by_word = {term.english: term for term in glossary}
    assert by_word["course"].japanese == "コース" and "講座" in by_word["course"].forbidden
    assert "課" in by_word["lesson"].forbidden and by_word["division"].japanese == "課室"
    assert by_word["issue"].has_context and not by_word["course"].has_context
    assert all(term.forbidden for term in glossary)  # a row without "not" words guards nothing


def forbidden_uses(glossary: list[Term], messages: list[tuple[str, str]]) -> list[str]:
    return [f"{msgid!r} => {string!r}: {term.english} is {term.japanese}, not {word}"
            for msgid, string in messages for term in glossary if term.mentioned_in(msgid)
            for word in term.forbidden if word in string]


def other_words(glossary: list[Term], messages: list[tuple[str, str]]) -> list[str]:
    return [f"{msgid!r} => {string!r}: should use {term.japanese}"
            for msgid, string in messages for term in glossary
            if not term.has_context and term.is_named_by(msgid) and term.japanese not in string]


def test_no_translation_uses_a_word_the_glossary_forbids_for_a_term_of_its_msgid(glossary, catalog):
    wrong = forbidden_uses(glossary, _messages(catalog))
    assert not wrong, "translations/GLOSSARY.md is not followed:\n  " + "\n  ".join(wrong)


def test_a_message_that_is_a_glossary_term_is_translated_as_the_glossary_says(glossary, catalog):
    wrong = other_words(glossary, _messages(catalog))
    assert not wrong, "translations/GLOSSARY.md is not followed:\n  " + "\n  ".join(wrong)


def test_the_checks_catch_the_words_that_meant_two_things(glossary):
    old = [("Related courses", "関連する講座"), ("Lesson %(n)d of %(total)d", "第%(n)d課（全%(total)d課）"),
           ("Author", "編集者"), ("Editor", "編集者"), ("New", "新着"), ("Division", "所属")]
    assert len(forbidden_uses(glossary, old)) == 5  # course, lesson, author, editor, new
    assert [line.split(":")[0] for line in other_words(glossary, old)] == [
        "'Author' => '編集者'", "'Editor' => '編集者'", "'Division' => '所属'"]
    assert not forbidden_uses(glossary, [("Sign in", "サインイン"), ("Lessons", "レッスン一覧")])
