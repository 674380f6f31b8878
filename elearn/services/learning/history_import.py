"""Past training records (研修履歴) from a file: preview, apply in one transaction, undo per file.

Imported records are completions with no course version: they count toward the KPI in the fiscal
year of their day, show on the person's history and the team page, and carry the file and line they
came from. Planning reads a fixed number of queries per 500 staff numbers in the file.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from elearn import db
from elearn.clock import TOKYO, today_in_japan, utcnow
from elearn.domain.fiscal import fiscal_year
from elearn.domain.people import Tier
from elearn.imports.columns import RowError, cell, match_columns, normalise_code
from elearn.imports.history_rows import (
    HISTORY_COLUMNS,
    HistoryRow,
    ParsedHistory,
    TrainingRef,
    parse_history_table,
    refuse_recorded,
)
from elearn.imports.reader import ImportFileError, Table, read_table
from elearn.imports.staff_rows import normalise_staff_number
from elearn.models import Certificate, Completion, Course, CourseVersion, HistoryImport, OrgUnit, TrainingEvent, User
from elearn.services import audit


@dataclass(frozen=True)
class HistoryPlan:
    filename: str
    sha256: str
    rows: list[HistoryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.rows)

    @property
    def people(self) -> int:
        return len({(row.body_code, row.staff_number) for row in self.rows})

    def by_year_and_tier(self) -> list[tuple[int, Tier, int]]:
        """Records per fiscal year and tier, oldest year first, senior tier first."""
        counts = Counter((fiscal_year(row.completed_on), row.tier) for row in self.rows)
        tier_order = {tier: index for index, tier in enumerate(Tier)}
        return [(year, tier, count) for (year, tier), count
                in sorted(counts.items(), key=lambda item: (item[0][0], tier_order[item[0][1]]))]

    def summary(self) -> dict[str, int]:
        return {"records": len(self.rows), "people": self.people, "error": len(self.errors)}


class HistoryImportRejected(Exception):
    """The file has errors, so nothing was changed; the plan lists them with line numbers."""

    def __init__(self, plan: HistoryPlan) -> None:
        super().__init__(f"history import rejected with {len(plan.errors)} error(s)")
        self.plan = plan


class UndoRefused(Exception):
    pass


def preview(data: bytes, filename: str) -> HistoryPlan:
    """What applying the file would add now (for --dry-run and the web preview)."""
    plan, _people = _plan(db.session(), data, filename)
    return plan


def apply(data: bytes, filename: str, actor: User | None) -> tuple[HistoryPlan, int | None]:
    """Add every record in one transaction, or raise HistoryImportRejected and change nothing.
    Returns the plan and the new import's id (None when the file held nothing to add)."""
    with db.write_session() as session:
        # Planned again under the write lock: records may have been added since the preview.
        plan, people = _plan(session, data, filename)
        if not plan.is_valid:
            raise HistoryImportRejected(plan)
        if not plan.has_changes:
            return plan, None
        batch = HistoryImport(filename=filename[:200], sha256=plan.sha256, imported_by_id=actor.id if actor else None,
                              records=len(plan.rows), people=plan.people)
        session.add(batch)
        session.flush()
        course_ids = dict(session.execute(select(Course.slug, Course.id)).all())
        event_ids = dict(session.execute(select(TrainingEvent.code, TrainingEvent.id)).all())
        db.insert_rows(session, Completion.__table__, [
            _completion(row, people[(row.body_code, row.staff_number)], course_ids.get(row.training),
                        event_ids.get(row.training), batch.id)
            for row in plan.rows])
        audit.record(session, actor, "import.history", filename[:200], batch=batch.id, **plan.summary())
    return plan, batch.id


def _completion(row: HistoryRow, person: _Person, course_id: int | None, event_id: int | None,
                batch_id: int) -> dict:
    return {
        "user_id": person.id, "course_id": course_id, "event_id": event_id, "course_version_id": None,
        "attempt_id": None,
        # Midnight in Japan: the day is all a record knows, and every report reads days in Japan time.
        "completed_at": datetime.combine(row.completed_on, time(), tzinfo=TOKYO),
        "fiscal_year": fiscal_year(row.completed_on), "body_id": person.body_id,
        "division_id": person.division_id, "grade_id": person.grade_id, "history_import_id": batch_id,
        "source_line": row.line, "tier": row.tier, "hours": row.hours, "completed_on": row.completed_on,
    }


@dataclass(frozen=True)
class _Person:
    id: int
    body_id: int
    division_id: int
    grade_id: int | None


def _plan(session: Session, data: bytes, filename: str) -> tuple[HistoryPlan, dict[tuple[str, str], _Person]]:
    digest = hashlib.sha256(data).hexdigest()
    try:
        table = read_table(data, filename)
    except ImportFileError as error:
        return HistoryPlan(filename, digest, errors=[RowError(None, error.text, error.params)]), {}
    people = _people_named(session, table)
    parsed = parse_history_table(table, people.keys(), _trainings(session), today_in_japan())
    parsed = refuse_recorded(parsed, _recorded(session, parsed, people))
    return HistoryPlan(filename, digest, parsed.rows, parsed.errors), people


