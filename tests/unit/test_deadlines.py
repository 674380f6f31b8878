"""A learner's deadline: days left and state, in the words of the team page's overdue rule."""

from datetime import date

from elearn.domain.completion import is_overdue
from elearn.domain.deadlines import DUE_SOON_DAYS, DeadlineState, standing, urgency

TODAY = date(2025, 12, 4)


def test_no_deadline_means_no_standing():
    assert standing(None, is_completed=False, today=TODAY) is None


def test_the_deadline_day_itself_is_still_in_time_and_the_next_day_is_overdue():
    on_the_day = standing(TODAY, is_completed=False, today=TODAY)
    assert on_the_day.days_left == 0 and on_the_day.state is DeadlineState.DUE_SOON
    day_after = standing(date(2025, 12, 3), is_completed=False, today=TODAY)
    assert day_after.state is DeadlineState.OVERDUE and day_after.days_over == 1 and day_after.days_left == -1


def test_a_course_due_within_two_weeks_is_due_soon_and_one_further_off_is_not():
    assert standing(date(2025, 12, 18), False, TODAY).state is DeadlineState.DUE_SOON
    assert standing(date(2025, 12, 19), False, TODAY).state is DeadlineState.OK
    assert standing(date(2025, 12, 19), False, TODAY).days_left == DUE_SOON_DAYS + 1


def test_a_completed_course_has_met_its_deadline_even_a_past_one():
    met = standing(date(2025, 6, 30), is_completed=True, today=TODAY)
    assert met.state is DeadlineState.MET and met.days_over == 157


def test_overdue_agrees_with_the_team_pages_rule_on_every_day_around_the_deadline():
    due = date(2025, 12, 10)
    for offset in range(-30, 31):
        today = date.fromordinal(due.toordinal() + offset)
        is_late_now = standing(due, False, today).state is DeadlineState.OVERDUE
        assert is_late_now == is_overdue(None, due, today), today


def test_required_courses_sort_overdue_first_then_nearest_deadline_then_none_and_completed_last():
    courses = {
        "done-and-overdue": (standing(date(2025, 6, 30), True, TODAY), True),
        "no-deadline": (None, False),
        "due-in-march": (standing(date(2026, 3, 31), False, TODAY), False),
        "overdue-a-week": (standing(date(2025, 11, 27), False, TODAY), False),
        "overdue-a-month": (standing(date(2025, 11, 4), False, TODAY), False),
        "due-next-week": (standing(date(2025, 12, 11), False, TODAY), False),
        "done-without-deadline": (None, True),
    }
    order = sorted(courses, key=lambda name: urgency(*courses[name]))
    assert order[:5] == ["overdue-a-month", "overdue-a-week", "due-next-week", "due-in-march", "no-deadline"]
    assert set(order[5:]) == {"done-and-overdue", "done-without-deadline"}
