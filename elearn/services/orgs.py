"""Organisation tree queries: bodies, subtrees and who may see whom."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, false, literal, select
from sqlalchemy.orm import aliased

from elearn import db
from elearn.domain.people import BODY_KINDS, Permission
from elearn.models import OrgUnit, User


def bodies() -> list[OrgUnit]:
    """The prefecture first, then municipalities by code."""
    rows = db.session().scalars(
        select(OrgUnit).where(OrgUnit.kind.in_(BODY_KINDS), OrgUnit.is_active.is_(True)).order_by(OrgUnit.code)
    ).all()
    return sorted(rows, key=lambda unit: (unit.kind != "prefecture", unit.code))


def unit_names() -> dict[str, str]:
    """Code -> name of every unit, for showing plans that speak in codes (one query)."""
    return dict(db.session().execute(select(OrgUnit.code, OrgUnit.name)).all())


def subtree_ids_query(root_ids: Iterable[int]) -> Select:
    """SELECT of the ids of the given units and everything below them (recursive CTE)."""
    roots = list(root_ids)
    tree = (
        select(OrgUnit.id.label("id"), literal(0).label("depth"))
        .where(OrgUnit.id.in_(roots))
        .cte("subtree", recursive=True)
    )
    child = aliased(OrgUnit)
    tree = tree.union_all(select(child.id, tree.c.depth + 1).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def managed_unit_ids(user: User) -> list[int]:
    return [g.org_unit_id for g in user.grants if g.permission == Permission.MANAGER and g.org_unit_id]


def visible_staff_query(viewer: User) -> Select:
    """Staff a manager may see: those in the subtrees of the units they manage. Admins see all."""
    query = select(User)
    if viewer.has_permission(Permission.ADMIN):
        return query
    units = managed_unit_ids(viewer)
    if not units:
        return query.where(false())
    return query.where(User.division_id.in_(subtree_ids_query(units)))


def can_view_staff(viewer: User, staff_id: int) -> bool:
    visible = visible_staff_query(viewer).with_only_columns(User.id).where(User.id == staff_id)
    return db.session().scalars(visible).first() is not None


def unit_path(unit: OrgUnit) -> list[OrgUnit]:
    """From the body down to the unit; walks parents already loaded or loads them one by one."""
    path = [unit]
    while path[-1].parent is not None:
        path.append(path[-1].parent)
    return list(reversed(path))


