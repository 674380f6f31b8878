"""Staff lists and details, always through the viewer's scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from elearn import db
from elearn.domain.search import search_words
from elearn.models import OrgUnit, User
from elearn.services import audit, visibility
from elearn.services.search import every_word_in
from elearn.services.visibility import Viewer

PAGE_SIZE = 50


@dataclass(frozen=True)
class StaffPage:
    staff: list[User]
    total: int
    page: int
    pages: int


def list_visible_staff(viewer: Viewer, search: str = "", page: int = 1, include_inactive: bool = False) -> StaffPage:
    query = visibility.staff_query(viewer, include_leavers=include_inactive)
    words = search_words(search)
    if words:  # every word in the name, the kana, the staff number or the address
        lowered = [word.lower() for word in words]
        query = query.where(or_(every_word_in(User.name, words), every_word_in(User.kana, words),
                                every_word_in(User.staff_number, lowered), every_word_in(User.email, lowered)))
    total = db.session().scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session().scalars(
        query.options(joinedload(User.division), joinedload(User.grade), joinedload(User.body))
        .order_by(User.body_id, User.division_id, User.staff_number)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return StaffPage(list(rows), total, page, pages)


def visible_staff_member(viewer: Viewer, staff_id: int) -> User | None:
    """The staff member if the viewer may open their page, else None (the view answers 403 or 404)."""
    if not visibility.may_open_staff_page(viewer, staff_id):
        return None
    return db.session().get(User, staff_id, options=[joinedload(User.division).joinedload(OrgUnit.parent)])


def set_active(actor: User, staff_id: int, active: bool) -> User:
    """Deactivate (a leaver) or reactivate; deactivation ends every session at once."""
    with db.write_session() as session:
        user = session.get(User, staff_id)
        user.is_active = active
        if not active:
            user.rotate_session_token()
        audit.record(session, actor, "staff.activate" if active else "staff.deactivate",
                     f"user:{user.id} {user.staff_number} {user.name}")
        return user
