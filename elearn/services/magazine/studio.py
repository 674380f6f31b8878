"""Making the magazine: issues and their pages and the author/editor workflow (the calendar is in
magazine_calendar, readership in magazine_readership).

Authors write drafts and submit them for review; editors (authors with the editor flag) approve with a
publication time, take an issue back to draft, withdraw it or restore it. Only a draft's pages can be
added, removed or reordered; an approved issue's text can still be corrected by an editor.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from elearn import db
from elearn.domain import magazine as rules
from elearn.domain.magazine import Audience, IssueStatus, PageText, StoredStatus
from elearn.domain.people import Permission
from elearn.models import (
    Course,
    MagazineIssue,
    MagazineIssueCourse,
    MagazineIssuePerson,
    MagazineIssueTag,
    MagazinePage,
    MagazinePageImage,
    OrgUnit,
    User,
)
from elearn.services import audit
from elearn.services.files.images import ImageRejected
from elearn.services.magazine.page_images import ProcessedPage, process_page

MAX_TAGS = 8
MAX_TAG_LENGTH = 50
MAX_PAGES_PER_UPLOAD = 40
ISSUE_NUMBER_LOCK = 0x6D6167  # any constant shared by every worker; spells "mag"
TAG_SEPARATORS = ",、，;；\n"


class StudioError(ValueError):
    """A refused change. `code` says which; `detail` names the page, file or entry concerned."""

    def __init__(self, code: str, detail: object = None) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


class PageRejected(StudioError):
    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(reason, filename)


def is_author(user: User) -> bool:
    return user.has_permission(Permission.AUTHOR)


@dataclass
class IssueFields:
    title: str
    summary: str
    audience: Audience
    tags: list[str] = field(default_factory=list)
    course_ids: list[int] = field(default_factory=list)
    people: list[str] = field(default_factory=list)  # staff numbers, "M100:200045" for another body


def parse_tags(text: str) -> list[str]:
    """Tags typed in one box, separated by commas (ASCII or Japanese) or new lines; full-width
    letters and digits folded (Ｅｘｃｅｌ = Excel), duplicates dropped, order kept."""
    for separator in TAG_SEPARATORS:
        text = text.replace(separator, ",")
    tags: list[str] = []
    for raw in text.split(","):
        tag = unicodedata.normalize("NFKC", raw).strip()
        if tag and tag not in tags:
            tags.append(tag)
    if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        raise StudioError("tag_too_long", next(tag for tag in tags if len(tag) > MAX_TAG_LENGTH))
    if len(tags) > MAX_TAGS:
        raise StudioError("too_many_tags", MAX_TAGS)
    return tags


def parse_people(text: str) -> list[str]:
    return [entry.strip() for entry in text.replace(",", "\n").replace("、", "\n").splitlines() if entry.strip()]


def _resolve_people(session: Session, entries: list[str], default_body_id: int) -> list[int]:
    codes = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    ids: list[int] = []
    for entry in entries:
        code, _, number = unicodedata.normalize("NFKC", entry).rpartition(":")
        body_id = codes.get(code.strip()) if code else default_body_id
        user_id = session.scalar(select(User.id).where(User.body_id == body_id, User.staff_number == number.strip()))
        if body_id is None or user_id is None:
            raise StudioError("unknown_person", entry)
        if user_id not in ids:
            ids.append(user_id)
    return ids


def _apply_fields(session: Session, actor: User, issue: MagazineIssue, fields: IssueFields) -> None:
    issue.title, issue.summary, issue.audience = fields.title.strip(), fields.summary.strip(), fields.audience
    people = _resolve_people(session, fields.people, actor.body_id)
    courses = set(session.scalars(select(Course.id).where(Course.id.in_(fields.course_ids))))
    issue.tag_rows = [MagazineIssueTag(tag=tag) for tag in fields.tags]
    issue.course_rows = [MagazineIssueCourse(course_id=course_id) for course_id in fields.course_ids
                         if course_id in courses]
    issue.person_rows = [MagazineIssuePerson(user_id=user_id) for user_id in people]


def create_issue(actor: User, fields: IssueFields) -> MagazineIssue:
    """A new draft with the next number. Authors creating at once queue for the number: SQLite's
    IMMEDIATE transaction already does; PostgreSQL takes a transaction-scoped advisory lock."""
    with db.write_session() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ISSUE_NUMBER_LOCK})
        used = session.scalar(select(func.max(MagazineIssue.number)))
        issue = MagazineIssue(number=rules.next_issue_number([used] if used else []),
                              created_by_id=actor.id, title="", audience=fields.audience)
        _apply_fields(session, actor, issue, fields)
        session.add(issue)
        session.flush()
        audit.record(session, actor, "magazine.create", f"issue:{issue.number}", title=issue.title)
        return issue


def course_titles() -> list[tuple[int, str]]:
    """Active courses by their current title, for linking an issue to them."""
    courses = db.session().scalars(select(Course).where(Course.is_active.is_(True))
                                   .options(selectinload(Course.versions)))
    return sorted(((course.id, course.current_version.title) for course in courses if course.current_version),
                  key=lambda choice: choice[1])


def get_issue(issue_id: int) -> MagazineIssue | None:
    return db.session().get(MagazineIssue, issue_id)


def can_edit_text(actor: User, issue: MagazineIssue) -> bool:
    """Drafts: any author. Approved (scheduled or out): editors, to correct. Withdrawn: nobody."""
    if issue.stored_status is StoredStatus.DRAFT:
        return is_author(actor)
    return issue.stored_status is StoredStatus.APPROVED and actor.is_magazine_editor


def can_change_pages(actor: User, issue: MagazineIssue) -> bool:
    return issue.stored_status is StoredStatus.DRAFT and is_author(actor)


def _editable(session: Session, actor: User, issue_id: int, pages: bool = False) -> MagazineIssue:
    issue = session.get(MagazineIssue, issue_id)
    if issue is None:
        raise StudioError("not_found")
    if not (can_change_pages(actor, issue) if pages else can_edit_text(actor, issue)):
        raise StudioError("not_editable")
    return issue


def update_issue(actor: User, issue_id: int, fields: IssueFields) -> None:
    with db.write_session() as session:
        issue = _editable(session, actor, issue_id)
        _apply_fields(session, actor, issue, fields)


def add_pages(actor: User, issue_id: int, uploads: list[tuple[str, bytes]]) -> int:
    """Re-encode every file first, then store them all in one transaction: one bad file refuses the
    whole upload, naming it, and nothing is half-stored."""
    if not uploads:
        raise StudioError("no_files")
    if len(uploads) > MAX_PAGES_PER_UPLOAD:
        raise StudioError("too_many_files", MAX_PAGES_PER_UPLOAD)
    processed: list[ProcessedPage] = []
    for filename, data in uploads:
        try:
            processed.append(process_page(data))
        except ImageRejected as rejected:
            raise PageRejected(filename, rejected.args[0]) from None
    with db.write_session() as session:
        issue = _editable(session, actor, issue_id, pages=True)
        last = session.scalar(select(func.max(MagazinePage.position)).where(MagazinePage.issue_id == issue.id)) or 0
        for offset, page in enumerate(processed, start=1):
            row = MagazinePage(issue_id=issue.id, position=last + offset, width=page.width, height=page.height)
            row.images = stored_images(page)
            session.add(row)
    return len(processed)


def stored_images(page: ProcessedPage) -> list[MagazinePageImage]:
    """The rows holding a processed page: full size, thumbnail and each narrower width."""
    encodings = [("full", page.width, page.full), ("thumb", 0, page.thumbnail),
                 *((str(width), width, data) for width, data in page.renditions.items())]
    return [MagazinePageImage(variant=variant, width=width, content=content,
                              etag=hashlib.sha256(content).hexdigest()[:32]) for variant, width, content in encodings]


@dataclass(frozen=True)
class PageEdit:
    transcript: str
    description: str
    is_spread: bool


def save_page_texts(actor: User, issue_id: int, edits: dict[int, PageEdit]) -> None:
    """Transcripts, descriptions and spread flags of several pages at once. An approved issue may not
    lose a page's text: it could not have been approved without it."""
    with db.write_session() as session:
        issue = _editable(session, actor, issue_id)
        pages = {page.id: page for page in issue.pages}
        for page_id, edit in edits.items():
            page = pages.get(page_id)
            if page is None:
                continue
            page.transcript = edit.transcript.strip()
            page.search_text = rules.plain_text(page.transcript)
            page.description = edit.description.strip()
            page.is_spread = edit.is_spread
        if issue.stored_status is StoredStatus.APPROVED:
            missing = rules.pages_missing_text(page_texts(issue))
            if missing:
                raise StudioError("missing_text", missing)


