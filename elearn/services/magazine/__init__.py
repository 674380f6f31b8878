"""Reading the magazine: which issues a person may see, the archive and search, the reader's pages,
reading records and helpful votes. Visibility is always worked out from the clock (see
domain.magazine), so a scheduled issue appears at its second with nothing to run."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, delete, exists, func, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import lazyload, selectinload

from elearn import db
from elearn.domain.magazine import Audience, InboxStatus, IssueStatus, StoredStatus, audience_includes, reading_minutes
from elearn.domain.people import OrgKind
from elearn.models import (
    Course,
    InboxItem,
    MagazineHelpful,
    MagazineIssue,
    MagazineIssueCourse,
    MagazineIssuePerson,
    MagazineIssueTag,
    MagazinePage,
    MagazinePageImage,
    MagazineRead,
    OrgUnit,
    Sticker,
    User,
)

ARCHIVE_PAGE_SIZE = 24


def is_prefecture_staff(user: User) -> bool:
    return user.body.kind == OrgKind.PREFECTURE  # the body comes with the signed-in person (load_user)


def published(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """The SQL form of domain.magazine.is_visible_to_readers (`now` may be a parameter of a statement built once)."""
    return and_(MagazineIssue.stored_status == StoredStatus.APPROVED, MagazineIssue.publish_at <= now)


def readable_by(reader: User, now: datetime) -> ColumnElement[bool]:
    return _readable(is_prefecture_staff(reader), now)


def _readable(prefecture_staff: bool, now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """Published, and for the prefecture's own staff or shared with the municipalities."""
    return and_(published(now), true() if prefecture_staff else MagazineIssue.audience == Audience.SHARED)


def readable_in_body(body_id: int | None, now: datetime) -> ColumnElement[bool]:
    """readable_by for any reader of the body (the prefecture's staff read prefecture-only issues too)."""
    prefecture = select(OrgUnit.id).where(OrgUnit.id == body_id, OrgUnit.kind == OrgKind.PREFECTURE).exists()
    return and_(published(now), or_(MagazineIssue.audience == Audience.SHARED, prefecture))


# Every page turn of the reader reads the issue: built once, for the prefecture's staff and for others.
_READABLE_ISSUE = {
    prefecture_staff: select(MagazineIssue).where(MagazineIssue.number == bindparam("number"),
                                                  _readable(prefecture_staff, bindparam("now")))
    for prefecture_staff in (True, False)
}


def readable_issue(reader: User, number: int, now: datetime) -> MagazineIssue | None:
    return db.session().scalar(_READABLE_ISSUE[is_prefecture_staff(reader)], {"number": number, "now": now})


def readable_issue_details(reader: User, number: int, now: datetime) -> MagazineIssue | None:
    """readable_issue with what the reader shows (issue_details), in the same read of the issue."""
    return db.session().scalar(_READABLE_ISSUE_DETAILS[is_prefecture_staff(reader)], {"number": number, "now": now})


@dataclass(frozen=True)
class IssueCard:
    issue: MagazineIssue
    cover_page_id: int | None
    cover_etag: str
    page_count: int
    minutes: int
    is_read: bool


@dataclass(frozen=True)
class Archive:
    cards: list[IssueCard]
    total: int
    page: int
    pages: int
    tags: list[tuple[str, int]]  # every tag in use on readable issues, with how many issues carry it


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(query: Select, q: str) -> Select:
    """Every word must appear in the title, the summary or a page's transcript."""
    for word in q.split()[:8]:
        pattern = _like(word)
        query = query.where(or_(
            MagazineIssue.title.ilike(pattern, escape="\\"),
            MagazineIssue.summary.ilike(pattern, escape="\\"),
            exists().where(MagazinePage.issue_id == MagazineIssue.id,
                           MagazinePage.search_text.ilike(pattern, escape="\\")),
        ))
    return query


def archive(reader: User, now: datetime, tag: str | None = None, q: str = "", page: int = 1) -> Archive:
    session = db.session()
    visible = readable_by(reader, now)
    query = select(MagazineIssue).where(visible)
    if tag:
        query = query.where(MagazineIssue.tag_rows.any(MagazineIssueTag.tag == tag))
    if q.strip():
        query = _search(query, q)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // ARCHIVE_PAGE_SIZE))
    page = min(max(page, 1), pages)
    issues = list(session.scalars(query.order_by(MagazineIssue.publish_at.desc(), MagazineIssue.number.desc())
                                  .limit(ARCHIVE_PAGE_SIZE).offset((page - 1) * ARCHIVE_PAGE_SIZE)))
    tags = session.execute(
        select(MagazineIssueTag.tag, func.count()).join(MagazineIssue).where(visible)
        .group_by(MagazineIssueTag.tag).order_by(func.count().desc(), MagazineIssueTag.tag)).all()
    return Archive(cards(reader, issues), total, page, pages, [(name, count) for name, count in tags])


