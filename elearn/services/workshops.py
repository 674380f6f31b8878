"""Workshop submissions and their review (domain/workshops.py has the rules).

Files are checked by content as other uploads are: PDF and Office documents by documents.checked_type (no
macros, no ZIP bombs), images decoded and re-encoded so only pixels survive. They are stored with the round,
read only by its author and reviewers (services/visibility.py).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from elearn import db
from elearn.clock import utcnow
from elearn.domain import workshops as rules
from elearn.domain.documents import DocumentRefused, checked_type
from elearn.domain.notices import NoticeKind
from elearn.domain.people import Permission
from elearn.domain.workshops import SubmissionStatus, WorkshopState
from elearn.models import Course, OrgUnit, RoleGrant, User, WorkshopSubmission
from elearn.services import audit, notices, visibility
from elearn.services.files.images import ImageRejected, open_upload
from elearn.services.learning import completions, content
from elearn.services.learning.workshop_records import rounds_of, state_of
from elearn.services.people import orgs
from elearn.services.visibility import Viewer

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_EXTENSIONS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}
QUEUE_LIMIT = 500


class SubmissionRefused(ValueError):
    """args[0] is a reason code the page words: empty, text_too_long, accepted, type, size, macros, damaged,
    image_* (see files.images)."""


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str


def submit(author: User, course_id: int, text: str, upload: Upload | None) -> WorkshopSubmission:
    """A first round, a revision of a returned round, or a replacement of a round nobody has reviewed."""
    text = text.replace("\r\n", "\n").strip()
    problem = rules.submission_problem(text, upload is not None)
    if problem:
        raise SubmissionRefused(problem)
    stored = _checked_file(upload) if upload else None
    rounds = rounds_of(author.id, course_id)
    current = state_of(rounds)
    if not rules.may_submit(current):
        raise SubmissionRefused("accepted")
    try:
        submission_id = _store(author, course_id, text, stored, rounds, current)
    except IntegrityError:  # the same round sent from another window a moment earlier
        raise SubmissionRefused("sent_twice") from None
    db.session().expire_all()
    return db.session().get(WorkshopSubmission, submission_id)


def _store(author: User, course_id: int, text: str, stored: tuple[str, str, bytes] | None,
           rounds: list[WorkshopSubmission], current: WorkshopState) -> int:
    now = utcnow()
    with db.write_session() as session:
        course = session.get(Course, course_id)
        if stored is None and rounds and rounds[-1].filename and not rules.replaces_pending(current):
            # A revision with nothing attached carries the last round's file on (a replaced pending round
            # simply keeps its own), so a text edit keeps the sheet.
            stored = (rounds[-1].filename, rounds[-1].content_type, file_of(rounds[-1]))
        file_values = ({"filename": stored[0], "content_type": stored[1], "size": len(stored[2]),
                        "etag": hashlib.sha256(stored[2]).hexdigest(), "content": stored[2]} if stored else {})
        if rules.replaces_pending(current):
            pending = rounds[-1]
            changed = session.execute(
                update(WorkshopSubmission)
                .where(WorkshopSubmission.id == pending.id, WorkshopSubmission.status == SubmissionStatus.SUBMITTED)
                .values(text=text, submitted_at=now, revision=WorkshopSubmission.revision + 1,
                        course_version_id=course.current_version.id, **file_values)).rowcount
            if changed != 1:  # reviewed a moment ago: the learner sees the review instead
                raise SubmissionRefused("reviewed_meanwhile")
            submission_id, number = pending.id, pending.round
        else:
            number = (rounds[-1].round + 1) if rounds else 1
            submission = WorkshopSubmission(user_id=author.id, course_id=course_id,
                                            course_version_id=course.current_version.id, round=number, text=text,
                                            submitted_at=now, **file_values)
            session.add(submission)
            session.flush()
            submission_id = submission.id
        audit.record(session, author, "workshop.submit", course.slug, round=number)
        title = _title(course)
        notices.deliver(session, [
            notices.Delivery(reviewer_id, NoticeKind.WORKSHOP_SUBMITTED,
                             {"title": title, "name": author.name, "submission": submission_id},
                             f"workshop-submitted-{submission_id}-{number}")
            for reviewer_id in reviewers_of(session, author)])
    return submission_id


def _title(course: Course) -> str:
    source = content.tree().course(course.slug)
    return source.title if source else course.slug


def _checked_file(upload: Upload) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) as stored; images come back re-encoded."""
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "worksheet"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in IMAGE_EXTENSIONS:
        try:
            image = open_upload(upload.data, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS)
        except ImageRejected as rejected:
            raise SubmissionRefused(f"image_{rejected.args[0]}") from None
        out = io.BytesIO()
        if IMAGE_EXTENSIONS[extension] == "JPEG":
            image.convert("RGB").save(out, "JPEG", quality=90)
            return name, "image/jpeg", out.getvalue()
        image.save(out, "PNG")
        return name.rsplit(".", 1)[0] + ".png", "image/png", out.getvalue()
    try:
        return name, checked_type(upload.data, name), upload.data
    except DocumentRefused as refused:
        raise SubmissionRefused(str(refused)) from None


