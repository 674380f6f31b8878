"""Organisation tree queries: bodies, unit names and paths. Who may see whom is services/visibility."""

from __future__ import annotations

from sqlalchemy import select

from elearn import db
from elearn.domain.people import BODY_KINDS
from elearn.models import OrgUnit


def bodies() -> list[OrgUnit]:
    """The prefecture first, then municipalities by code."""
    rows = db.session().scalars(
        select(OrgUnit).where(OrgUnit.kind.in_(BODY_KINDS), OrgUnit.is_active.is_(True)).order_by(OrgUnit.code)
    ).all()
    return sorted(rows, key=lambda unit: (unit.kind != "prefecture", unit.code))


def unit_names() -> dict[str, str]:
    """Code -> name of every unit, for showing plans that speak in codes (one query)."""
    return dict(db.session().execute(select(OrgUnit.code, OrgUnit.name)).all())


def unit_path(unit: OrgUnit) -> list[OrgUnit]:
    """From the body down to the unit; walks parents already loaded or loads them one by one."""
    path = [unit]
    while path[-1].parent is not None:
        path.append(path[-1].parent)
    return list(reversed(path))


