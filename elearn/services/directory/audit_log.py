"""The audit log as administrators read it: filtered by person, action and date, paged, or whole for export."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, func, or_, select, union
from sqlalchemy.orm import joinedload

from elearn import db
from elearn.domain.audit import target_user_id, utc_range
from elearn.domain.search import search_words
from elearn.models import AuditEntry, User
from elearn.services.search import every_word_in

PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditQuery:
    person: str = ""  # part of a name, or a staff number: as the one who acted or the one acted on
    action: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    people: dict[int, User]  # the people the entries' targets name, by id (one query)
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _people_matching(text: str) -> ColumnElement[bool]:
    number = unicodedata.normalize("NFKC", text).strip().lower()
    words = search_words(text)
    return or_(every_word_in(User.name, words), every_word_in(User.kana, words), User.staff_number == number)


def _filtered(query: AuditQuery) -> Select:
    statement = select(AuditEntry)
    if query.person.strip():
        matching = _people_matching(query.person)
        # Entries by them or about them, each side a join: a condition per entry (a subquery, or the target's text
        # against every person found) read all staff once per entry, past any timeout at 300,000 of each.
        statement = statement.where(AuditEntry.id.in_(union(
            select(AuditEntry.id).join(User, User.id == AuditEntry.actor_id).where(matching),
            select(AuditEntry.id).join(User, User.id == AuditEntry.subject_user_id).where(matching))))
    if query.action:
        statement = statement.where(AuditEntry.action == query.action)
    start, end = utc_range(query.since, query.until)
    if start is not None:
        statement = statement.where(AuditEntry.occurred_at >= start)
    if end is not None:
        statement = statement.where(AuditEntry.occurred_at < end)
    return statement


def _newest_first(statement: Select) -> Select:
    return statement.options(joinedload(AuditEntry.actor)).order_by(AuditEntry.occurred_at.desc(),
                                                                     AuditEntry.id.desc())


def people_named(entries: Iterable[AuditEntry]) -> dict[int, User]:
    ids = sorted({user_id for entry in entries if (user_id := target_user_id(entry.target)) is not None})
    people: dict[int, User] = {}
    for chunk in db.chunks(ids):
        people.update((user.id, user) for user in db.session().scalars(select(User).where(User.id.in_(chunk))))
    return people


def search(query: AuditQuery, page: int = 1) -> AuditPage:
    session = db.session()
    total = session.scalar(select(func.count()).select_from(_filtered(query).subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // PAGE_SIZE)))
    entries = list(session.scalars(_newest_first(_filtered(query)).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return AuditPage(entries, people_named(entries), total, page)


def export(query: AuditQuery) -> tuple[list[AuditEntry], dict[int, User]]:
    """Every matching entry, newest first, with the people their targets name."""
    entries = list(db.session().scalars(_newest_first(_filtered(query))).unique())
    return entries, people_named(entries)


def recorded_actions() -> list[str]:
    """Action codes present in the log (old entries may carry codes the app no longer writes)."""
    return list(db.session().scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))



