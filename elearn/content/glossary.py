"""glossary.yaml -> the terms every course may use, each with a plain-Japanese explanation (issue 16)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from elearn.content.fields import Fields
from elearn.content.source import SourceError, load_yaml

TERM_KEYS = {"term", "reading", "english", "text"}


@dataclass(frozen=True)
class Term:
    term: str  # as lessons write it, e.g. "SLA" or "ガバメントクラウド"
    reading: str  # kana, for sorting and for readers who meet it first
    english: str  # the expansion or English name, if any
    text: str  # one or two sentences of plain Japanese


def load_glossary(path: Path, errors: list[SourceError]) -> tuple[Term, ...]:
    if not path.is_file():
        return ()
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), path)
    except SourceError as error:
        errors.append(error)
        return ()
    if not isinstance(data, dict):
        errors.append(SourceError(path, 1, "the glossary is a mapping with 'terms', a list"))
        return ()
    fields = Fields(data, path, errors, {"terms"})
    terms: list[Term] = []
    first_line: dict[str, int] = {}
    for raw in fields.mapping_list("terms"):
        entry = Fields(raw, path, errors, TERM_KEYS)
        term = Term(entry.text("term"), entry.text("reading"), entry.text("english", required=False),
                    entry.text("text"))
        if term.term in first_line:
            entry.error(f"{term.term!r} is explained twice (first on line {first_line[term.term]})", key="term")
            continue
        first_line[term.term] = entry.line
        terms.append(term)
    return tuple(sorted(terms, key=lambda t: _katakana(t.reading)))


def _katakana(reading: str) -> str:
    """Hiragana as katakana, so that readings written either way sort in 五十音 order together."""
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in reading)