def page_texts(issue: MagazineIssue) -> list[PageText]:
    return [PageText(position, page.transcript, page.description)
            for position, page in enumerate(issue.pages, start=1)]


def move_page(actor: User, issue_id: int, page_id: int, step: int) -> None:
    with db.write_session() as session:
        issue = _editable(session, actor, issue_id, pages=True)
        pages = list(issue.pages)
        index = next((i for i, page in enumerate(pages) if page.id == page_id), None)
        if index is None or not 0 <= index + step < len(pages):
            return
        pages.insert(index + step, pages.pop(index))
        for position, page in enumerate(pages, start=1):
            page.position = position


def delete_page(actor: User, issue_id: int, page_id: int) -> None:
    with db.write_session() as session:
        issue = _editable(session, actor, issue_id, pages=True)
        page = next((page for page in issue.pages if page.id == page_id), None)
        if page is None:
            return
        issue.pages.remove(page)
        if issue.cover_page_id == page_id:
            issue.cover_page_id = None
        for position, remaining in enumerate(issue.pages, start=1):
            remaining.position = position


def set_cover(actor: User, issue_id: int, page_id: int) -> None:
    with db.write_session() as session:
        issue = _editable(session, actor, issue_id)
        if any(page.id == page_id for page in issue.pages):
            issue.cover_page_id = page_id


