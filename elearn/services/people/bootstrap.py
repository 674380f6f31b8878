"""First administrator: there is no default admin account, one is created on the command line."""

from __future__ import annotations

from sqlalchemy import select

from elearn import db
from elearn.domain.passwords import password_problems
from elearn.domain.people import Permission
from elearn.models import OrgUnit, RoleGrant, User
from elearn.services import audit
from elearn.services.people.accounts import normalise_sign_in_name, void_reset_links
from elearn.services.people.passwords import hash_password


class AdminSetupError(ValueError):
    pass


def ensure_admin(
    body_code: str,
    staff_number: str,
    name: str | None,
    email: str | None,
    division_code: str | None,
    password: str,
) -> tuple[User, bool]:
    """Grant admin to the staff member, creating the account first when it does not exist."""
    staff_number = normalise_sign_in_name(staff_number)
    problems = password_problems(password, staff_number=staff_number, email=email or "")
    if problems:
        raise AdminSetupError(f"password refused: {', '.join(problems)}")
    with db.write_session() as session:
        body = session.scalars(select(OrgUnit).where(OrgUnit.code == body_code)).first()
        if body is None or not body.is_body:
            raise AdminSetupError(f"no prefecture or municipality has code {body_code!r}; run import-orgs first")
        user = session.scalars(
            select(User).where(User.body_id == body.id, User.staff_number == staff_number)
        ).first()
        created = user is None
        if created:
            if not (name and division_code):
                raise AdminSetupError("a new account needs --name and --division")
            division = session.scalars(select(OrgUnit).where(OrgUnit.code == division_code)).first()
            if division is None:
                raise AdminSetupError(f"no unit has code {division_code!r}")
            user = User(body_id=body.id, staff_number=staff_number, name=name, division_id=division.id,
                        email=email.strip().lower() if email else None)
            session.add(user)
        user.password_hash = hash_password(password)
        user.must_change_password = False
        user.is_active = True
        session.flush()
        void_reset_links(session, user)
        if not user.has_permission(Permission.ADMIN):
            session.add(RoleGrant(user_id=user.id, permission=Permission.ADMIN))
        audit.record(session, None, "admin.create" if created else "admin.grant",
                     f"user:{user.id} {user.staff_number} {user.name}")
        return user, created
