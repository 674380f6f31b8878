"""New initial passwords, in bulk, for accounts that have never been used: the April import's handout lost,
or its passwords expired before people got to them."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import aliased

from elearn import db
from elearn.clock import utcnow
from elearn.domain.passwords import random_password
from elearn.models import OrgUnit, PasswordResetToken, User
from elearn.services import audit, visibility
from elearn.services.people.importer import InitialPassword
from elearn.services.people.passwords import hash_random_password
from elearn.services.visibility import Viewer


def find_unit(code: str) -> OrgUnit | None:
    return db.session().scalar(select(OrgUnit).where(OrgUnit.code == code.strip())) if code.strip() else None


def _never_signed_in(viewer: Viewer, unit: OrgUnit | None) -> Select:
    """Active accounts the viewer may administer that have never signed in, within the unit's subtree if given."""
    query = visibility.staff_query(viewer).where(User.last_sign_in_at.is_(None))
    if unit is not None:
        query = query.where(User.division_id.in_(visibility.subtree_ids([unit.id])))
    return query


def count_never_signed_in(viewer: Viewer, unit: OrgUnit | None) -> int:
    query = _never_signed_in(viewer, unit)
    return db.session().scalar(select(func.count()).select_from(query.subquery())) or 0


class ListChanged(Exception):
    """The accounts to reissue are not the ones the administrator confirmed (an import ran meanwhile)."""

    def __init__(self, now: int) -> None:
        super().__init__(now)
        self.now = now


def reissue(actor: User, viewer: Viewer, unit: OrgUnit | None, confirmed: int) -> list[InitialPassword]:
    """Give each of those accounts a new random password to change at first sign-in, in one transaction.

    The old initial passwords and any open reset links stop working. Returned once, never stored in plain text.
    `confirmed` is the count the administrator saw; if the list has grown or shrunk since (another
    administrator's import, say, whose handout would silently stop working), nothing is changed.
    """
    body = aliased(OrgUnit)
    expires_at = utcnow() + timedelta(days=current_app.config["INITIAL_PASSWORD_DAYS"])
    with db.write_session() as session:
        targets = _never_signed_in(viewer, unit).subquery()
        rows = session.execute(
            select(targets.c.id, body.code, targets.c.staff_number, targets.c.name, targets.c.email)
            .join(body, body.id == targets.c.body_id)
            .order_by(body.code, targets.c.staff_number)
        ).all()
        issued = [InitialPassword(row.code, row.staff_number, row.name, row.email, random_password(), expires_at)
                  for row in rows]
        ids = [row.id for row in rows]
        if len(ids) != confirmed:
            raise ListChanged(len(ids))
        if not ids:
            return []
        # One executemany by primary key, not an ORM object each: a body can have thousands never signed in.
        session.execute(update(User), [
            {"id": user_id, "password_hash": hash_random_password(item.password), "password_expires_at": expires_at,
             "must_change_password": True, "session_token": secrets.token_urlsafe(32)}
            for user_id, item in zip(ids, issued, strict=True)
        ])
        for chunk in db.chunks(ids):
            session.execute(update(PasswordResetToken)
                            .where(PasswordResetToken.user_id.in_(chunk), PasswordResetToken.used_at.is_(None))
                            .values(used_at=utcnow()))
        # One entry per account, like a single temporary password: whose credentials changed stays findable.
        for row in rows:
            audit.record(session, actor, "password.reissue", f"user:{row.id} {row.staff_number} {row.name}",
                         unit=unit.code if unit else None)
    return issued



