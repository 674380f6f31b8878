"""Reading typed values out of a YAML mapping, collecting every problem with its line."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from elearn.content.source import KEY_LINES, LINE_KEY, SourceError

E = TypeVar("E", bound=StrEnum)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Characters YAML holds only as escapes and XML 1.0 (feeds, XLSX) mostly not at all: C0 controls but tab and line
# breaks, DEL, C1 controls but NEL, lone surrogates, U+FFFE/U+FFFF. An escape such as "\0" would otherwise carry
# them into the database and on to every page and export.
UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_MISSING = object()


class Fields:
    """A mapping from a content file; problems go to `errors` instead of stopping at the first."""

    def __init__(self, mapping: dict, path: Path, errors: list[SourceError], allowed: set[str]) -> None:
        self.mapping = mapping
        self.path = path
        self.errors = errors
        self.line = mapping.get(LINE_KEY, 1)
        self.key_lines = mapping.get(KEY_LINES, {})
        for key in mapping:
            if key not in (LINE_KEY, KEY_LINES) and key not in allowed:
                self.error(f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})", key=key)

    def error(self, message: str, key: str | None = None) -> None:
        """Report at the key's own line when it is present, else where the mapping starts."""
        self.errors.append(SourceError(self.path, self.key_lines.get(key, self.line), message))

    def _get(self, key: str, required: bool) -> object:
        value = self.mapping.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.error(f"{key!r} is required")
            return _MISSING
        return value

    def text(self, key: str, required: bool = True, default: str = "") -> str:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(f"{key!r} must be text", key=key)
            return default
        text = str(value).strip()
        if required and not text:
            self.error(f"{key!r} must not be empty", key=key)
        self._check_characters(key, text)
        return text

    def _check_characters(self, key: str, text: str) -> None:
        if match := UNWRITABLE.search(text):
            self.error(f"{key!r} contains the control character {code_point(match[0])}: remove it", key=key)

    def slug(self, key: str) -> str:
        value = self.text(key)
        if value and not SLUG.match(value):
            self.error(f"{key!r} must be lower-case letters, digits and hyphens, not {value!r}", key=key)
        return value

    def integer(self, key: str, minimum: int = 0, maximum: int | None = None, default: int | None = None,
                required: bool = False) -> int | None:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(f"{key!r} must be a whole number", key=key)
            return default
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and {maximum}" if maximum is not None else ""
            self.error(f"{key!r} must be between {minimum}{upper}, not {value}", key=key)
            return default
        return value

    def boolean(self, key: str, required: bool = False, default: bool | None = None) -> bool | None:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(f"{key!r} must be true or false", key=key)
            return default
        return value

    def choice(self, key: str, enum: type[E], default: E) -> E:
        value = self._get(key, False)
        if value is _MISSING:
            return default
        try:
            return enum(value)
        except ValueError:
            self.error(f"{key!r} must be one of {', '.join(m.value for m in enum)}, not {value!r}", key=key)
            return default

    def text_list(self, key: str, required: bool = False) -> list[str]:
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool)
                                                  for v in value):
            self.error(f"{key!r} must be a list of texts", key=key)
            return []
        texts = [str(v).strip() for v in value]
        for text in texts:
            self._check_characters(key, text)
        return texts

    def mapping_list(self, key: str, required: bool = True) -> list[dict]:
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(f"{key!r} must be a list of mappings", key=key)
            return []
        return value

    def sub_mapping(self, key: str, required: bool = True) -> dict | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.error(f"{key!r} must be a mapping", key=key)
            return None
        return value


def code_point(char: str) -> str:
    """U+0000 notation, for messages about characters that cannot be shown."""
    return f"U+{ord(char):04X}"
