"""Compare an organisation file with the stored tree: units to create, rename, move or reactivate.

Pure, like the staff planner. Units are matched by code, so a renamed unit keeps its history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from elearn.domain.people import BODY_KINDS, ORG_KIND_NAMES_JA, OrgKind
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

ORG_COLUMNS = (
    Column("code", "所属コード", ("code",), is_required=True),
    Column("name", "所属名", ("name",), is_required=True),
    Column("parent_code", "上位所属コード", ("parent_code",)),
    Column("kind", "種別", ("kind",), is_required=True),
)
MAX_CODE, MAX_NAME = 32, 200

# Every spelling the 種別 column accepts, in the order messages and the upload page list them.
KIND_NAMES: tuple[tuple[str, OrgKind], ...] = (
    *((name, kind) for kind, name in ORG_KIND_NAMES_JA.items()),
    # The one-character words HR files use for the level itself (a 課 is a division, a 局 a department).
    # Not 区: a designated city's ward is part of the city, a Tokyo special ward is a body (市区町村).
    *(("都", OrgKind.PREFECTURE), ("道", OrgKind.PREFECTURE), ("府", OrgKind.PREFECTURE), ("県", OrgKind.PREFECTURE)),
    ("市", OrgKind.MUNICIPALITY),
    ("町", OrgKind.MUNICIPALITY),
    ("村", OrgKind.MUNICIPALITY),
    ("部", OrgKind.DEPARTMENT),
    ("局", OrgKind.DEPARTMENT),
    ("課", OrgKind.DIVISION),
    ("室", OrgKind.DIVISION),
    ("所属", OrgKind.DIVISION),
    *((kind.value, kind) for kind in OrgKind),
)
_KIND_BY_NAME = {name: kind for name, kind in KIND_NAMES}
# The downloadable sample (by field; the columns come from ORG_COLUMNS): a municipality, a department
# in it and a division in that, with codes neither the demo nor a real prefecture's tree uses.
SAMPLE_ROWS: tuple[dict[str, str], ...] = (
    {"code": "SAMPLE-M", "name": "見本市", "kind": ORG_KIND_NAMES_JA[OrgKind.MUNICIPALITY]},
    {"code": "SAMPLE-B", "name": "総務部", "parent_code": "SAMPLE-M", "kind": ORG_KIND_NAMES_JA[OrgKind.DEPARTMENT]},
    {"code": "SAMPLE-K", "name": "人事課", "parent_code": "SAMPLE-B", "kind": ORG_KIND_NAMES_JA[OrgKind.DIVISION]},
)


def accepted_kind_names() -> list[str]:
    return [name for name, _kind in KIND_NAMES]


@dataclass(frozen=True)
class ExistingUnit:
    id: int
    code: str
    name: str
    kind: OrgKind
    parent_code: str | None
    is_active: bool = True


@dataclass(frozen=True)
class OrgRow:
    line: int
    code: str
    name: str
    kind: OrgKind
    parent_code: str | None  # None for bodies, and for every row when the column is absent


@dataclass(frozen=True)
class OrgRename:
    line: int
    code: str
    old_name: str
    new_name: str


@dataclass(frozen=True)
class OrgReparent:
    line: int
    code: str
    old_parent_code: str | None
    new_parent_code: str


@dataclass
class OrgPlan:
    creates: list[OrgRow] = field(default_factory=list)  # parents before children
    renames: list[OrgRename] = field(default_factory=list)
    reparents: list[OrgReparent] = field(default_factory=list)
    reactivations: list[OrgRow] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @classmethod
    def rejected_file(cls, error: RowError) -> OrgPlan:
        return cls(errors=[error])

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.creates or self.renames or self.reparents or self.reactivations)

    def summary(self) -> dict[str, int]:
        return {
            "create": len(self.creates),
            "rename": len(self.renames),
            "reparent": len(self.reparents),
            "reactivate": len(self.reactivations),
            "unchanged": self.unchanged,
            "error": len(self.errors),
        }


def plan_org_import(table: Table, existing: Sequence[ExistingUnit]) -> OrgPlan:
    header_of, file_errors = match_columns(table, ORG_COLUMNS)
    if file_errors:
        return OrgPlan(errors=file_errors)
    if not table.rows:
        return OrgPlan.rejected_file(RowError(None, N_("The file has no data rows.")))
    stored = {unit.code: unit for unit in existing}
    plan = OrgPlan()
    rows = _parse_rows(table, header_of, stored, plan.errors)
    tree = _Tree(stored, rows)
    valid_rows = []
    for row in rows:
        error = tree.error_for(row)
        if error:
            plan.errors.append(error)
        else:
            valid_rows.append(row)
    for row in valid_rows:
        _compare(row, stored.get(row.code), plan)
    plan.creates.sort(key=lambda row: len(tree.chain(row.code, tree.parent_after)))
    plan.errors.sort(key=lambda error: error.line or 0)
    return plan


def _parse_rows(
    table: Table, header_of: Mapping[str, str], stored: Mapping[str, ExistingUnit], errors: list[RowError]
) -> list[OrgRow]:
    rows: list[OrgRow] = []
    first_line_of: dict[str, int] = {}
    has_parent_column = "parent_code" in header_of
    for table_row in table.rows:
        line, row_errors = table_row.line, control_character_errors(table_row.line, table_row.values, header_of)
        code = normalise_code(cell(table_row.values, header_of, "code"))
        name = cell(table_row.values, header_of, "name")  # as written, like staff names
        kind_text = normalise_code(cell(table_row.values, header_of, "kind"))
        parent_code = normalise_code(cell(table_row.values, header_of, "parent_code")) or None
        if not code:
            row_errors.append(empty_error(line, "所属コード"))
        elif code in first_line_of:
            row_errors.append(duplicate_error(line, "所属コード", code, first_line_of[code]))
        first_line_of.setdefault(code, line)
        check_length(row_errors, line, "所属コード", code, MAX_CODE)
        if not name:
            row_errors.append(empty_error(line, "所属名"))
        check_length(row_errors, line, "所属名", name, MAX_NAME)
        kind = _KIND_BY_NAME.get(kind_text.casefold())
        if not kind_text:
            row_errors.append(empty_error(line, "種別"))
        elif kind is None:
            row_errors.append(not_accepted_error(line, "種別", kind_text, accepted_kind_names()))
        elif kind in BODY_KINDS and parent_code:
            row_errors.append(RowError(line, N_("A prefecture or municipality cannot have a parent unit code.")))
        elif kind not in BODY_KINDS and not parent_code and (has_parent_column or code not in stored):
            row_errors.append(empty_error(line, "上位所属コード"))
        if code in stored and kind is not None and stored[code].kind != kind:
            old, new = ORG_KIND_NAMES_JA[stored[code].kind], ORG_KIND_NAMES_JA[kind]
            message = N_("The kind of unit code %(code)s cannot be changed (%(old)s → %(new)s).")
            row_errors.append(RowError(line, message, {"code": code, "old": old, "new": new}))
        if row_errors:
            errors.extend(row_errors)
        else:
            assert kind is not None  # for type checkers: an unknown kind is an error above
            rows.append(OrgRow(line=line, code=code, name=name, kind=kind, parent_code=parent_code))
    return rows


class _Tree:
    """The tree before and after the import, to check where each row would hang."""

    def __init__(self, stored: Mapping[str, ExistingUnit], rows: Sequence[OrgRow]) -> None:
        self.stored = stored
        self.parent_before = {code: unit.parent_code for code, unit in stored.items()}
        self.parent_after = dict(self.parent_before)
        self.parent_after.update({row.code: self._parent_after(row) for row in rows})
        self.codes_in_file = {row.code for row in rows}

    def _parent_after(self, row: OrgRow) -> str | None:
        if row.parent_code is None and row.kind not in BODY_KINDS and row.code in self.stored:
            return self.stored[row.code].parent_code  # no parent column: the unit stays where it is
        return row.parent_code

    @staticmethod
    def chain(code: str, parent_of: Mapping[str, str | None]) -> list[str]:
        """The unit and the units above it, stopping at a body, a missing code or a repeat."""
        codes = [code]
        while (parent := parent_of.get(codes[-1])) is not None and parent not in codes:
            codes.append(parent)
            if parent not in parent_of:
                break
        return codes

    def error_for(self, row: OrgRow) -> RowError | None:
        parent = self.parent_after[row.code]
        if parent is None:
            return None
        above = self.chain(row.code, self.parent_after)
        top = above[-1]
        if top not in self.parent_after:
            return RowError(row.line, N_("Parent unit code %(code)s was not found."), {"code": top})
        if self.parent_after[top] is not None:
            return RowError(row.line, N_("The parent units of unit code %(code)s form a loop."), {"code": row.code})
        stored_parent = self.stored.get(parent)
        if stored_parent and not stored_parent.is_active and parent not in self.codes_in_file:
            return RowError(row.line, N_("Parent unit code %(code)s has been abolished."), {"code": parent})
        if row.code in self.stored and top != self.chain(row.code, self.parent_before)[-1]:
            # Staff rows store their body; moving a unit to another body would leave them inconsistent.
            return RowError(row.line, N_("Unit code %(code)s cannot be moved to another body."), {"code": row.code})
        return None


def _compare(row: OrgRow, stored: ExistingUnit | None, plan: OrgPlan) -> None:
    if stored is None:
        plan.creates.append(row)
        return
    changed = False
    if stored.name != row.name:
        plan.renames.append(OrgRename(row.line, row.code, stored.name, row.name))
        changed = True
    if row.parent_code is not None and stored.parent_code != row.parent_code:
        plan.reparents.append(OrgReparent(row.line, row.code, stored.parent_code, row.parent_code))
        changed = True
    if not stored.is_active:
        plan.reactivations.append(row)
    elif not changed:
        plan.unchanged += 1