def reviewers_of(session, author: User) -> list[int]:  # type: ignore[no-untyped-def]
    """Who is told of a new submission: managers of the author's unit or any unit above it, and their body's
    training office; never the author."""
    path = [unit.id for unit in orgs.unit_path(author.division)]
    rows = session.execute(
        select(RoleGrant.user_id).join(User, User.id == RoleGrant.user_id).where(
            User.is_active.is_(True), RoleGrant.user_id != author.id,
            ((RoleGrant.permission == Permission.MANAGER) & RoleGrant.org_unit_id.in_(path))
            | ((RoleGrant.permission == Permission.ORGANISER) & (RoleGrant.org_unit_id == author.body_id)))
        .distinct())
    return sorted(rows.scalars())


@dataclass(frozen=True)
class ReviewOutcome:
    submission: WorkshopSubmission
    completed: bool  # the acceptance completed the course


def review(reviewer: User, submission_id: int, revision: int, accept: bool, comment: str) -> ReviewOutcome:
    """Accept or return a round as the reviewer saw it (`revision`): a round replaced or reviewed since is
    refused with 'changed'. Raises LookupError when the reviewer may not review it."""
    submission = reviewable(visibility.viewer_of(reviewer), submission_id)
    if submission is None:
        raise LookupError(submission_id)
    comment = comment.replace("\r\n", "\n").strip()
    problem = rules.review_problem(accept, comment)
    if problem:
        raise SubmissionRefused(problem)
    status = SubmissionStatus.ACCEPTED if accept else SubmissionStatus.RETURNED
    with db.write_session() as session:
        changed = session.execute(
            update(WorkshopSubmission)
            .where(WorkshopSubmission.id == submission_id, WorkshopSubmission.revision == revision,
                   WorkshopSubmission.status == SubmissionStatus.SUBMITTED)
            .values(status=status, reviewer_id=reviewer.id, review_comment=comment, reviewed_at=utcnow())).rowcount
        if changed != 1:
            raise SubmissionRefused("changed")
        course = session.get(Course, submission.course_id)
        audit.record(session, reviewer, "workshop.accept" if accept else "workshop.return", course.slug,
                     person=submission.user_id, round=submission.round)
        notices.notify(session, submission.user_id, NoticeKind.WORKSHOP_REVIEWED,
                       {"title": _title(course), "slug": course.slug, "accepted": accept, "comment": comment[:300]})
    db.session().expire_all()
    author = db.session().get(User, submission.user_id)
    completed = accept and completions.complete_if_done(author, submission.course_id)
    return ReviewOutcome(db.session().get(WorkshopSubmission, submission_id), completed)


# --- reading -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    state: WorkshopState
    rounds: list[WorkshopSubmission]

    @property
    def latest(self) -> WorkshopSubmission | None:
        return self.rounds[-1] if self.rounds else None


def standing(user_id: int, course_id: int) -> Standing:
    rounds = rounds_of(user_id, course_id)
    return Standing(state_of(rounds), rounds)


def reviewable(viewer: Viewer, submission_id: int) -> WorkshopSubmission | None:
    """The round if the viewer may review it, else None: the view answers 404."""
    submission = db.session().get(WorkshopSubmission, submission_id)
    if submission is None or not visibility.may_review_submission(viewer, submission):
        return None
    return submission


def readable(viewer: Viewer, submission_id: int) -> WorkshopSubmission | None:
    """The round if the viewer may read it (its author or a reviewer), else None: the view answers 404."""
    submission = db.session().get(WorkshopSubmission, submission_id)
    if submission is None or not visibility.may_read_submission(viewer, submission):
        return None
    return submission


def file_of(submission: WorkshopSubmission) -> bytes | None:
    return db.session().scalar(select(WorkshopSubmission.content).where(WorkshopSubmission.id == submission.id))


@dataclass(frozen=True)
class QueueRow:
    submission: WorkshopSubmission
    division: OrgUnit


def queue(viewer: Viewer, waiting_only: bool) -> tuple[list[QueueRow], int]:
    """Rounds the viewer may review (oldest waiting first; then the latest reviewed), and how many wait."""
    condition = visibility.reviewable_condition(viewer)
    base = select(WorkshopSubmission).join(User, User.id == WorkshopSubmission.user_id).where(condition)
    waiting = db.session().scalar(select(func.count()).select_from(
        base.where(WorkshopSubmission.status == SubmissionStatus.SUBMITTED).subquery()))
    query = base.options(joinedload(WorkshopSubmission.user).joinedload(User.division),
                         joinedload(WorkshopSubmission.course), joinedload(WorkshopSubmission.reviewer))
    if waiting_only:
        query = query.where(WorkshopSubmission.status == SubmissionStatus.SUBMITTED).order_by(
            WorkshopSubmission.submitted_at, WorkshopSubmission.id)
    else:
        query = query.order_by(WorkshopSubmission.submitted_at.desc(), WorkshopSubmission.id.desc())
    rows = db.session().scalars(query.limit(QUEUE_LIMIT)).unique()
    return [QueueRow(row, row.user.division) for row in rows], waiting or 0


def waiting_count(viewer: Viewer) -> int:
    if not visibility.may_review_workshops(viewer):
        return 0
    return db.session().scalar(
        select(func.count(WorkshopSubmission.id)).join(User, User.id == WorkshopSubmission.user_id)
        .where(visibility.reviewable_condition(viewer), WorkshopSubmission.status == SubmissionStatus.SUBMITTED)) or 0