def _people_named(session: Session, table: Table) -> dict[tuple[str, str], _Person]:
    """Everyone (leavers too) a row of the file names, by (body code, staff number). Looked up body by body: the
    unique index on (body, staff number) finds each one, where a staff number alone is no index and made every
    500 numbers a scan of all staff (30 s to preview 300,000 rows)."""
    header_of, _errors = match_columns(table, HISTORY_COLUMNS)  # the parser reports missing columns
    if not {"staff_number", "body_code"} <= header_of.keys():
        return {}
    numbers_of: dict[str, set[str]] = defaultdict(set)
    for row in table.rows:
        number = normalise_staff_number(cell(row.values, header_of, "staff_number"))
        if number:
            numbers_of[normalise_code(cell(row.values, header_of, "body_code"))].add(number)
    body_ids = {code: body_id for codes in db.chunks(sorted(numbers_of)) for code, body_id in session.execute(
        select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(codes)))}
    found: dict[tuple[str, str], _Person] = {}
    for code, body_id in body_ids.items():
        for chunk in db.chunks(sorted(numbers_of[code])):
            for row in session.execute(
                    select(User.staff_number, User.id, User.division_id, User.grade_id)
                    .where(User.body_id == body_id, User.staff_number.in_(chunk))):
                found[(code, row.staff_number)] = _Person(row.id, body_id, row.division_id, row.grade_id)
    return found


def _trainings(session: Session) -> dict[str, TrainingRef]:
    """Every course a record may name (withdrawn ones too: past records are of past courses), with the
    tiers of its latest version."""
    latest = (select(CourseVersion.course_id, CourseVersion.tiers, CourseVersion.version)
              .order_by(CourseVersion.course_id, CourseVersion.version))
    tiers_of = {course_id: tiers for course_id, tiers, _version in session.execute(latest)}
    trainings = {slug.casefold(): TrainingRef(slug, frozenset(Tier(value) for value in tiers_of.get(course_id, [])))
                 for course_id, slug in session.execute(select(Course.id, Course.slug))}
    # An event counts for its KPI tier; one that counts for none takes the tiers it is written for.
    for code, kpi_tier, target_tiers in session.execute(
            select(TrainingEvent.code, TrainingEvent.kpi_tier, TrainingEvent.target_tiers)):
        tiers = frozenset({kpi_tier}) if kpi_tier else frozenset(Tier(value) for value in target_tiers or [])
        trainings.setdefault(code.casefold(), TrainingRef(code, tiers or frozenset(Tier), once=True))
    return trainings


def _recorded(session: Session, parsed: ParsedHistory,
              people: dict[tuple[str, str], _Person]) -> dict[tuple[str, str, str, int], date]:
    key_of = {people[(row.body_code, row.staff_number)].id: (row.body_code, row.staff_number) for row in parsed.rows}
    years_of_file = {fiscal_year(row.completed_on) for row in parsed.rows}
    recorded: dict[tuple[str, str, str, int], date] = {}
    for chunk in db.chunks(sorted(key_of)):
        for user_id, slug, year, completed_at in session.execute(
                select(Completion.user_id, Course.slug, Completion.fiscal_year, Completion.completed_at)
                .join(Course, Course.id == Completion.course_id).where(Completion.user_id.in_(chunk))):
            recorded[(*key_of[user_id], slug, year)] = completed_at.astimezone(TOKYO).date()
        # An event is completed once, whatever the year: every year of the file collides with it.
        for user_id, code, completed_at in session.execute(
                select(Completion.user_id, TrainingEvent.code, Completion.completed_at)
                .join(TrainingEvent, TrainingEvent.id == Completion.event_id).where(Completion.user_id.in_(chunk))):
            day = completed_at.astimezone(TOKYO).date()
            for year in years_of_file:
                recorded[(*key_of[user_id], code, year)] = day
    return recorded


# --- past imports -------------------------------------------------------------------------------------------------


def imports() -> list[HistoryImport]:
    """Every applied file, newest first."""
    return list(db.session().scalars(select(HistoryImport).order_by(HistoryImport.imported_at.desc(),
                                                                    HistoryImport.id.desc())))


def get(import_id: int) -> HistoryImport | None:
    return db.session().get(HistoryImport, import_id)


def certificates_of(import_id: int) -> list[Certificate]:
    """Certificates asked for from the file's records; undoing the file withdraws them."""
    return list(db.session().scalars(
        select(Certificate).join(Completion, Completion.id == Certificate.completion_id)
        .where(Completion.history_import_id == import_id).order_by(Certificate.serial)))


def undo(actor: User | None, import_id: int) -> int:
    """Remove every record the file added (and certificates issued from them), in one transaction; the
    import stays listed as undone. Returns how many records went."""
    with db.write_session() as session:
        batch = session.get(HistoryImport, import_id)
        if batch is None:
            raise UndoRefused("unknown import")
        if batch.undone_at is not None:
            raise UndoRefused("already undone")
        of_batch = select(Completion.id).where(Completion.history_import_id == import_id)
        serials = list(session.scalars(select(Certificate.serial).where(Certificate.completion_id.in_(of_batch))))
        # Replacements point at the certificates they replaced: clear the links before deleting.
        session.execute(update(Certificate).where(Certificate.completion_id.in_(of_batch))
                        .values(superseded_by_id=None))
        session.execute(delete(Certificate).where(Certificate.completion_id.in_(of_batch)))
        removed = session.execute(delete(Completion).where(Completion.history_import_id == import_id)).rowcount
        batch.undone_at = utcnow()
        batch.undone_by_id = actor.id if actor else None
        audit.record(session, actor, "import.history.undo", batch.filename, batch=batch.id, records=removed,
                     certificates=",".join(serials))
    return removed

