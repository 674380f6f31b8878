"""Who must take a course, how far they are, and which fiscal year a completion counts for."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from enum import StrEnum

from elearn.clock import TOKYO
from elearn.domain.fiscal import fiscal_year
from elearn.domain.people import Tier


class CourseStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


def is_required(course_tiers: Collection[Tier], required_for_grades: Collection[str],
                person_tiers: Collection[Tier], person_grade: str | None) -> bool:
    """Required when the person is in one of the course's tiers or holds one of its grades."""
    return bool(set(course_tiers) & set(person_tiers)) or (person_grade in required_for_grades)


def is_complete(lessons: Collection[str], lessons_read: Collection[str], quiz_passed: bool) -> bool:
    """Every lesson read and the quiz passed."""
    return quiz_passed and set(lessons) <= set(lessons_read)


def status(lessons: Collection[str], lessons_read: Collection[str], quiz_passed: bool,
           has_attempted_quiz: bool) -> CourseStatus:
    if is_complete(lessons, lessons_read, quiz_passed):
        return CourseStatus.COMPLETED
    if set(lessons_read) & set(lessons) or has_attempted_quiz:
        return CourseStatus.IN_PROGRESS
    return CourseStatus.NOT_STARTED


def progress_percent(lessons: Collection[str], lessons_read: Collection[str], quiz_passed: bool) -> int:
    """Lessons and the quiz as equal steps."""
    steps = len(lessons) + 1
    done = len(set(lessons) & set(lessons_read)) + (1 if quiz_passed else 0)
    return done * 100 // steps


def completion_fiscal_year(completed_at: datetime) -> int:
    """The fiscal year of the day in Japan on which the course was completed."""
    return fiscal_year(completed_at.astimezone(TOKYO).date())


def is_due_again(completed_in: Collection[int], recurrence_years: int | None, current_year: int) -> bool:
    """A recurring course is due when no completion falls within the last N fiscal years."""
    if not completed_in:
        return True
    if recurrence_years is None:
        return False
    return current_year - max(completed_in) >= recurrence_years


def completion_for_year(completions: Collection[tuple[int, date]], recurrence_years: int | None,
                        year: int) -> date | None:
    """The latest completion (fiscal year, day) that meets the course for fiscal year `year`: any
    earlier one, or for a recurring course one within its last N years."""
    meeting = [day for done_in, day in completions
               if done_in <= year and (recurrence_years is None or year - done_in < recurrence_years)]
    return max(meeting, default=None)


def is_overdue(completed_on: date | None, due_on: date | None, today: date) -> bool:
    """Not completed and the deadline has passed (the deadline day itself is still in time)."""
    return completed_on is None and due_on is not None and today > due_on


def is_late(completed_on: date | None, due_on: date | None) -> bool:
    return completed_on is not None and due_on is not None and completed_on > due_on
