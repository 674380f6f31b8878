"""Staff and organisation imports: snapshot the database, plan with the pure planners, apply in one go.

Planning reads a fixed number of queries whatever the file's size; applying inserts new staff in
bulk and loads only the staff that change.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, raiseload

from elearn import db
from elearn.clock import utcnow
from elearn.domain.passwords import random_password
from elearn.domain.people import BODY_KINDS, Tier
from elearn.imports.columns import RowError
from elearn.imports.org_plan import ExistingUnit, OrgPlan, plan_org_import
from elearn.imports.reader import ImportFileError, Table, read_table
from elearn.imports.staff_plan import DivisionRef, ExistingStaff, StaffPlan, plan_parsed_staff
from elearn.imports.staff_rows import ParsedStaff, StaffRow, parse_staff_table
from elearn.models import Grade, OrgUnit, StaffTier, User
from elearn.services import audit
from elearn.services.people.passwords import hash_random_password


class ImportRejected(Exception):
    """The file has errors, so nothing was changed; the plan lists them with line numbers."""

    def __init__(self, plan: StaffPlan | OrgPlan) -> None:
        super().__init__(f"import rejected with {len(plan.errors)} error(s)")
        self.plan = plan


class InitialPassword(NamedTuple):
    """A new account's initial password, to be shown or written out once and then forgotten."""

    body_code: str
    staff_number: str
    name: str
    email: str | None
    password: str
    expires_at: datetime


@dataclass(frozen=True)
class StaffImportResult:
    plan: StaffPlan
    initial_passwords: list[InitialPassword]  # empty when passwords were not issued


def _file_error(error: ImportFileError) -> RowError:
    return RowError(None, error.text, error.params)


# --- staff ---------------------------------------------------------------------------------------


def preview_staff_import(data: bytes, filename: str, deactivate_missing: bool = False) -> StaffPlan:
    """What applying the file would do now (for --dry-run and the web preview)."""
    try:
        table = read_table(data, filename)
    except ImportFileError as error:
        return StaffPlan.rejected_file(_file_error(error))
    plan, _units = _plan_staff(db.session(), table, deactivate_missing)
    return plan


def apply_staff_import(
    data: bytes,
    filename: str,
    actor: User | None,
    deactivate_missing: bool = False,
    issue_passwords: bool = True,
) -> StaffImportResult:
    """Apply the file in one transaction, or raise ImportRejected and change nothing.

    With issue_passwords=False new accounts get no password (argon2id costs 50-120 ms each) and cannot
    sign in until an admin issues one.
    """
    try:
        table = read_table(data, filename)
    except ImportFileError as error:
        raise ImportRejected(StaffPlan.rejected_file(_file_error(error))) from error
    prepared: dict[tuple[str, str], tuple[str, str]] = {}
    for attempt in range(2):
        try:
            with db.write_session() as session:
                # Planned again under the write lock: the state may have changed since the preview.
                plan, units = _plan_staff(session, table, deactivate_missing)
                if not plan.is_valid:
                    raise ImportRejected(plan)
                if not plan.has_changes:
                    return StaffImportResult(plan, [])
                unhashed = [row for row in plan.creates if _key(row) not in prepared]
                if issue_passwords and attempt == 0 and len(unhashed) > HASHED_IN_TRANSACTION:
                    raise _HashFirst(unhashed)
                _apply_staff_changes(session, plan, units)
                initial_passwords = _create_staff(session, plan.creates, units, issue_passwords, prepared)
                audit.record(
                    session, actor, "import.staff", filename[:200], **plan.summary(),
                    deactivate_missing=deactivate_missing, issue_passwords=issue_passwords,
                )
            return StaffImportResult(plan, initial_passwords)
        except _HashFirst as first:  # rolled back: nothing written, the lock released while hashing
            prepared.update(_hash_initial_passwords(first.rows))
    raise AssertionError("the second attempt hashes in its transaction")


