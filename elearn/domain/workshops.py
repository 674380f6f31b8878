"""Workshop assignments: a learner submits a worksheet, a reviewer accepts it or returns it with a comment.

The course completes only once its workshop is accepted (and its lessons and quiz are done). A returned
submission is answered by a new round; a pending one may be replaced until someone reviews it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

MAX_TEXT_CHARACTERS = 20_000
MAX_COMMENT_CHARACTERS = 4_000


class SubmissionStatus(StrEnum):
    SUBMITTED = "submitted"  # waiting for a reviewer
    ACCEPTED = "accepted"
    RETURNED = "returned"  # the learner is to revise and submit again


class WorkshopState(StrEnum):
    """Where a learner stands with a course's workshop."""

    NOT_SUBMITTED = "not_submitted"
    WAITING = "waiting"
    RETURNED = "returned"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class Round:
    number: int
    status: SubmissionStatus


def state(rounds: Sequence[Round]) -> WorkshopState:
    """Accepted once any round was; otherwise as the latest round stands."""
    if any(r.status is SubmissionStatus.ACCEPTED for r in rounds):
        return WorkshopState.ACCEPTED
    if not rounds:
        return WorkshopState.NOT_SUBMITTED
    latest = max(rounds, key=lambda r: r.number)
    return WorkshopState.WAITING if latest.status is SubmissionStatus.SUBMITTED else WorkshopState.RETURNED


def may_submit(current: WorkshopState) -> bool:
    """A first round, a revision of a returned one, or a replacement of one nobody has reviewed yet."""
    return current is not WorkshopState.ACCEPTED


def replaces_pending(current: WorkshopState) -> bool:
    return current is WorkshopState.WAITING


def review_problem(accept: bool, comment: str) -> str | None:
    """Why a review cannot be saved as given: a return must say what to fix."""
    if len(comment) > MAX_COMMENT_CHARACTERS:
        return "comment_too_long"
    if not accept and not comment.strip():
        return "comment_needed"
    return None


def submission_problem(text: str, has_file: bool) -> str | None:
    if len(text) > MAX_TEXT_CHARACTERS:
        return "text_too_long"
    if not text.strip() and not has_file:
        return "empty"
    return None
