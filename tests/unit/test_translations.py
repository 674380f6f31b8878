"""The Japanese catalog covers every UI string in the source, with the same placeholders.

Works on the .po file directly, so no compiled .mo is needed. When this fails after adding
strings, run translations/update.sh and translate what it lists.
"""

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = PROJECT_ROOT / "translations"
JA_CATALOG = TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.po"
EN_CATALOG = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}

# %(name)s, %(n)d, %(ratio).1f ...: named printf-style placeholders, as Flask-Babel formats them.
PLACEHOLDER = re.compile(r"%\((?P<name>[^)]+)\)[#0 +-]*\d*(?:\.\d+)?(?P<kind>[diouxXeEfFgGcrsa])")


def _as_tuple(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _placeholders(text: str) -> Counter[tuple[str, str]]:
    return Counter((match["name"], match["kind"]) for match in PLACEHOLDER.finditer(text))


@pytest.fixture(scope="module")
def ja_catalog() -> Catalog:
    with JA_CATALOG.open("rb") as handle:
        return read_po(handle, locale="ja")


@pytest.fixture(scope="module")
def source_messages() -> dict[tuple[str, str | None], str]:
    """(msgid, context) -> first place it is used, extracted as `pybabel extract -F babel.cfg -k _l` does."""
    with (PROJECT_ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, filename="babel.cfg")
    found: dict[tuple[str, str | None], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = _as_tuple(message)[0]
        if msgid:
            found.setdefault((msgid, context), f"{filename}:{lineno}")
    return found


def test_the_source_has_messages_to_translate(source_messages):
    assert len(source_messages) > 100


def test_every_source_message_has_a_non_fuzzy_japanese_translation(source_messages, ja_catalog):
    missing = []
    for (msgid, context), where in sorted(source_messages.items()):
        entry = ja_catalog.get(msgid, context=context)
        if entry is None:
            missing.append(f"{msgid!r} ({where}): not in the catalog")
        elif entry.fuzzy:
            missing.append(f"{msgid!r} ({where}): marked fuzzy")
        elif not all(_as_tuple(entry.string)):
            missing.append(f"{msgid!r} ({where}): empty msgstr")
    assert not missing, (
        f"{len(missing)} message(s) lack a Japanese translation in {JA_CATALOG.relative_to(PROJECT_ROOT)}; "
        "run translations/update.sh and translate them:\n  " + "\n  ".join(missing)
    )


def test_japanese_translations_keep_the_placeholders_of_their_msgid(ja_catalog):
    mismatched = []
    for entry in ja_catalog:
        if not entry.id:
            continue
        expected = _placeholders(_as_tuple(entry.id)[-1])
        for translation in _as_tuple(entry.string):
            if translation and _placeholders(translation) != expected:
                mismatched.append(
                    f"{entry.id!r} -> {translation!r}: expected {sorted(expected.elements())}, "
                    f"got {sorted(_placeholders(translation).elements())}"
                )
    assert not mismatched, "placeholders differ:\n  " + "\n  ".join(mismatched)


def test_an_english_catalog_exists_so_english_can_be_chosen():
    assert EN_CATALOG.is_file()


class _AnyValue(dict):
    def __missing__(self, key: str) -> int:
        return 1


def test_every_template_message_formats_in_both_languages(source_messages, ja_catalog):
    """Jinja's newstyle gettext applies `%` to every message of a template, even without values: a bare
    `%` in a msgid (e.g. "Correct (%)") is a 500 in the English UI, where the msgid itself is shown.
    (Flask-Babel's gettext in Python formats only when given values.)"""
    broken = []
    for (msgid, context), where in sorted(source_messages.items()):
        if not where.split(":")[0].endswith(".html"):
            continue
        entry = ja_catalog.get(msgid, context=context)
        for text in (msgid, *(_as_tuple(entry.string) if entry else ())):
            try:
                text % _AnyValue()
            except (ValueError, TypeError) as error:
                broken.append(f"{text!r} ({where}): {error}")
    assert not broken, "write a literal % as %% or reword:\n  " + "\n  ".join(broken)