# Built once (each card list and the home page read them): building a select cost more than running it.
_PAGE_TEXTS = (select(MagazinePage.issue_id, MagazinePage.id, MagazinePage.search_text)
               .where(MagazinePage.issue_id.in_(bindparam("issue_ids", expanding=True)))
               .order_by(MagazinePage.position, MagazinePage.id))
_ISSUES_READ = select(MagazineRead.issue_id).where(
    MagazineRead.user_id == bindparam("user_id"), MagazineRead.issue_id.in_(bindparam("issue_ids", expanding=True)))
_THUMB_ETAGS = select(MagazinePageImage.page_id, MagazinePageImage.etag).where(
    MagazinePageImage.page_id.in_(bindparam("page_ids", expanding=True)), MagazinePageImage.variant == "thumb")


def cards(reader: User | None, issues: list[MagazineIssue]) -> list[IssueCard]:
    """Cover, page count, reading time and read mark of each issue: three queries for any number."""
    if not issues:
        return []
    session = db.session()
    ids = [issue.id for issue in issues]
    texts: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for issue_id, page_id, text in session.execute(_PAGE_TEXTS, {"issue_ids": ids}):
        texts[issue_id].append((page_id, text))
    read = set() if reader is None else set(
        session.scalars(_ISSUES_READ, {"user_id": reader.id, "issue_ids": ids}))
    covers = {issue.id: cover_page_id(issue, [page_id for page_id, _ in texts[issue.id]]) for issue in issues}
    etags = dict(session.execute(_THUMB_ETAGS, {"page_ids": [cover for cover in covers.values() if cover]}).all())
    return [IssueCard(issue, covers[issue.id], etags.get(covers[issue.id], ""), len(texts[issue.id]),
                      reading_minutes([text for _, text in texts[issue.id]]) if texts[issue.id] else 0,
                      issue.id in read) for issue in issues]


def cover_page_id(issue: MagazineIssue, page_ids: list[int]) -> int | None:
    """The chosen cover if it is still one of the pages, else the first page."""
    if issue.cover_page_id in page_ids:
        return issue.cover_page_id
    return page_ids[0] if page_ids else None


# The home page's latest issue, for the prefecture's staff (every audience) and for others (shared issues); its
# tags are not shown there, so they are read only if asked for.
_LATEST = {
    prefecture_staff: select(MagazineIssue).where(_readable(prefecture_staff, bindparam("now")))
    .options(lazyload(MagazineIssue.tag_rows))
    .order_by(MagazineIssue.publish_at.desc(), MagazineIssue.number.desc()).limit(1)
    for prefecture_staff in (True, False)
}


def latest(reader: User, now: datetime) -> IssueCard | None:
    issue = db.session().scalar(_LATEST[is_prefecture_staff(reader)], {"now": now})
    return cards(reader, [issue])[0] if issue else None


@dataclass(frozen=True)
class ReaderPage:
    page: MagazinePage
    widths: dict[str, tuple[int, str]]  # variant -> (width, etag)


def reader_pages(issue: MagazineIssue) -> list[ReaderPage]:
    """The pages in order with the encodings each has (not their bytes): two queries."""
    session = db.session()
    pages = list(session.scalars(select(MagazinePage).where(MagazinePage.issue_id == issue.id)
                                 .order_by(MagazinePage.position, MagazinePage.id)))
    variants: dict[int, dict[str, tuple[int, str]]] = defaultdict(dict)
    for page_id, variant, width, etag in session.execute(
            select(MagazinePageImage.page_id, MagazinePageImage.variant, MagazinePageImage.width,
                   MagazinePageImage.etag).where(MagazinePageImage.page_id.in_([page.id for page in pages]))):
        variants[page_id][variant] = (width, etag)
    return [ReaderPage(page, variants[page.id]) for page in pages]


# Built once (every page turn reads it). The reader has read the issue with its tags already; the people are named
# in the credits: their tiers and grants, which a person loads by default, are read only if asked for.
_DETAILS = (
    lazyload(MagazineIssue.tag_rows),
    selectinload(MagazineIssue.course_rows).joinedload(MagazineIssueCourse.course).selectinload(Course.versions),
    selectinload(MagazineIssue.person_rows).joinedload(MagazineIssuePerson.user)
    .options(lazyload(User.tier_rows), lazyload(User.grants)),
)
_ISSUE_DETAILS = select(MagazineIssue).where(MagazineIssue.id == bindparam("issue_id")).options(*_DETAILS)
_READABLE_ISSUE_DETAILS = {prefecture_staff: statement.options(*_DETAILS)
                           for prefecture_staff, statement in _READABLE_ISSUE.items()}


