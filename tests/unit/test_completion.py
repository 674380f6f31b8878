from datetime import UTC, date, datetime

from elearn.domain.completion import (
    CourseStatus,
    completion_fiscal_year,
    completion_for_year,
    is_complete,
    is_due_again,
    is_late,
    is_overdue,
    is_required,
    progress_percent,
    status,
)
from elearn.domain.people import Tier

LESSONS = ["01-a", "02-b", "03-c"]


def test_a_course_is_required_by_tier_or_by_grade():
    assert is_required({Tier.ALL_STAFF}, set(), {Tier.ALL_STAFF}, None)
    assert is_required({Tier.DX_MANAGER}, {"課長級"}, {Tier.ALL_STAFF}, "課長級")
    assert not is_required({Tier.DX_SPECIALIST}, set(), {Tier.ALL_STAFF, Tier.DIGITAL_LEADER}, "主任・主事級")


def test_completion_needs_every_lesson_read_and_the_quiz_passed():
    assert is_complete(LESSONS, LESSONS, quiz_passed=True)
    assert not is_complete(LESSONS, LESSONS[:2], quiz_passed=True)
    assert not is_complete(LESSONS, LESSONS, quiz_passed=False)


def test_status_and_progress_follow_the_learner():
    assert status(LESSONS, [], False, False) is CourseStatus.NOT_STARTED
    assert status(LESSONS, ["01-a"], False, False) is CourseStatus.IN_PROGRESS
    assert status(LESSONS, [], False, True) is CourseStatus.IN_PROGRESS
    assert status(LESSONS, LESSONS, True, True) is CourseStatus.COMPLETED
    assert progress_percent(LESSONS, ["01-a", "02-b"], False) == 50
    assert progress_percent(LESSONS, LESSONS, True) == 100


def test_completion_counts_in_the_fiscal_year_of_the_day_in_japan():
    # 2026-03-31 15:30 UTC is already 1 April in Japan: the new fiscal year.
    assert completion_fiscal_year(datetime(2026, 3, 31, 15, 30, tzinfo=UTC)) == 2026
    assert completion_fiscal_year(datetime(2026, 3, 31, 14, 30, tzinfo=UTC)) == 2025


def test_a_yearly_course_is_due_again_in_the_next_fiscal_year_and_others_never():
    assert is_due_again([], 1, 2025)
    assert not is_due_again([2025], 1, 2025)
    assert is_due_again([2024], 1, 2025)
    assert not is_due_again([2023], 3, 2025)
    assert not is_due_again([2019], None, 2025)


def test_the_completion_that_meets_a_course_for_a_year():
    done = [(2023, date(2023, 6, 1)), (2024, date(2024, 7, 1))]
    assert completion_for_year(done, None, 2025) == date(2024, 7, 1)
    assert completion_for_year(done, None, 2023) == date(2023, 6, 1)
    assert completion_for_year(done, None, 2022) is None  # not yet done then
    assert completion_for_year(done, 1, 2025) is None  # a yearly course is due again
    assert completion_for_year(done, 2, 2025) == date(2024, 7, 1)
    assert completion_for_year([], None, 2025) is None


def test_overdue_is_after_the_deadline_day_and_only_while_not_completed():
    due = date(2025, 12, 26)
    assert not is_overdue(None, due, date(2025, 12, 26))
    assert is_overdue(None, due, date(2025, 12, 27))
    assert not is_overdue(date(2026, 1, 5), due, date(2026, 1, 6))
    assert not is_overdue(None, None, date(2026, 1, 6))
    assert is_late(date(2026, 1, 5), due) and not is_late(due, due) and not is_late(None, due)
