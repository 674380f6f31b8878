"""What the planners share: row errors, header matching and normalisation of codes."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from elearn.imports.messages import N_
from elearn.imports.reader import Table

LINE_PREFIX = N_("Line %(line)d: %(message)s")


@dataclass(frozen=True)
class RowError:
    """A reason a file is refused; line is None when the problem is the whole file.

    `text` is an English message id with named placeholders: the planners stay free of Flask, and
    whoever shows the error translates it into the reader's language (render).
    """

    line: int | None
    text: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] = str, with_line: bool = False) -> str:
        message = gettext(self.text) % dict(self.params)
        if with_line and self.line is not None:
            return gettext(LINE_PREFIX) % {"line": self.line, "message": message}
        return message

    @property
    def message(self) -> str:
        """Untranslated: for logs and for checks that only look for a value in it."""
        return self.render()

    def __str__(self) -> str:
        return self.render(with_line=True)


@dataclass(frozen=True)
class ErrorGroup:
    """The rows with one kind of problem (one message id): the first of them, how many, and the first lines."""

    example: RowError
    count: int
    lines: tuple[int | None, ...]


def group_errors(errors: Sequence[RowError], lines_kept: int = 10) -> list[ErrorGroup]:
    """The errors by kind, each kind where it first appears: a file with the same mistake in every row (a wrong
    column, a code list from another year) reads as one problem of 300,000 rows, not as 300,000 problems."""
    counts = Counter(error.text for error in errors)
    firsts: dict[str, list[RowError]] = {}
    for error in errors:
        kept = firsts.setdefault(error.text, [])
        if len(kept) < lines_kept:
            kept.append(error)
    return [ErrorGroup(kept[0], counts[text], tuple(error.line for error in kept)) for text, kept in firsts.items()]


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
            errors.append(RowError(None, N_("Columns “%(first)s” and “%(second)s” are the same field."),
                                   {"first": header_of[column.field], "second": header}))
            continue
        header_of[column.field] = header
    missing = [column.label_ja for column in columns if column.is_required and column.field not in header_of]
    if missing:
        errors.append(RowError(None, N_("Required columns are missing: %(columns)s"),
                               {"columns": join_values(missing)}))
    return header_of, errors


def cell(values: Mapping[str, str], header_of: Mapping[str, str], field: str) -> str:
    header = header_of.get(field)
    return values.get(header, "") if header else ""


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def control_character_errors(line: int, values: Mapping[str, str], header_of: Mapping[str, str]) -> list[RowError]:
    """Line breaks, tabs and other control characters in the columns read (a name pasted with its line
    break, a NUL from a broken export) are refused: no database keeps a NUL, and no name needs them."""
    return [RowError(line, N_("Column “%(column)s” contains a line break or another control character."),
                     {"column": header})
            for header in header_of.values()
            if _CONTROL_CHARACTERS.search(values.get(header, ""))]


def duplicate_error(line: int, column: str, value: str, first_line: int) -> RowError:
    return RowError(line, N_("%(column)s %(value)s appears more than once in the file (first on line %(first)d)."),
                    {"column": column, "value": value, "first": first_line})


def empty_error(line: int, column: str) -> RowError:
    return RowError(line, N_("%(column)s is empty."), {"column": column})


def check_length(errors: list[RowError], line: int, label: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.append(RowError(line, N_("%(column)s is too long (at most %(limit)d characters)."),
                               {"column": label, "limit": limit}))


def sample_table(columns: Sequence[Column], rows: Iterable[Mapping[str, str]]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a sample file: every column under the name messages use, in the planner's order."""
    return [column.label_ja for column in columns], [[row.get(column.field, "") for column in columns] for row in rows]


def join_values(values: Iterable[str]) -> str:
    """Values as they are written in a file (the same in every UI language), for a message."""
    return ", ".join(values)


def not_accepted_error(line: int, column: str, value: str, accepted: Sequence[str]) -> RowError:
    """An unknown coded value, with the values the column accepts so the admin can correct it."""
    if not accepted:
        return RowError(line, N_("%(column)s “%(value)s” cannot be used: no values are registered yet."),
                        {"column": column, "value": value})
    return RowError(line, N_("%(column)s “%(value)s” cannot be used. Accepted values: %(accepted)s"),
                    {"column": column, "value": value, "accepted": join_values(accepted)})
