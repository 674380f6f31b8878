"""Admin-only reads and writes: permission grants, staff details (the audit log is audit_log.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from elearn import db
from elearn.domain.people import BODY_PERMISSIONS, SCOPED_PERMISSIONS, Permission
from elearn.models import OrgUnit, RoleGrant, User
from elearn.services import audit, visibility
from elearn.services.visibility import Viewer


class GrantError(ValueError):
    pass


def staff_member(viewer: Viewer, staff_id: int) -> User | None:
    """Anyone the viewer may administer, leavers included (the view answers 404 otherwise)."""
    return db.session().scalar(
        visibility.staff_query(viewer, include_leavers=True).where(User.id == staff_id)
        .options(joinedload(User.division), joinedload(User.body), joinedload(User.grade)))


def grant(actor: User, staff_id: int, permission: Permission, unit_code: str | None, is_editor: bool = False) -> None:
    """Give a permission; manager, reporter and organiser grants name the unit (a reporter's or an organiser's
    must be a body); an
    author grant may carry the magazine editor flag."""
    with db.write_session() as session:
        user = session.get(User, staff_id)
        unit = None
        if permission in SCOPED_PERMISSIONS:
            unit = session.scalars(select(OrgUnit).where(OrgUnit.code == (unit_code or "").strip())).first()
            if unit is None:
                raise GrantError("unknown_unit")
            if permission in BODY_PERMISSIONS and not unit.is_body:
                raise GrantError("reporter_needs_body" if permission is Permission.REPORTER else "organiser_needs_body")
        editor = is_editor and permission is Permission.AUTHOR
        session.add(RoleGrant(user_id=user.id, permission=permission, org_unit_id=unit.id if unit else None,
                              is_editor=editor))
        audit.record(session, actor, "grant.add", f"user:{user.id} {user.staff_number}",
                     permission=permission.value, unit=unit.code if unit else None, editor=editor)
        try:
            session.flush()
        except IntegrityError as error:
            raise GrantError("duplicate") from error


def revoke(actor: User, grant_id: int) -> None:
    with db.write_session() as session:
        row = session.get(RoleGrant, grant_id)
        if row is None:
            return
        user = row.user
        audit.record(session, actor, "grant.remove", f"user:{user.id} {user.staff_number}",
                     permission=row.permission.value, unit=row.org_unit.code if row.org_unit else None)
        session.delete(row)
        # Permissions changed: existing sessions must not keep the old ones.
        user.rotate_session_token()
