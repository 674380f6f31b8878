"""Sample files for the imports, built from the planners' column definitions so they cannot drift from
what the import reads, and what each coded column accepts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from elearn import db
from elearn.domain.people import BODY_KINDS, OrgKind, Tier
from elearn.imports import history_rows, org_plan, staff_rows
from elearn.imports.columns import Column, sample_table
from elearn.models import Course, CourseVersion, Grade, OrgUnit, User


@dataclass(frozen=True)
class ColumnGuide:
    """A column as the upload page describes it; accepted is empty when any value of the right form goes."""

    column: Column
    accepted: tuple[str, ...] = ()


def columns_of(kind: str) -> tuple[Column, ...]:
    return {"staff": staff_rows.STAFF_COLUMNS, "history": history_rows.HISTORY_COLUMNS}.get(kind, org_plan.ORG_COLUMNS)


def registered_grades() -> list[str]:
    return list(db.session().scalars(select(Grade.name).order_by(Grade.sort_order, Grade.id)))


def column_guide(kind: str) -> list[ColumnGuide]:
    accepted: dict[str, tuple[str, ...]]
    if kind == "staff":
        accepted = {"grade": tuple(registered_grades()), "tiers": tuple(staff_rows.accepted_tier_names())}
    elif kind == "history":
        accepted = {"tier": tuple(staff_rows.accepted_tier_names()),
                    "training": tuple(db.session().scalars(select(Course.slug).order_by(Course.slug)))}
    else:
        accepted = {"kind": tuple(org_plan.accepted_kind_names())}
    return [ColumnGuide(column, accepted.get(column.field, ())) for column in columns_of(kind)]


def _sample_rows(kind: str) -> list[dict[str, str]]:
    if kind == "history":
        return _history_sample_rows()
    if kind != "staff":
        return list(org_plan.SAMPLE_ROWS)
    # A real unit staff can be placed in, so the sample passes the check as downloaded.
    division = db.session().scalar(
        select(OrgUnit.code)
        .where(OrgUnit.is_active.is_(True), OrgUnit.kind.not_in(BODY_KINDS))
        .order_by(OrgUnit.kind != OrgKind.DIVISION, OrgUnit.code)
        .limit(1)
    )
    grades = registered_grades()
    return staff_rows.sample_rows(division or "", grades[0] if grades else None)


def _history_sample_rows() -> list[dict[str, str]]:
    """Two records of a real person and course, so the sample passes the check as downloaded (and shows
    two ways of writing a day)."""
    body = db.session().scalar(select(OrgUnit.code).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.code).limit(1))
    person = db.session().scalar(select(User.staff_number).join(OrgUnit, OrgUnit.id == User.body_id)
                                 .where(OrgUnit.code == body).order_by(User.staff_number).limit(1))
    course = db.session().execute(select(Course.slug, CourseVersion.tiers).join(CourseVersion)
                                  .order_by(Course.slug, CourseVersion.version.desc()).limit(1)).first()
    tiers = [Tier(value) for value in course.tiers] if course else []
    return history_rows.sample_rows(body or "", person or "", course.slug if course else "",
                                    tiers[0] if tiers else None)


def sample(kind: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the sample file (the view writes them as CSV or XLSX)."""
    return sample_table(columns_of(kind), _sample_rows(kind))
