"""The magazine's inbox (questions and topic ideas) and the contributor stickers.

An adopted idea's sticker and the "your idea became issue No. N" notice are not stored: both exist from
the second the issue is published, read off the clock like the issue itself, so nothing has to run at
publication time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, joinedload, lazyload

from elearn import db
from elearn.clock import TOKYO
from elearn.domain.magazine import InboxKind, InboxStatus, IssueStatus, MonthCount, StoredStatus, counts_by_month
from elearn.domain.notices import NoticeKind
from elearn.domain.people import Permission
from elearn.models import InboxItem, MagazineIssue, RoleGrant, Sticker, User
from elearn.services import audit, notices
from elearn.services.magazine import published

INBOX_PAGE_SIZE = 50


class InboxError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def send(sender: User, kind: InboxKind, subject: str, body: str, anonymous: bool,
         about_issue_id: int | None) -> InboxItem:
    with db.write_session() as session:
        item = InboxItem(kind=kind, sender_id=sender.id, subject=subject.strip(), body=body.strip(),
                         anonymous=anonymous, about_issue_id=about_issue_id)
        session.add(item)
    return item


@dataclass(frozen=True)
class SentItem:
    item: InboxItem
    adopted_issue_out: bool  # the adopted idea's issue is published
    # What the sender has not seen yet: "published" (their idea's issue is out) or "reply". The item itself
    # is not news to its sender: a badge says which of the two is new, never just "new".
    news: str | None

    @property
    def is_news(self) -> bool:
        return self.news is not None


def _news(item: InboxItem, out: bool) -> str | None:
    seen = item.sender_seen_at
    # News from the later of publication and adoption: an idea adopted for an issue already out is news too.
    told_at = max(item.adopted_issue.publish_at, item.adopted_at or item.adopted_issue.publish_at) if out else None
    if told_at is not None and (seen is None or told_at > seen):
        return "published"
    if item.replied_at is not None and (seen is None or item.replied_at > seen):
        return "reply"
    return None


# Built once: the home page reads it on every visit. The issues' tags are not shown with a sent item.
_SENT_BY = (select(InboxItem).where(InboxItem.sender_id == bindparam("sender_id"))
            .options(joinedload(InboxItem.adopted_issue).lazyload(MagazineIssue.tag_rows),
                     joinedload(InboxItem.about_issue).lazyload(MagazineIssue.tag_rows))
            .order_by(InboxItem.received_at.desc()))


def sent_by(sender: User, now: datetime) -> list[SentItem]:
    items = db.session().scalars(_SENT_BY, {"sender_id": sender.id})
    result = []
    for item in items:
        out = item.adopted_issue is not None and item.adopted_issue.status_at(now) is IssueStatus.PUBLISHED
        result.append(SentItem(item, out, _news(item, out)))
    return result


def mark_seen(sender: User, now: datetime) -> None:
    with db.write_session() as session:
        session.execute(sql_update(InboxItem).where(InboxItem.sender_id == sender.id).values(sender_seen_at=now))


def news_for(sender: User, now: datetime) -> list[SentItem]:
    """Replies and publications of adopted ideas the sender has not seen: for the home page."""
    return [sent for sent in sent_by(sender, now) if sent.is_news]


# --- authors' side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilters:
    status: InboxStatus | None = None
    kind: InboxKind | None = None
    assignee_id: int | None = None
    open_only: bool = False


def items(filters: InboxFilters, page: int = 1) -> tuple[list[InboxItem], int]:
    query = select(InboxItem)
    if filters.status:
        query = query.where(InboxItem.status == filters.status)
    elif filters.open_only:
        query = query.where(InboxItem.status.in_([InboxStatus.NEW, InboxStatus.IN_PROGRESS]))
    if filters.kind:
        query = query.where(InboxItem.kind == filters.kind)
    if filters.assignee_id:
        query = query.where(InboxItem.assignee_id == filters.assignee_id)
    session = db.session()
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.options(joinedload(InboxItem.sender).joinedload(User.body),
                                         joinedload(InboxItem.assignee), joinedload(InboxItem.adopted_issue))
                           .order_by(InboxItem.received_at.desc(), InboxItem.id.desc())
                           .limit(INBOX_PAGE_SIZE).offset((max(page, 1) - 1) * INBOX_PAGE_SIZE))
    return list(rows.unique()), total


def status_counts() -> dict[InboxStatus, int]:
    rows = dict(db.session().execute(select(InboxItem.status, func.count()).group_by(InboxItem.status)).all())
    return {status: rows.get(status, 0) for status in InboxStatus}


def monthly_counts(first: date, last: date) -> list[MonthCount]:
    start = datetime.combine(first.replace(day=1), datetime.min.time(), tzinfo=TOKYO)
    rows = db.session().execute(select(InboxItem.kind, InboxItem.received_at)
                                .where(InboxItem.received_at >= start)).all()
    return counts_by_month([(kind, received) for kind, received in rows], first, last)


def item(item_id: int) -> InboxItem | None:
    return db.session().scalar(select(InboxItem).where(InboxItem.id == item_id).options(
        joinedload(InboxItem.sender).joinedload(User.division), joinedload(InboxItem.about_issue)))


@dataclass(frozen=True)
class ItemUpdate:
    status: InboxStatus
    assignee_id: int | None
    internal_notes: str
    reply: str
    adopted_issue_number: int | None


def authors() -> list[User]:
    return list(db.session().scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                     .where(RoleGrant.permission == Permission.AUTHOR, User.is_active.is_(True))
                                     .order_by(User.kana, User.name)).unique())


def update(actor: User, item_id: int, change: ItemUpdate, now: datetime) -> None:
    """Work an item. An adopted item must be an idea and name an issue that is not withdrawn; an
    answered question must carry a reply (it is what the sender sees)."""
    with db.write_session() as session:
        row = session.get(InboxItem, item_id)
        if row is None:
            raise InboxError("not_found")
        adopted = None
        if change.status is InboxStatus.ADOPTED:
            if row.kind is not InboxKind.IDEA:
                raise InboxError("only_ideas_adopted")
            if change.adopted_issue_number is None:
                raise InboxError("adopted_needs_issue")
            adopted = session.scalar(select(MagazineIssue).where(MagazineIssue.number == change.adopted_issue_number))
            if adopted is None or adopted.stored_status is StoredStatus.WITHDRAWN:
                raise InboxError("unknown_issue")
        if change.status is InboxStatus.ANSWERED and not change.reply.strip():
            raise InboxError("answer_needs_reply")
        if change.assignee_id and change.assignee_id not in {author.id for author in authors()}:
            raise InboxError("unknown_assignee")
        reply = change.reply.strip()
        if reply != row.reply:
            row.reply, row.replied_at = reply, (now if reply else None)
            if reply:
                notices.notify(session, row.sender_id, NoticeKind.INBOX_REPLY, {"excerpt": _excerpt(row.subject)})
        row.status, row.assignee_id = change.status, change.assignee_id
        row.internal_notes = change.internal_notes.strip()
        if (adopted.id if adopted else None) != row.adopted_issue_id:
            row.adopted_issue_id, row.adopted_at = (adopted.id, now) if adopted else (None, None)
            if adopted and session.scalar(select(MagazineIssue.id).where(MagazineIssue.id == adopted.id,
                                                                         published(now))):
                # An issue still to come is told when it is out (the notice scan), not before.
                tell_adopted(session, row, adopted.number)
        audit.record(session, actor, "inbox.update", f"inbox:{row.id}", status=change.status.value)


def tell_adopted(session: Session, item: InboxItem, number: int) -> None:
    notices.notify(session, item.sender_id, NoticeKind.IDEA_ADOPTED, {"excerpt": _excerpt(item.subject),
                                                                      "number": number}, key=f"adopted:{item.id}")


def _excerpt(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


# --- stickers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StickerView:
    reason: str
    issue_number: int | None
    awarded_on: date
    for_idea: bool  # given automatically when the person's idea was published
    sticker_id: int | None = None  # hand-awarded ones, which authors may take back


def award(actor: User, user_id: int, reason: str, issue_number: int | None) -> None:
    with db.write_session() as session:
        issue_id = None
        if issue_number is not None:
            issue_id = session.scalar(select(MagazineIssue.id).where(MagazineIssue.number == issue_number))
            if issue_id is None:
                raise InboxError("unknown_issue")
        if session.get(User, user_id) is None:
            raise InboxError("unknown_person")
        session.add(Sticker(user_id=user_id, reason=reason.strip(), issue_id=issue_id, awarded_by_id=actor.id))
        audit.record(session, actor, "sticker.award", f"user:{user_id}", reason=reason.strip())


def take_back(actor: User, sticker_id: int) -> None:
    with db.write_session() as session:
        sticker = session.get(Sticker, sticker_id)
        if sticker is not None:
            audit.record(session, actor, "sticker.remove", f"user:{sticker.user_id}", reason=sticker.reason)
            session.delete(sticker)


# Built once: every home page and profile reads them.
_STICKERS = (select(Sticker, MagazineIssue.number).outerjoin(MagazineIssue, MagazineIssue.id == Sticker.issue_id)
             .where(Sticker.user_id.in_(bindparam("user_ids", expanding=True))))
_ADOPTED_IDEAS = {
    include_anonymous: select(InboxItem.sender_id, InboxItem.subject, MagazineIssue.number, MagazineIssue.publish_at)
    .join(MagazineIssue, MagazineIssue.id == InboxItem.adopted_issue_id)
    .where(InboxItem.sender_id.in_(bindparam("user_ids", expanding=True)), InboxItem.status == InboxStatus.ADOPTED,
           published(bindparam("now")), *(() if include_anonymous else (InboxItem.anonymous.is_(False),)))
    for include_anonymous in (True, False)
}


def stickers_of(user_ids: list[int], now: datetime, include_anonymous: bool) -> dict[int, list[StickerView]]:
    """Stickers per person: hand-awarded ones and one per adopted idea whose issue is out. Ideas sent
    anonymously are left out unless `include_anonymous` (the person themself, or an author)."""
    session = db.session()
    result: dict[int, list[StickerView]] = {user_id: [] for user_id in user_ids}
    for sticker, number in session.execute(_STICKERS, {"user_ids": user_ids}):
        result[sticker.user_id].append(StickerView(sticker.reason, number, sticker.awarded_at.astimezone(TOKYO).date(),
                                                   False, sticker.id))
    ideas = session.execute(_ADOPTED_IDEAS[include_anonymous], {"user_ids": user_ids, "now": now})
    for sender_id, subject, number, publish_at in ideas:
        result[sender_id].append(StickerView(subject, number, publish_at.astimezone(TOKYO).date(), True))
    for views in result.values():
        views.sort(key=lambda view: view.awarded_on, reverse=True)
    return result


@dataclass(frozen=True)
class Credits:
    people: list[User]  # staff who appear
    contributors: list[User]  # senders of adopted ideas who did not ask to stay anonymous
    anonymous_contributors: int
    stickers: dict[int, int]  # user id -> stickers held (for the mark next to a name)
    awarded: list[tuple[User, str]]  # stickers handed out with this issue


# Built once (every page turn of the reader shows the credits). Credits name people: their tiers and grants, which
# a person loads by default, are read only if asked for.
_CONTRIBUTORS = (select(User, InboxItem.anonymous).join(InboxItem, InboxItem.sender_id == User.id)
                 .where(InboxItem.adopted_issue_id == bindparam("issue_id"), InboxItem.status == InboxStatus.ADOPTED)
                 .options(lazyload(User.tier_rows), lazyload(User.grants)))
_AWARDED = (select(User, Sticker.reason).join(Sticker, Sticker.user_id == User.id)
            .where(Sticker.issue_id == bindparam("issue_id")).options(lazyload(User.tier_rows), lazyload(User.grants)))


def credits(issue: MagazineIssue, now: datetime) -> Credits:
    session = db.session()
    people = [row.user for row in issue.person_rows]
    ideas = session.execute(_CONTRIBUTORS, {"issue_id": issue.id}).all()
    contributors = [user for user, anonymous in ideas if not anonymous]
    awarded = [(user, reason) for user, reason in session.execute(_AWARDED, {"issue_id": issue.id})]
    everyone = list({user.id for user in [*people, *contributors, *(user for user, _ in awarded)]})
    held = {user_id: len(views) for user_id, views in stickers_of(everyone, now, include_anonymous=False).items()}
    return Credits(people, contributors, sum(1 for _, anonymous in ideas if anonymous), held, awarded)


def find_people(query: str, limit: int = 20) -> list[User]:
    """Staff by number, name or kana, for awarding stickers."""
    words = query.split()
    if not words:
        return []
    statement = select(User).options(joinedload(User.body), joinedload(User.division)).where(User.is_active.is_(True))
    for word in words[:4]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        statement = statement.where(or_(User.staff_number == word, User.name.like(pattern), User.kana.like(pattern)))
    return list(db.session().scalars(statement.order_by(User.kana).limit(limit)))


def recent_stickers(limit: int = 50) -> list[Sticker]:
    return list(db.session().scalars(select(Sticker).options(joinedload(Sticker.user), joinedload(Sticker.issue))
                                     .order_by(Sticker.awarded_at.desc()).limit(limit)))
