"""Past training records (研修履歴) in a file: the rows an import would add, or every reason it is refused.

Pure, like the staff planner: the caller passes what the database knows (staff by body and number,
leavers included; the names of courses and training events) and the day the import runs. The file is
all or nothing: one bad row refuses it, and every bad row is named with its line.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from elearn.domain.fiscal import parse_date
from elearn.domain.people import Tier
from elearn.imports.columns import (
    Column,
    RowError,
    cell,
    control_character_errors,
    empty_error,
    match_columns,
    normalise_code,
    not_accepted_error,
)
from elearn.imports.messages import N_
from elearn.imports.reader import Table
from elearn.imports.staff_rows import accepted_tier_names, normalise_staff_number, tier_named

HISTORY_COLUMNS = (
    Column("staff_number", "職員番号", ("staff_number", "staff_no"), is_required=True),
    Column("body_code", "団体コード", ("body", "body_code"), is_required=True),
    Column("training", "研修名", ("training",), is_required=True),
    Column("completed_on", "修了日", ("completed_on",), is_required=True),
    Column("tier", "研修区分", ("tier",), is_required=True),
    Column("hours", "時間", ("hours",)),
)
# Records older than this are not training this programme counts (and are most likely a typo).
EARLIEST = date(2000, 4, 1)
MAX_HOURS = Decimal(100)


@dataclass(frozen=True)
class HistoryRow:
    line: int
    body_code: str
    staff_number: str
    training: str  # the catalogue's own spelling of the course slug or event code
    completed_on: date
    tier: Tier
    hours: Decimal | None


@dataclass
class ParsedHistory:
    rows: list[HistoryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_history_table(table: Table, staff: Collection[tuple[str, str]], trainings: Mapping[str, str],
                        today: date) -> ParsedHistory:
    """`staff` holds (body code, staff number) of everyone stored, leavers too (their training still counts);
    `trainings` maps each course slug and event code, casefolded, to its own spelling."""
    header_of, file_errors = match_columns(table, HISTORY_COLUMNS)
    if file_errors:
        return ParsedHistory(errors=file_errors)
    if not table.rows:
        return ParsedHistory(errors=[RowError(None, N_("The file has no data rows."))])
    parsed = ParsedHistory()
    first_line: dict[tuple[str, str, str, date], int] = {}
    for table_row in table.rows:
        values = {name: cell(table_row.values, header_of, name) for name in header_of}
        row, errors = _parse_row(table_row.line, values, staff, trainings, today)
        errors = [*control_character_errors(table_row.line, table_row.values, header_of), *errors]
        if row is not None:
            key = (row.body_code, row.staff_number, row.training, row.completed_on)
            if key in first_line:
                errors.append(RowError(row.line, N_("The same record is on line %(first)d."),
                                       {"first": first_line[key]}))
            first_line.setdefault(key, row.line)
        if errors:
            parsed.errors.extend(errors)
        elif row is not None:
            parsed.rows.append(row)
    return parsed


def _parse_row(line: int, values: Mapping[str, str], staff: Collection[tuple[str, str]],
               trainings: Mapping[str, str], today: date) -> tuple[HistoryRow | None, list[RowError]]:
    errors: list[RowError] = []
    staff_number = normalise_staff_number(values.get("staff_number", ""))
    body_code = normalise_code(values.get("body_code", ""))
    for label, value in (("職員番号", staff_number), ("団体コード", body_code)):
        if not value:
            errors.append(empty_error(line, label))
    if staff_number and body_code and (body_code, staff_number) not in staff:
        errors.append(RowError(line, N_("Staff number %(number)s of body %(body)s was not found."),
                               {"number": staff_number, "body": body_code}))

    training_text = normalise_code(values.get("training", ""))
    training = trainings.get(training_text.casefold())
    if not training_text:
        errors.append(empty_error(line, "研修名"))
    elif training is None:
        errors.append(RowError(line, N_("%(column)s “%(value)s” is neither a course nor a training event."),
                               {"column": "研修名", "value": training_text}))

    completed_on = _completed_on(line, values.get("completed_on", ""), today, errors)

    tier_text = values.get("tier", "").strip()
    tier = tier_named(tier_text) if tier_text else None
    if not tier_text:
        errors.append(empty_error(line, "研修区分"))
    elif tier is None:
        errors.append(not_accepted_error(line, "研修区分", tier_text, accepted_tier_names()))

    hours = _hours(line, values.get("hours", ""), errors)
    if errors or training is None or completed_on is None or tier is None:
        return None, errors
    return HistoryRow(line, body_code, staff_number, training, completed_on, tier, hours), errors


def _completed_on(line: int, text: str, today: date, errors: list[RowError]) -> date | None:
    if not text.strip():
        errors.append(empty_error(line, "修了日"))
        return None
    try:
        day = parse_date(text)
    except ValueError:
        errors.append(RowError(line, N_("%(column)s “%(value)s” is not a date (write it as %(examples)s)."),
                               {"column": "修了日", "value": text.strip(),
                                "examples": "2022-06-15, 2022/6/15, 令和4年6月15日"}))
        return None
    if day > today:
        errors.append(RowError(line, N_("%(column)s %(value)s is in the future."),
                               {"column": "修了日", "value": day.isoformat()}))
    elif day < EARLIEST:
        errors.append(RowError(line, N_("%(column)s %(value)s is before %(earliest)s."),
                               {"column": "修了日", "value": day.isoformat(), "earliest": EARLIEST.isoformat()}))
    return day


def _hours(line: int, text: str, errors: list[RowError]) -> Decimal | None:
    cleaned = normalise_code(text).removesuffix("時間")
    if not cleaned:
        return None
    try:
        hours = Decimal(cleaned)
    except InvalidOperation:
        hours = None
    if hours is None or not hours.is_finite() or not Decimal(0) < hours <= MAX_HOURS:
        errors.append(RowError(line, N_("%(column)s “%(value)s” must be a number of hours above 0 and at most "
                                        "%(most)s."),
                               {"column": "時間", "value": text.strip(), "most": str(MAX_HOURS)}))
        return None
    return hours
