"""Parse and validate the rows of a staff file, before comparing them with the database."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from elearn.domain.people import ASSIGNABLE_TIERS, TIER_NAMES_JA, Tier
from elearn.imports.columns import (
    Column,
    RowError,
    cell,
    check_length,
    control_character_errors,
    duplicate_error,
    empty_error,
    match_columns,
    normalise_code,
    not_accepted_error,
)
from elearn.imports.messages import N_
from elearn.imports.reader import Table

STAFF_COLUMNS = (
    Column("staff_number", "職員番号", ("staff_number", "staff_no"), is_required=True),
    Column("name", "氏名", ("name",), is_required=True),
    Column("kana", "ふりがな", ("kana", "フリガナ")),
    Column("email", "メール", ("email", "メールアドレス", "e-mail")),
    Column("division_code", "所属コード", ("division_code",), is_required=True),
    Column("grade", "職位", ("grade",)),
    Column("tiers", "研修区分", ("tiers",)),
)
# Columns that may be left out: the import then keeps that field of existing staff as it is.
OPTIONAL_FIELDS = frozenset({"kana", "email", "grade", "tiers"})

# Lengths of the users table columns, checked here so the admin gets a line number, not a DB error.
MAX_STAFF_NUMBER, MAX_NAME, MAX_KANA, MAX_EMAIL = 32, 100, 100, 254

# After NFKC, full-width ；，and half-width ､ have become ; , and 、.
_TIER_SEPARATOR = re.compile(r"[;,、]")
_TIER_BY_NAME = {
    **{normalise_code(name).casefold(): tier for tier, name in TIER_NAMES_JA.items()},
    **{tier.value: tier for tier in Tier},
}


def tier_named(text: str) -> Tier | None:
    """One tier as a 研修区分 cell names it (全職員 included), or None."""
    return _TIER_BY_NAME.get(normalise_code(text).casefold())


def accepted_tier_names() -> list[str]:
    """What the 研修区分 column accepts, Japanese names first (全職員 is accepted and means nothing extra)."""
    return [*TIER_NAMES_JA.values(), *(tier.value for tier in Tier)]


def sample_rows(division_code: str, grade: str | None) -> list[dict[str, str]]:
    """The downloadable sample (by field; the columns come from STAFF_COLUMNS), placed in a real unit so
    it passes the check as it is."""
    return [
        {"staff_number": "S0001", "name": "見本 太郎", "kana": "みほん たろう", "email": "",
         "division_code": division_code, "grade": grade or "",
         "tiers": "、".join(TIER_NAMES_JA[tier] for tier in ASSIGNABLE_TIERS[:2])},
        {"staff_number": "S0002", "name": "見本 花子", "kana": "みほん はなこ", "email": "",
         "division_code": division_code, "grade": "", "tiers": ""},
    ]
# A syntax check only: one @, no spaces, a dotted domain. Whether the mailbox exists is not ours to know.
_EMAIL = re.compile(r"[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+")


@dataclass(frozen=True)
class DivisionRef:
    """An organisation unit staff can be placed in, with the body (top-level unit) above it."""

    code: str
    id: int
    body_code: str
    is_body: bool = False
    is_active: bool = True


class StaffRow(NamedTuple):
    """A valid row. Optional fields whose column is absent hold their empty value; see ParsedStaff.fields.
    A named tuple, as a prefecture's file makes 300,000 of them: several times quicker to build than a frozen
    dataclass."""

    line: int
    staff_number: str
    name: str
    kana: str
    email: str | None
    division_code: str
    division_id: int
    body_code: str
    grade: str | None
    tiers: frozenset[Tier]


@dataclass
class ParsedStaff:
    rows: list[StaffRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    fields: frozenset[str] = frozenset()  # optional fields whose column is in the file

    @property
    def covered_bodies(self) -> frozenset[str]:
        """Bodies the file speaks for: only their missing staff may be deactivated."""
        return frozenset(row.body_code for row in self.rows)

    @property
    def emails(self) -> frozenset[str]:
        return frozenset(row.email for row in self.rows if row.email)


def normalise_staff_number(text: str) -> str:
    # Lower-cased because sign-in lower-cases what is typed (elearn.services.accounts).
    return normalise_code(text).lower()


def parse_tiers(text: str) -> tuple[frozenset[Tier], list[str]]:
    """Assigned tiers named in a cell, and the names not understood. 全職員 is everyone's: dropped."""
    tiers: set[Tier] = set()
    unknown: list[str] = []
    for part in _TIER_SEPARATOR.split(normalise_code(text)):
        name = part.strip()
        if not name:
            continue
        tier = _TIER_BY_NAME.get(name.casefold())
        if tier is None:
            unknown.append(name)
        elif tier != Tier.ALL_STAFF:
            tiers.add(tier)
    return frozenset(tiers), unknown