@dataclass(frozen=True)
class _Units:
    """Every organisation unit by code, with its body, and the grades; one query each."""

    divisions: dict[str, DivisionRef]
    grade_ids: dict[str, int]

    def id_of(self, code: str) -> int:
        return self.divisions[code].id


def _load_units(session: Session) -> _Units:
    units = session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.kind, OrgUnit.parent_id, OrgUnit.is_active)
    ).all()
    by_id = {unit.id: unit for unit in units}

    def body_code(unit_id: int) -> str:
        seen = set()
        unit = by_id[unit_id]
        while unit.parent_id is not None and unit.parent_id in by_id and unit.id not in seen:
            seen.add(unit.id)
            unit = by_id[unit.parent_id]
        return unit.code

    divisions = {
        unit.code: DivisionRef(
            code=unit.code, id=unit.id, body_code=body_code(unit.id),
            is_body=unit.kind in BODY_KINDS, is_active=unit.is_active,
        )
        for unit in units
    }
    # In display order: a refused grade's message lists the registered ones in this order.
    grade_ids = {grade.name: grade.id
                 for grade in session.execute(select(Grade.id, Grade.name).order_by(Grade.sort_order, Grade.id))}
    return _Units(divisions, grade_ids)


def _plan_staff(session: Session, table: Table, deactivate_missing: bool) -> tuple[StaffPlan, _Units]:
    units = _load_units(session)
    parsed = parse_staff_table(table, units.divisions, list(units.grade_ids))
    existing = _existing_staff(session, parsed, units)
    return plan_parsed_staff(parsed, existing, deactivate_missing), units


_STAFF_COLUMNS = (
    User.id, User.body_id, User.staff_number, User.name, User.kana, User.email,
    User.division_id, User.grade_id, User.is_active,
)


def _existing_staff(session: Session, parsed: ParsedStaff, units: _Units) -> list[ExistingStaff]:
    """All staff of the covered bodies, plus anyone elsewhere holding an email the file uses."""
    code_of = {ref.id: ref.code for ref in units.divisions.values()}
    grade_of = {grade_id: name for name, grade_id in units.grade_ids.items()}
    body_ids = [units.id_of(code) for code in sorted(parsed.covered_bodies)]
    if not body_ids:
        return []
    tiers_of: dict[int, set[Tier]] = defaultdict(set)
    tier_rows = session.execute(
        select(StaffTier.user_id, StaffTier.tier).join(User).where(User.body_id.in_(body_ids))
    )
    for user_id, tier in tier_rows:
        tiers_of[user_id].add(tier)
    rows = list(session.execute(select(*_STAFF_COLUMNS).where(User.body_id.in_(body_ids))))
    emails_elsewhere = sorted(parsed.emails - {row.email for row in rows})
    for chunk in db.chunks(emails_elsewhere):
        # Their tiers are left empty: they are outside the file's bodies, so never compared.
        rows += session.execute(
            select(*_STAFF_COLUMNS).where(User.email.in_(chunk), User.body_id.not_in(body_ids))
        ).all()
    # Unpacked by position (the order of _STAFF_COLUMNS): reading 300,000 rows' fields by name costs seconds.
    return [
        ExistingStaff(user_id, code_of[body_id], staff_number, name, kana, email, code_of[division_id],
                      grade_of.get(grade_id) if grade_id else None, frozenset(tiers_of.get(user_id, ())), is_active)
        for user_id, body_id, staff_number, name, kana, email, division_id, grade_id, is_active in rows
    ]


