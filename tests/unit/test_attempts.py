import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from elearn.domain.attempts import (
    PastAttempt,
    StartRefusal,
    attempts_left,
    counted_attempt,
    draw_questions,
    may_see_answers,
    may_start,
    present,
    rule_on_submission,
)
from elearn.domain.quiz import (
    AttemptCounts,
    Choice,
    LateSubmission,
    Question,
    QuestionKind,
    QuizSettings,
    ShowAnswers,
)

NOW = datetime(2025, 7, 1, 10, 0, tzinfo=UTC)
SETTINGS = QuizSettings(bank="b", questions=3, passing_score=80, max_attempts=3, cooldown_minutes=10)


def attempt(number: int, minutes_ago: int, score: float | None = 50, passed: bool = False) -> PastAttempt:
    submitted = NOW - timedelta(minutes=minutes_ago)
    return PastAttempt(number, submitted - timedelta(minutes=5), submitted if score is not None else None,
                       score, passed)


def bank(count: int, tags: tuple[str, ...] = ()) -> list[Question]:
    choices = (Choice("a", True), Choice("b"), Choice("c"), Choice("d"))
    return [Question("b", f"q{i}", QuestionKind.SINGLE, "t", "e", choices=choices, tags=tags)
            for i in range(count)]


def test_the_attempt_limit_refuses_a_fourth_attempt():
    past = [attempt(1, 60), attempt(2, 40), attempt(3, 20)]
    assert may_start(past, SETTINGS, NOW).refusal is StartRefusal.NO_ATTEMPTS_LEFT


def test_the_cool_down_says_when_the_next_attempt_may_start():
    decision = may_start([attempt(1, 4)], SETTINGS, NOW)
    assert decision.refusal is StartRefusal.COOLING_DOWN
    assert decision.wait_until == NOW + timedelta(minutes=6)
    assert may_start([attempt(1, 11)], SETTINGS, NOW).allowed


def test_nobody_retakes_a_quiz_they_passed():
    assert may_start([attempt(1, 60, 90, True)], SETTINGS, NOW).refusal is StartRefusal.ALREADY_PASSED


def test_zero_max_attempts_means_unlimited():
    unlimited = QuizSettings(bank="b", questions=3, passing_score=80)
    assert may_start([attempt(n, 100 - n) for n in range(1, 20)], unlimited, NOW).allowed


def test_a_late_submission_is_graded_as_of_the_deadline_or_refused():
    timed = QuizSettings(bank="b", questions=3, passing_score=80, time_limit_minutes=20)
    started = NOW - timedelta(minutes=25)
    ruling = rule_on_submission(started, NOW, timed)
    assert ruling.accepted and ruling.is_late and ruling.graded_as_of == started + timedelta(minutes=20)
    strict = QuizSettings(bank="b", questions=3, passing_score=80, time_limit_minutes=20,
                          late_submission=LateSubmission.REFUSE)
    assert not rule_on_submission(started, NOW, strict).accepted
    on_time = rule_on_submission(NOW - timedelta(minutes=19), NOW, strict)
    assert on_time.accepted and not on_time.is_late


def test_the_highest_or_the_last_attempt_counts_as_configured():
    past = [attempt(1, 60, 90), attempt(2, 30, 60)]
    assert counted_attempt(past, SETTINGS).number == 1
    last = QuizSettings(bank="b", questions=3, passing_score=80, attempt_counts=AttemptCounts.LAST)
    assert counted_attempt(past, last).number == 2
    assert counted_attempt([attempt(1, 5, None)], SETTINGS) is None


def test_answers_are_shown_as_configured():
    later = QuizSettings(bank="b", questions=3, passing_score=80, max_attempts=2,
                         show_answers=ShowAnswers.AFTER_LAST_ATTEMPT)
    assert not may_see_answers(later, attempts_used=1, has_passed=False)
    assert may_see_answers(later, attempts_used=2, has_passed=False)
    assert may_see_answers(later, attempts_used=1, has_passed=True)
    never = QuizSettings(bank="b", questions=3, passing_score=80, show_answers=ShowAnswers.NEVER)
    assert not may_see_answers(never, attempts_used=5, has_passed=True)


def test_pools_draw_the_configured_number_per_tag_without_repeats():
    questions = bank(4, ("security",)) + [
        Question("b", f"x{i}", QuestionKind.TRUE_FALSE, "t", "e", answer=True, tags=("dx",)) for i in range(4)
    ]
    pooled = QuizSettings(bank="b", questions=5, passing_score=80, pools=(("security", 3), ("dx", 2)))
    drawn = draw_questions(questions, pooled, random.Random(1))
    assert sum("security" in q.tags for q in drawn) == 3
    assert len({q.id for q in drawn}) == 5


@given(st.integers(min_value=0, max_value=10_000))
def test_an_ordering_question_never_starts_in_the_correct_order(seed):
    question = Question("b", "o", QuestionKind.ORDERING, "t", "e", items=("a", "b", "c"))
    presentation = present(question, random.Random(seed))
    assert sorted(presentation.order) == [0, 1, 2]
    assert presentation.order != (0, 1, 2)


def test_a_yearly_course_starts_a_fresh_cycle_each_fiscal_year():
    from elearn.domain.attempts import in_current_cycle

    assert in_current_cycle(2025, 2025, 1)
    assert not in_current_cycle(2024, 2025, 1)
    assert in_current_cycle(2024, 2025, 2)
    assert in_current_cycle(2019, 2025, None)


def test_a_course_completed_this_fiscal_year_closes_its_quiz_whatever_the_version():
    # No attempt at the current version, yet completed this year on an earlier one.
    decision = may_start([], SETTINGS, NOW, completed_this_year=True)
    assert not decision.allowed and decision.refusal is StartRefusal.COMPLETED_THIS_YEAR
    assert may_start([], SETTINGS, NOW, completed_this_year=False).allowed


def test_attempts_left_count_every_attempt_begun_and_never_go_below_zero():
    assert attempts_left([], SETTINGS) == 3
    assert attempts_left([attempt(1, 30), attempt(2, 20, score=None)], SETTINGS) == 1  # the open one counts
    assert attempts_left([attempt(n, 10 * n) for n in range(1, 5)], SETTINGS) == 0


def test_a_quiz_without_a_limit_has_no_count_of_attempts_left():
    unlimited = QuizSettings(bank="b", questions=3, passing_score=80)
    assert attempts_left([attempt(1, 30)], unlimited) is None
