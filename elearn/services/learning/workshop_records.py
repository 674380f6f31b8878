"""Where a learner stands with a course's workshop: read by the quiz and the completion rules, which must not
depend on the submission and review service (services/workshops.py)."""

from __future__ import annotations

from sqlalchemy import select

from elearn import db
from elearn.domain.workshops import Round, SubmissionStatus, WorkshopState, state
from elearn.models import WorkshopSubmission


def rounds_of(user_id: int, course_id: int) -> list[WorkshopSubmission]:
    """Every round, oldest first (without the files)."""
    return list(db.session().scalars(
        select(WorkshopSubmission).where(WorkshopSubmission.user_id == user_id,
                                         WorkshopSubmission.course_id == course_id)
        .order_by(WorkshopSubmission.round)))


def state_of(rounds: list[WorkshopSubmission]) -> WorkshopState:
    return state([Round(r.round, r.status) for r in rounds])


def is_accepted(user_id: int, course_id: int) -> bool:
    return db.session().scalar(select(WorkshopSubmission.id).where(
        WorkshopSubmission.user_id == user_id, WorkshopSubmission.course_id == course_id,
        WorkshopSubmission.status == SubmissionStatus.ACCEPTED).limit(1)) is not None