def _apply_staff_changes(session: Session, plan: StaffPlan, units: _Units) -> None:
    user_ids = {update.existing.id for update in (*plan.updates, *plan.reactivations)}
    user_ids |= {staff.id for staff in plan.deactivations}
    users = _users_by_id(session, user_ids)
    # Addresses may move between people (a swap, or one freed for a newcomer); clear the changing
    # ones first so no intermediate state breaks the unique constraint.
    email_updates = [update for update in plan.updates if "email" in update.changed_fields]
    for update in email_updates:
        users[update.existing.id].email = None
    if email_updates:
        session.flush()
    for update in plan.updates:
        user, row = users[update.existing.id], update.row
        fields = update.changed_fields
        if "name" in fields:
            user.name = row.name
        if "kana" in fields:
            user.kana = row.kana
        if "email" in fields:
            user.email = row.email
        if "division_code" in fields:
            user.division_id = row.division_id  # a move: history stays with the person
        if "grade" in fields:
            user.grade_id = units.grade_ids[row.grade] if row.grade else None
        if "tiers" in fields:
            _replace_tiers(user, row.tiers)
    for update in plan.reactivations:
        users[update.existing.id].is_active = True
    for staff in plan.deactivations:
        user = users[staff.id]
        user.is_active = False
        user.rotate_session_token()  # ends their sessions now, not when the cookie expires


def _users_by_id(session: Session, user_ids: Iterable[int]) -> dict[int, User]:
    users: dict[int, User] = {}
    for chunk in db.chunks(sorted(user_ids)):
        query = select(User).where(User.id.in_(chunk)).options(raiseload(User.grants))
        users.update((user.id, user) for user in session.scalars(query))
    return users


def _replace_tiers(user: User, tiers: frozenset[Tier]) -> None:
    # Keep the rows that stay: deleting and re-adding the same (user, tier) key in one flush
    # would rely on SQLAlchemy's row switch.
    kept = [row for row in user.tier_rows if row.tier in tiers]
    added = sorted(tiers - {row.tier for row in kept})
    user.tier_rows = kept + [StaffTier(tier=tier) for tier in added]


# Initial passwords hashed inside the write transaction at most: half a millisecond each. More, and the
# transaction is rolled back, the passwords hashed outside it and the file applied again: a whole prefecture's
# first import hashes for minutes, and on SQLite the transaction holds the one write lock of the database, so
# every quiz submit of the site would wait for it (and give up after ten seconds).
HASHED_IN_TRANSACTION = 1_000


class _HashFirst(Exception):
    def __init__(self, rows: Sequence[StaffRow]) -> None:
        super().__init__(f"{len(rows)} initial passwords to hash first")
        self.rows = rows


def _hash_initial_passwords(rows: Sequence[StaffRow]) -> dict[tuple[str, str], tuple[str, str]]:
    """(body code, staff number) -> (initial password, its hash)."""
    prepared = {}
    for row in rows:
        password = random_password()
        prepared[_key(row)] = (password, hash_random_password(password))
    return prepared


def _key(row: StaffRow) -> tuple[str, str]:
    return row.body_code, row.staff_number


def _create_staff(
    session: Session, rows: Sequence[StaffRow], units: _Units, issue_passwords: bool,
    prepared: Mapping[tuple[str, str], tuple[str, str]] | None = None,
) -> list[InitialPassword]:
    """Insert new staff in bulk (one executemany, not an ORM object each) with their tiers. Passwords come from
    `prepared` (hashed beforehand); anyone it lacks (the file's plan changed since) gets one made here."""
    if not rows:
        return []
    now = utcnow()
    expires_at = now + timedelta(days=current_app.config["INITIAL_PASSWORD_DAYS"])
    made: dict[tuple[str, str], tuple[str, str]] = {}
    if issue_passwords:
        prepared = prepared or {}
        made = {**_hash_initial_passwords([row for row in rows if _key(row) not in prepared]), **prepared}
    hashed = [made.get(_key(row)) for row in rows]  # (password, hash), or None when none is issued
    values = [
        {
            "body_id": units.id_of(row.body_code),
            "staff_number": row.staff_number,
            "name": row.name,
            "kana": row.kana,
            "email": row.email,
            "division_id": row.division_id,
            "grade_id": units.grade_ids[row.grade] if row.grade else None,
            "is_active": True,
            "password_hash": pair[1] if pair else None,
            "password_expires_at": expires_at if pair else None,
            "must_change_password": True,
            "session_token": secrets.token_urlsafe(32),
            "created_at": now,
            "updated_at": now,
        }
        for row, pair in zip(rows, hashed, strict=True)
    ]
    new_id = _insert_people(session, values)
    tier_values = [
        {"user_id": new_id[(value["body_id"], row.staff_number)], "tier": tier}
        for row, value in zip(rows, values, strict=True)
        for tier in sorted(row.tiers)
    ]
    db.insert_rows(session, StaffTier.__table__, tier_values)
    return [
        InitialPassword(row.body_code, row.staff_number, row.name, row.email, pair[0], expires_at)
        for row, pair in zip(rows, hashed, strict=True)
        if pair is not None
    ]


