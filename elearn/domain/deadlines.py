"""How a required course's deadline stands for one learner: days left, and whether it is overdue or near.

The deadline itself is the one the team report uses (course deadlines per fiscal year, set by admins);
"overdue" is `completion.is_overdue`, so the learner and their manager read the same day the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from elearn.domain import completion

# Two weeks: long enough to fit a course (an hour or two) into a busy month.
DUE_SOON_DAYS = 14


class DeadlineState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OK = "ok"
    MET = "met"  # completed: the deadline asks nothing more


@dataclass(frozen=True)
class DeadlineStanding:
    due_on: date
    days_left: int  # negative once the deadline has passed; 0 on the day itself
    state: DeadlineState

    @property
    def days_over(self) -> int:
        return max(0, -self.days_left)


def standing(due_on: date | None, is_completed: bool, today: date,
             soon_days: int = DUE_SOON_DAYS) -> DeadlineStanding | None:
    """None without a deadline; the deadline day itself is still in time (as on the team page)."""
    if due_on is None:
        return None
    days_left = (due_on - today).days
    if is_completed:
        state = DeadlineState.MET
    elif completion.is_overdue(None, due_on, today):
        state = DeadlineState.OVERDUE
    elif days_left <= soon_days:
        state = DeadlineState.DUE_SOON
    else:
        state = DeadlineState.OK
    return DeadlineStanding(due_on, days_left, state)


def urgency(deadline: DeadlineStanding | None, is_completed: bool) -> tuple[bool, bool, date]:
    """Sort key for a learner's required courses: overdue first (longest overdue first), then the nearest
    deadline, then those without one; completed courses last."""
    return (is_completed, deadline is None, deadline.due_on if deadline else date.max)