def submit_for_review(actor: User, issue_id: int, now: datetime) -> None:
    with db.write_session() as session:
        issue = _editable(session, actor, issue_id, pages=True)
        _check_publishable(issue)
        issue.submitted_at = now
        audit.record(session, actor, "magazine.submit", f"issue:{issue.number}")


def _check_publishable(issue: MagazineIssue) -> None:
    if not issue.pages:
        raise StudioError("no_pages")
    missing = rules.pages_missing_text(page_texts(issue))
    if missing:
        raise StudioError("missing_text", missing)


def _editor_action(session: Session, editor: User, issue_id: int) -> MagazineIssue:
    if not editor.is_magazine_editor:
        raise StudioError("editors_only")
    issue = session.get(MagazineIssue, issue_id)
    if issue is None:
        raise StudioError("not_found")
    return issue


def schedule(editor: User, issue_id: int, publish_at: datetime, now: datetime) -> None:
    """Approve for publication at `publish_at` (a moment in the past publishes at once). Refused while
    any page lacks its transcript or description."""
    with db.write_session() as session:
        issue = _editor_action(session, editor, issue_id)
        if issue.stored_status is StoredStatus.WITHDRAWN:
            raise StudioError("withdrawn")
        if issue.status_at(now) is IssueStatus.PUBLISHED:
            raise StudioError("already_published")
        _check_publishable(issue)
        issue.stored_status, issue.publish_at = StoredStatus.APPROVED, publish_at
        issue.approved_at, issue.approved_by_id = now, editor.id
        audit.record(session, editor, "magazine.schedule", f"issue:{issue.number}",
                     publish_at=publish_at.isoformat())


def unschedule(editor: User, issue_id: int, now: datetime) -> None:
    """A scheduled issue back to draft (before it is out; afterwards it can only be withdrawn)."""
    with db.write_session() as session:
        issue = _editor_action(session, editor, issue_id)
        if issue.status_at(now) is not IssueStatus.SCHEDULED:
            raise StudioError("not_scheduled")
        issue.stored_status, issue.publish_at, issue.approved_at, issue.approved_by_id = (
            StoredStatus.DRAFT, None, None, None)
        audit.record(session, editor, "magazine.unschedule", f"issue:{issue.number}")


def withdraw(editor: User, issue_id: int, now: datetime) -> None:
    with db.write_session() as session:
        issue = _editor_action(session, editor, issue_id)
        if issue.stored_status is StoredStatus.WITHDRAWN:
            return
        issue.stored_status, issue.withdrawn_at = StoredStatus.WITHDRAWN, now
        audit.record(session, editor, "magazine.withdraw", f"issue:{issue.number}")


def restore(editor: User, issue_id: int) -> None:
    """A withdrawn issue back to draft, keeping its number."""
    with db.write_session() as session:
        issue = _editor_action(session, editor, issue_id)
        if issue.stored_status is not StoredStatus.WITHDRAWN:
            return
        issue.stored_status, issue.publish_at, issue.withdrawn_at, issue.submitted_at = (
            StoredStatus.DRAFT, None, None, None)
        audit.record(session, editor, "magazine.restore", f"issue:{issue.number}")