def _insert_people(session: Session, values: list[dict]) -> dict[tuple[int, str], int]:
    """Insert the new people; (body id, staff number) -> each one's new id. The ids are matched back through
    that key: RETURNING in parameter order would make SQLite insert row by row (it has no sentinel column),
    and PostgreSQL's rows go in by COPY, which returns nothing."""
    if session.get_bind().dialect.name != "postgresql":
        inserted = session.execute(insert(User).returning(User.id, User.body_id, User.staff_number), values)
        return {(body_id, staff_number): user_id for user_id, body_id, staff_number in inserted}
    db.insert_rows(session, User.__table__, values)
    found = session.execute(text(
        "SELECT users.id, users.body_id, users.staff_number FROM users"
        " JOIN unnest(CAST(:bodies AS integer[]), CAST(:numbers AS text[])) AS new (body_id, staff_number)"
        " ON users.body_id = new.body_id AND users.staff_number = new.staff_number"),
        {"bodies": [value["body_id"] for value in values], "numbers": [value["staff_number"] for value in values]})
    return {(body_id, staff_number): user_id for user_id, body_id, staff_number in found}


# --- organisation units --------------------------------------------------------------------------


def preview_org_import(data: bytes, filename: str) -> OrgPlan:
    try:
        table = read_table(data, filename)
    except ImportFileError as error:
        return OrgPlan.rejected_file(_file_error(error))
    return plan_org_import(table, _existing_units(_all_units(db.session())))


def apply_org_import(data: bytes, filename: str, actor: User | None) -> OrgPlan:
    """Apply the file in one transaction, or raise ImportRejected and change nothing."""
    try:
        table = read_table(data, filename)
    except ImportFileError as error:
        raise ImportRejected(OrgPlan.rejected_file(_file_error(error))) from error
    with db.write_session() as session:
        units = _all_units(session)
        plan = plan_org_import(table, _existing_units(units))
        if not plan.is_valid:
            raise ImportRejected(plan)
        if not plan.has_changes:
            return plan
        by_code = {unit.code: unit for unit in units}
        for row in plan.creates:  # parents come first, so by_code already holds them
            unit = OrgUnit(code=row.code, name=row.name, kind=row.kind, is_active=True)
            unit.parent = by_code[row.parent_code] if row.parent_code else None
            session.add(unit)
            by_code[row.code] = unit
        for rename in plan.renames:
            by_code[rename.code].name = rename.new_name  # same code, same row: history is kept
        for reparent in plan.reparents:
            by_code[reparent.code].parent = by_code[reparent.new_parent_code]
        for row in plan.reactivations:
            by_code[row.code].is_active = True
        audit.record(session, actor, "import.orgs", filename[:200], **plan.summary())
    return plan


def _all_units(session: Session) -> list[OrgUnit]:
    return list(session.scalars(select(OrgUnit)))


def _existing_units(units: Sequence[OrgUnit]) -> list[ExistingUnit]:
    code_of = {unit.id: unit.code for unit in units}
    return [
        ExistingUnit(
            id=unit.id, code=unit.code, name=unit.name, kind=unit.kind,
            parent_code=code_of.get(unit.parent_id) if unit.parent_id else None, is_active=unit.is_active,
        )
        for unit in units
    ]