def parse_staff_table(table: Table, divisions: Mapping[str, DivisionRef], grades: Sequence[str]) -> ParsedStaff:
    """Rows and bad rows; `grades` are the registered ones, in the order an error lists them."""
    header_of, file_errors = match_columns(table, STAFF_COLUMNS)
    if file_errors:
        return ParsedStaff(errors=file_errors)
    if not table.rows:
        return ParsedStaff(errors=[RowError(None, N_("The file has no data rows."))])
    parsed = ParsedStaff(fields=OPTIONAL_FIELDS & header_of.keys())
    grade_by_key = {normalise_code(grade): grade for grade in grades}
    first_line_of_number: dict[tuple[str, str], int] = {}
    first_line_of_email: dict[str, int] = {}
    for table_row in table.rows:
        values = {name: cell(table_row.values, header_of, name) for name in header_of}
        row, errors = _parse_row(table_row.line, values, divisions, grade_by_key)
        errors = [*control_character_errors(table_row.line, table_row.values, header_of), *errors]
        if row is not None:
            key = (row.body_code, row.staff_number)
            if key in first_line_of_number:
                first_line = first_line_of_number[key]
                errors.append(duplicate_error(row.line, "職員番号", row.staff_number, first_line))
            first_line_of_number.setdefault(key, row.line)
            if row.email and row.email in first_line_of_email:
                first_line = first_line_of_email[row.email]
                errors.append(duplicate_error(row.line, "メールアドレス", row.email, first_line))
            if row.email:
                first_line_of_email.setdefault(row.email, row.line)
        if errors:
            parsed.errors.extend(errors)
        elif row is not None:
            parsed.rows.append(row)
    return parsed


def _parse_row(
    line: int,
    values: Mapping[str, str],
    divisions: Mapping[str, DivisionRef],
    grade_by_key: Mapping[str, str],
) -> tuple[StaffRow | None, list[RowError]]:
    """The row if it can be placed (it may still carry errors), and every reason it is refused."""
    errors: list[RowError] = []
    staff_number = normalise_staff_number(values.get("staff_number", ""))
    if not staff_number:
        errors.append(empty_error(line, "職員番号"))
    elif "@" in staff_number:
        # Sign-in would take it for an email.
        errors.append(RowError(line, N_("A staff number cannot contain @.")))
    check_length(errors, line, "職員番号", staff_number, MAX_STAFF_NUMBER)

    name = values.get("name", "")  # kept exactly as written: 髙 and 﨑 are not 高 and 崎
    if not name:
        errors.append(empty_error(line, "氏名"))
    check_length(errors, line, "氏名", name, MAX_NAME)
    kana = values.get("kana", "")
    check_length(errors, line, "ふりがな", kana, MAX_KANA)

    email = normalise_code(values.get("email", "")).lower() or None
    if email is not None and (len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email)):
        shown = email if len(email) <= 60 else email[:60] + "…"
        errors.append(RowError(line, N_("Email address %(email)s is not valid."), {"email": shown}))

    division = _division(line, normalise_code(values.get("division_code", "")), divisions, errors)

    grade_text = values.get("grade", "")
    grade = grade_by_key.get(normalise_code(grade_text)) if grade_text else None
    if grade_text and grade is None:
        errors.append(not_accepted_error(line, "職位", grade_text, list(grade_by_key.values())))

    tiers, unknown_tiers = parse_tiers(values.get("tiers", ""))
    errors.extend(not_accepted_error(line, "研修区分", name, accepted_tier_names()) for name in unknown_tiers)

    if division is None or not staff_number:
        return None, errors
    row = StaffRow(
        line=line, staff_number=staff_number, name=name, kana=kana, email=email,
        division_code=division.code, division_id=division.id, body_code=division.body_code,
        grade=grade, tiers=tiers,
    )
    return row, errors


def _division(
    line: int, code: str, divisions: Mapping[str, DivisionRef], errors: list[RowError]
) -> DivisionRef | None:
    division = divisions.get(code)
    if not code:
        errors.append(empty_error(line, "所属コード"))
    elif division is None:
        errors.append(RowError(line, N_("Unit code %(code)s was not found."), {"code": code}))
    elif division.is_body:
        message = N_("Unit code %(code)s is the code of a body: give the code of a department or division.")
        errors.append(RowError(line, message, {"code": code}))
    elif not division.is_active:
        errors.append(RowError(line, N_("Unit code %(code)s has been abolished."), {"code": code}))
    else:
        return division
    return None
