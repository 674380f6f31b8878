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

from elearn.domain.fiscal import fiscal_year, parse_date
from elearn.domain.people import TIER_NAMES_JA, Tier
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


def sample_rows(body_code: str, staff_number: str, course_slug: str, tier: Tier | None) -> list[dict[str, str]]:
    """The downloadable sample (by field), naming a real person and course and a tier the course trains,
    with a day written two ways."""
    tier_name = TIER_NAMES_JA[tier] if tier else ""
    return [
        {"staff_number": staff_number, "body_code": body_code, "training": course_slug,
         "completed_on": "令和4年6月15日", "tier": tier_name, "hours": "1.5"},
        {"staff_number": staff_number, "body_code": body_code, "training": course_slug,
         "completed_on": "2023/6/20", "tier": tier_name, "hours": "2"},
    ]


@dataclass(frozen=True)
class TrainingRef:
    """A course or training event a record may name."""

    code: str  # the catalogue's own spelling of the course slug or event code
    tiers: frozenset[Tier]  # the tiers it trains; a record counts for one of them
    once: bool = False  # a training event: completed once, not once a year


@dataclass(frozen=True)
class HistoryRow:
    line: int
    body_code: str
    staff_number: str
    training: str  # TrainingRef.code
    completed_on: date
    tier: Tier
    hours: Decimal | None


@dataclass
class ParsedHistory:
    rows: list[HistoryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_history_table(table: Table, staff: Collection[tuple[str, str]], trainings: Mapping[str, TrainingRef],
                        today: date) -> ParsedHistory:
    """`staff` holds (body code, staff number) of everyone stored, leavers too (their training still counts);
    `trainings` maps each course slug and event code, casefolded, to what it is.

    A training is completed once per person and fiscal year (a recurring course again in a later year), so
    two rows of one person, training and fiscal year are refused, whatever their days."""
    header_of, file_errors = match_columns(table, HISTORY_COLUMNS)
    if file_errors:
        return ParsedHistory(errors=file_errors)
    if not table.rows:
        return ParsedHistory(errors=[RowError(None, N_("The file has no data rows."))])
    parsed = ParsedHistory()
    first_line: dict[tuple[str, str, str, int | None], int] = {}
    once = {training.code for training in trainings.values() if training.once}
    for table_row in table.rows:
        values = {name: cell(table_row.values, header_of, name) for name in header_of}
        row, errors = _parse_row(table_row.line, values, staff, trainings, today)
        errors = [*control_character_errors(table_row.line, table_row.values, header_of), *errors]
        if row is not None:
            year = None if row.training in once else fiscal_year(row.completed_on)
            key = (row.body_code, row.staff_number, row.training, year)
            if key in first_line:
                message = (N_("The same training event is on line %(first)d.") if year is None
                           else N_("The same training in the same fiscal year is on line %(first)d."))
                errors.append(RowError(row.line, message, {"first": first_line[key]}))
            first_line.setdefault(key, row.line)
        if errors:
            parsed.errors.extend(errors)
        elif row is not None:
            parsed.rows.append(row)
    return parsed


def _parse_row(line: int, values: Mapping[str, str], staff: Collection[tuple[str, str]],
               trainings: Mapping[str, TrainingRef], today: date) -> tuple[HistoryRow | None, list[RowError]]:
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
    elif training is not None and tier not in training.tiers:
        # Otherwise a file could count a basic course toward the DX-manager figure.
        errors.append(RowError(line, N_("%(training)s does not train %(column)s “%(value)s”."),
                               {"training": training.code, "column": "研修区分", "value": tier_text}))

    hours = _hours(line, values.get("hours", ""), errors)
    if errors or training is None or completed_on is None or tier is None:
        return None, errors
    return HistoryRow(line, body_code, staff_number, training.code, completed_on, tier, hours), errors


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


# (body code, staff number, training code, fiscal year) -> the day already on record
Recorded = Mapping[tuple[str, str, str, int], date]


def refuse_recorded(parsed: ParsedHistory, recorded: Recorded) -> ParsedHistory:
    """Rows whose person already has the training in that fiscal year (completed here, or imported
    before: a file applied twice) are refused like any bad row."""
    kept: list[HistoryRow] = []
    errors = list(parsed.errors)
    for row in parsed.rows:
        day = recorded.get((row.body_code, row.staff_number, row.training, fiscal_year(row.completed_on)))
        if day is None:
            kept.append(row)
        else:
            errors.append(RowError(row.line, N_("Staff number %(number)s already has %(training)s on record in the "
                                                "same fiscal year (completed %(day)s)."),
                                   {"number": row.staff_number, "training": row.training, "day": day.isoformat()}))
    errors.sort(key=lambda error: (error.line or 0))
    return ParsedHistory(kept, errors)