def issue_details(issue_id: int) -> MagazineIssue:
    """An issue with its related courses and the staff who appear, for the credits."""
    return db.session().scalar(_ISSUE_DETAILS, {"issue_id": issue_id})


def page_image(page_id: int, variant: str) -> tuple[MagazinePageImage, MagazineIssue] | None:
    row = db.session().execute(
        select(MagazinePageImage, MagazineIssue).join(MagazinePage, MagazinePage.id == MagazinePageImage.page_id)
        .join(MagazineIssue).where(MagazinePageImage.page_id == page_id, MagazinePageImage.variant == variant)
    ).first()
    return (row[0], row[1]) if row else None


def may_see_image(viewer: User, issue: MagazineIssue, now: datetime, is_author: bool) -> bool:
    if is_author:
        return True
    if issue.status_at(now) is not IssueStatus.PUBLISHED:
        return False
    return audience_includes(issue.audience, is_prefecture_staff(viewer))


def _insert_ignoring_duplicates(model, values: dict) -> None:  # type: ignore[no-untyped-def]
    """INSERT that does nothing when the row exists: the first read (or vote) is the one kept, and
    two tabs finishing at once do not fail."""
    session = db.session()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def mark_read(reader: User, issue: MagazineIssue, now: datetime) -> None:
    with db.write_session():
        _insert_ignoring_duplicates(MagazineRead, {"issue_id": issue.id, "user_id": reader.id,
                                                   "body_id": reader.body_id, "read_at": now})


def set_helpful(reader: User, issue: MagazineIssue, helpful: bool, now: datetime) -> None:
    with db.write_session() as session:
        if helpful:
            _insert_ignoring_duplicates(MagazineHelpful, {"issue_id": issue.id, "user_id": reader.id, "voted_at": now})
        else:
            session.execute(delete(MagazineHelpful).where(MagazineHelpful.issue_id == issue.id,
                                                          MagazineHelpful.user_id == reader.id))


@dataclass(frozen=True)
class ReaderMarks:
    helpful: bool  # this reader found it helpful
    helpful_count: int  # how many did
    has_read: bool


_READER_MARKS = select(
    select(func.count()).where(MagazineHelpful.issue_id == bindparam("issue_id")).scalar_subquery(),
    exists().where(MagazineHelpful.issue_id == bindparam("issue_id"), MagazineHelpful.user_id == bindparam("user_id")),
    exists().where(MagazineRead.issue_id == bindparam("issue_id"), MagazineRead.user_id == bindparam("user_id")))


def reader_marks(reader: User, issue: MagazineIssue) -> ReaderMarks:
    """The reader's own marks on an issue and its helpful count, in one statement (every page turn shows them)."""
    count, helpful, read = db.session().execute(_READER_MARKS, {"issue_id": issue.id, "user_id": reader.id}).one()
    return ReaderMarks(bool(helpful), count or 0, bool(read))


def feed_issues(reader: User, now: datetime, limit: int = 30) -> list[MagazineIssue]:
    return list(db.session().scalars(select(MagazineIssue).where(readable_by(reader, now))
                                     .order_by(MagazineIssue.publish_at.desc()).limit(limit)))


def is_credited(person_id: int, reader_body_id: int | None, now: datetime) -> bool:
    """The person is named in the credits of an issue a reader of that body may read: appearing in it,
    an adopted idea sent under their name, or a sticker awarded for it."""
    credited = or_(
        MagazineIssue.person_rows.any(MagazineIssuePerson.user_id == person_id),
        exists().where(InboxItem.adopted_issue_id == MagazineIssue.id, InboxItem.sender_id == person_id,
                       InboxItem.status == InboxStatus.ADOPTED, InboxItem.anonymous.is_(False)),
        exists().where(Sticker.issue_id == MagazineIssue.id, Sticker.user_id == person_id),
    )
    return db.session().scalar(
        select(MagazineIssue.id).where(readable_in_body(reader_body_id, now), credited).limit(1)) is not None


def appearances(reader: User, person: User, now: datetime) -> list[MagazineIssue]:
    """Published issues (that `reader` may see) in which `person` appears."""
    return list(db.session().scalars(select(MagazineIssue).where(
        readable_by(reader, now), MagazineIssue.person_rows.any(MagazineIssuePerson.user_id == person.id))
        .order_by(MagazineIssue.number.desc())))
