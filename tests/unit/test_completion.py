from datetime import UTC, datetime

from elearn.domain.completion import (
    CourseStatus,
    completion_fiscal_year,
    is_complete,
    is_due_again,
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
