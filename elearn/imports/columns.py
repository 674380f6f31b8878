"""What the planners share: row errors, header matching and normalisation of codes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from elearn.imports.reader import Table


@dataclass(frozen=True)
class RowError:
    """A reason a file is refused; line is None when the problem is the whole file."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"{self.line}行目: {self.message}"


@dataclass(frozen=True)
class Column:
    field: str
    label_ja: str  # how the column is named in messages
    aliases: tuple[str, ...]  # accepted header spellings besides label_ja
    is_required: bool = False


def normalise_code(text: str) -> str:
    """Codes and numbers typed with full-width digits or letters are the same code.

    NFKC only here: on names it would turn ① into 1 and half-width kana into full-width.
    """
    return unicodedata.normalize("NFKC", text).strip()


def _header_key(header: str) -> str:
    return normalise_code(header).casefold().replace(" ", "_")


def match_columns(table: Table, columns: Sequence[Column]) -> tuple[dict[str, str], list[RowError]]:
    """Map each known field to the header that carries it; errors for missing or doubled columns."""
    by_key = {
        _header_key(alias): column for column in columns for alias in (column.label_ja, *column.aliases)
    }
    header_of: dict[str, str] = {}
    errors: list[RowError] = []
    for header in table.headers:
        column = by_key.get(_header_key(header))
        if column is None:
            continue  # extra columns (備考 ...) are allowed and ignored
        if column.field in header_of:
            errors.append(RowError(None, f"列「{header_of[column.field]}」と「{header}」は同じ項目です"))
            continue
        header_of[column.field] = header
    missing = [column.label_ja for column in columns if column.is_required and column.field not in header_of]
    if missing:
        errors.append(RowError(None, f"必須の列がありません: {'、'.join(missing)}"))
    return header_of, errors


def cell(values: Mapping[str, str], header_of: Mapping[str, str], field: str) -> str:
    header = header_of.get(field)
    return values.get(header, "") if header else ""


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def control_character_errors(line: int, values: Mapping[str, str], header_of: Mapping[str, str]) -> list[RowError]:
    """Line breaks, tabs and other control characters in the columns read (a name pasted with its line
    break, a NUL from a broken export) are refused: no database keeps a NUL, and no name needs them."""
    return [RowError(line, f"列「{header}」に改行や制御文字が含まれています")
            for header in header_of.values()
            if _CONTROL_CHARACTERS.search(values.get(header, ""))]


def duplicate_error(line: int, what: str, first_line: int) -> RowError:
    return RowError(line, f"{what} がファイル内で重複しています ({first_line}行目)")


def check_length(errors: list[RowError], line: int, label: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.append(RowError(line, f"{label}が長すぎます ({limit}文字まで)"))
