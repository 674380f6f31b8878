"""Compare a staff file with the staff already stored: what an import would create, change or deactivate.

Pure: the service passes plain snapshots of the database in and applies the plan it gets back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from elearn.domain.people import ASSIGNABLE_TIERS, TIER_NAMES_JA, Tier
from elearn.imports.columns import RowError
from elearn.imports.messages import N_
from elearn.imports.reader import Table
from elearn.imports.staff_rows import (
    DivisionRef,
    ParsedStaff,
    StaffRow,
    normalise_staff_number,
    parse_staff_table,
    parse_tiers,
)

__all__ = [
    "DivisionRef",
    "ExistingStaff",
    "FieldChange",
    "StaffPlan",
    "StaffRow",
    "StaffUpdate",
    "parse_staff_table",
    "parse_tiers",
    "plan_parsed_staff",
    "plan_staff_import",
]


class ExistingStaff(NamedTuple):
    """A stored member of staff as the planner needs them; tiers are the assigned ones only. A named tuple:
    a prefecture has 300,000 (see StaffRow)."""

    id: int
    body_code: str
    staff_number: str
    name: str
    kana: str
    email: str | None
    division_code: str
    grade: str | None
    tiers: frozenset[Tier]
    is_active: bool


@dataclass(frozen=True)
class FieldChange:
    field: str  # a StaffRow attribute: name, kana, email, division_code, grade or tiers
    old: str
    new: str


@dataclass(frozen=True)
class StaffUpdate:
    """A row matching stored staff; changes is empty when only a reactivation is needed."""

    row: StaffRow
    existing: ExistingStaff
    changes: tuple[FieldChange, ...]

    @property
    def changed_fields(self) -> frozenset[str]:
        return frozenset(change.field for change in self.changes)

    @property
    def is_move(self) -> bool:
        return "division_code" in self.changed_fields


@dataclass
class StaffPlan:
    creates: list[StaffRow] = field(default_factory=list)
    updates: list[StaffUpdate] = field(default_factory=list)
    moves: list[StaffUpdate] = field(default_factory=list)  # also in updates
    reactivations: list[StaffUpdate] = field(default_factory=list)
    deactivations: list[ExistingStaff] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    covered_bodies: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()  # optional columns present, so applied
    rows_read: int = 0  # the file's good rows: what applying it reads through

    @classmethod
    def rejected_file(cls, error: RowError) -> StaffPlan:
        return cls(errors=[error])

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.creates or self.updates or self.reactivations or self.deactivations)

    def summary(self) -> dict[str, int]:
        return {
            "create": len(self.creates),
            "update": len(self.updates),
            "move": len(self.moves),
            "reactivate": len(self.reactivations),
            "deactivate": len(self.deactivations),
            "unchanged": self.unchanged,
            "error": len(self.errors),
        }


def plan_staff_import(
    table: Table,
    existing: Sequence[ExistingStaff],
    divisions: Mapping[str, DivisionRef],
    grades: Sequence[str],
    deactivate_missing: bool,
) -> StaffPlan:
    """The plan for a file, given every stored member of the bodies it covers.

    `existing` must also hold anyone, in any body, whose email appears in the file, so that
    taken addresses are reported here rather than by the database's unique constraint.
    """
    parsed = parse_staff_table(table, divisions, grades)
    return plan_parsed_staff(parsed, existing, deactivate_missing)


def plan_parsed_staff(
    parsed: ParsedStaff, existing: Sequence[ExistingStaff], deactivate_missing: bool
) -> StaffPlan:
    plan = StaffPlan(errors=list(parsed.errors), covered_bodies=parsed.covered_bodies, fields=parsed.fields,
                     rows_read=len(parsed.rows))
    stored_by_key = {
        (staff.body_code, normalise_staff_number(staff.staff_number)): staff for staff in existing
    }
    matched: dict[int, StaffRow] = {}
    for row in parsed.rows:
        stored = stored_by_key.get((row.body_code, row.staff_number))
        if stored is None:
            plan.creates.append(row)
            continue
        matched[stored.id] = row
        update = StaffUpdate(row, stored, _changes(row, stored, parsed.fields))
        if update.changes:
            plan.updates.append(update)
        if update.is_move:
            plan.moves.append(update)
        if not stored.is_active:
            plan.reactivations.append(update)
        elif not update.changes:
            plan.unchanged += 1
    if deactivate_missing:
        plan.deactivations = [
            staff for staff in existing
            if staff.is_active and staff.body_code in plan.covered_bodies and staff.id not in matched
        ]
    plan.errors.extend(_taken_emails(parsed, existing, matched))
    plan.errors.sort(key=lambda error: error.line or 0)
    return plan


def _changes(row: StaffRow, stored: ExistingStaff, fields: frozenset[str]) -> tuple[FieldChange, ...]:
    pairs = [("name", stored.name, row.name), ("division_code", stored.division_code, row.division_code)]
    if "kana" in fields:
        pairs.append(("kana", stored.kana, row.kana))
    if "email" in fields:
        pairs.append(("email", stored.email or "", row.email or ""))
    if "grade" in fields:
        pairs.append(("grade", stored.grade or "", row.grade or ""))
    if "tiers" in fields:
        pairs.append(("tiers", tier_names(stored.tiers), tier_names(row.tiers)))
    return tuple(FieldChange(name, old, new) for name, old, new in pairs if old != new)


def tier_names(tiers: frozenset[Tier]) -> str:
    """Tiers as an admin writes them, in a fixed order so equal sets read the same."""
    return "、".join(TIER_NAMES_JA[tier] for tier in ASSIGNABLE_TIERS if tier in tiers)


def _taken_emails(
    parsed: ParsedStaff, existing: Sequence[ExistingStaff], matched: Mapping[int, StaffRow]
) -> list[RowError]:
    """Addresses in the file that someone will still hold after the import.

    Judged on the state after the import, so two people swapping addresses is allowed; the
    file's own duplicates were reported by the parser.
    """
    file_sets_email = "email" in parsed.fields
    holders = {
        staff.email: staff for staff in existing
        if staff.email and not (file_sets_email and staff.id in matched)
    }
    errors = []
    for row in parsed.rows:
        holder = holders.get(row.email) if row.email else None
        if holder is not None and matched.get(holder.id) is not row:
            message = N_("Email address %(email)s is used by another member of staff (staff number %(number)s).")
            errors.append(RowError(row.line, message, {"email": row.email, "number": holder.staff_number}))
    return errors
