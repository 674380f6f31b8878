from dataclasses import replace
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from elearn.content.model import Choice, Question, QuestionKind, Scoring
from elearn.domain.grading import grade_attempt, grade_question, normalise_answer


def single() -> Question:
    choices = (Choice("デジタイゼーション", True), Choice("デジタライゼーション"), Choice("DX"))
    return Question("b", "s", QuestionKind.SINGLE, "q", "e", choices=choices)


def multiple(scoring: Scoring) -> Question:
    choices = (Choice("知識", True), Choice("所持", True), Choice("生体", True), Choice("役職"))
    return Question("b", "m", QuestionKind.MULTIPLE, "q", "e", choices=choices, scoring=scoring)


def test_single_choice_is_right_only_for_the_correct_choice():
    assert grade_question(single(), 0).is_correct
    assert not grade_question(single(), 1).is_correct
    assert not grade_question(single(), None).is_correct
    assert not grade_question(single(), 7).is_correct  # an index that was never offered
    assert not grade_question(single(), True).is_correct  # a bool is not a choice


def test_multiple_all_or_nothing_needs_exactly_the_correct_set():
    question = multiple(Scoring.ALL_OR_NOTHING)
    assert grade_question(question, frozenset({0, 1, 2})).score == 1
    assert grade_question(question, frozenset({0, 1})).score == 0
    assert grade_question(question, frozenset({0, 1, 2, 3})).score == 0


def test_multiple_partial_credit_subtracts_wrong_choices_and_never_goes_below_zero():
    question = multiple(Scoring.PARTIAL)
    assert grade_question(question, frozenset({0, 1})).score == Fraction(2, 3)
    assert grade_question(question, frozenset({0, 3})).score == 0
    assert grade_question(question, frozenset({3})).score == 0
    assert grade_question(question, frozenset({0, 1, 2})).is_correct


def test_true_false_compares_with_the_answer():
    question = Question("b", "t", QuestionKind.TRUE_FALSE, "q", "e", answer=False)
    assert grade_question(question, False).is_correct
    assert not grade_question(question, True).is_correct
    assert not grade_question(question, None).is_correct
    assert not grade_question(question, 0).is_correct


def test_short_answers_match_across_width_kana_case_and_spaces():
    question = Question("b", "a", QuestionKind.SHORT_ANSWER, "q", "e", answers=("RPA", "アールピーエー"))
    for typed in ("RPA", "ｒｐａ", " r p a ", "あーるぴーえー", "ｱｰﾙﾋﾟｰｴｰ"):
        assert grade_question(question, typed).is_correct, typed
    assert not grade_question(question, "AI-OCR").is_correct
    assert not grade_question(question, "").is_correct


def test_ordering_is_right_only_in_the_written_order():
    question = Question("b", "o", QuestionKind.ORDERING, "q", "e", items=("a", "b", "c", "d"))
    assert grade_question(question, (0, 1, 2, 3)).is_correct
    assert not grade_question(question, (1, 0, 2, 3)).is_correct
    assert not grade_question(question, (0, 1, 2)).is_correct


def test_an_attempt_passes_at_exactly_the_passing_score():
    questions = [single(), multiple(Scoring.ALL_OR_NOTHING), replace(single(), id="s2"),
                 replace(multiple(Scoring.PARTIAL), id="m2")]
    result = grade_attempt(questions, {"s": 0, "m": frozenset({0, 1, 2}), "s2": 0}, passing_score=75)
    assert result.score == 75 and result.passed
    assert not grade_attempt(questions, {"s": 0, "m": frozenset({0, 1, 2})}, passing_score=75).passed


def test_katakana_and_hiragana_are_the_same_answer():
    assert normalise_answer("デジタル") == normalise_answer("でじたる")


@given(st.sets(st.integers(min_value=0, max_value=3)))
def test_partial_credit_always_lies_between_zero_and_one(chosen):
    score = grade_question(multiple(Scoring.PARTIAL), frozenset(chosen)).score
    assert 0 <= score <= 1
