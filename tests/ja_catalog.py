"""The Japanese catalogue read from the .po file, so tests of pure code see what a Japanese admin sees."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

JA_CATALOG = Path(__file__).resolve().parents[1] / "translations" / "ja" / "LC_MESSAGES" / "messages.po"


@cache
def _catalog() -> Catalog:
    with JA_CATALOG.open("rb") as handle:
        return read_po(handle, locale="ja")


def japanese(message_id: str) -> str:
    """The Japanese of a message id; the id itself when untranslated, so a missing entry fails the test."""
    entry = _catalog().get(message_id)
    return entry.string if entry is not None and entry.string else message_id
