import re
from dataclasses import replace
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from elearn.domain.answers import matches, may_match_the_same
from elearn.domain.grading import grade_attempt, grade_question, normalise_answer
from elearn.domain.quiz import Choice, Question, QuestionKind, Scoring


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


def short(*answers: str) -> Question:
    return Question("b", "w", QuestionKind.SHORT_ANSWER, "q", "e", answers=answers)


def test_a_star_in_an_accepted_answer_matches_any_run_of_characters_as_in_moodle():
    for typed in ("colour", "color", "COLOUR", "col o r", "ｃｏｌｏｕｒ"):
        assert grade_question(short("colo*r"), typed).is_correct, typed
    for typed in ("colours", "colr", "xcolour"):
        assert not grade_question(short("colo*r"), typed).is_correct, typed
    assert grade_question(short("*ing"), "testing").is_correct and grade_question(short("*"), "何でも").is_correct
    assert grade_question(short("*ﾃﾞｰﾀ*"), "オープンデータ化").is_correct
    assert not grade_question(short("*"), "  ").is_correct  # a blank answer is never right


def test_an_escaped_or_full_width_star_is_a_literal_asterisk():
    assert grade_question(short("a\\*b"), "a*b").is_correct and grade_question(short("a\\*b"), "a＊b").is_correct
    assert not grade_question(short("a\\*b"), "axb").is_correct
    assert grade_question(short("a＊b"), "a*b").is_correct and not grade_question(short("a＊b"), "axb").is_correct


_letters = st.text(alphabet="ab*", max_size=8)


@given(pattern=_letters, typed=st.text(alphabet="ab*", min_size=1, max_size=10))
def test_the_wildcard_matcher_agrees_with_a_regular_expression(pattern: str, typed: str):
    expected = re.fullmatch(".*".join(re.escape(piece) for piece in re.split(r"\*+", pattern)), typed) is not None
    assert grade_question(short(pattern), typed).is_correct is expected


@given(one=_letters, other=_letters, typed=st.text(alphabet="ab", min_size=1, max_size=10))
def test_two_answers_that_both_match_a_response_are_said_to_overlap(one: str, other: str, typed: str):
    if matches(one, typed) and matches(other, typed):
        assert may_match_the_same(one, other) and may_match_the_same(other, one)


def test_answers_that_share_no_response_do_not_overlap():
    assert not may_match_the_same("a*", "b*") and not may_match_the_same("*a", "*b")
    assert not may_match_the_same("colours", "colo*r") and may_match_the_same("colour", "colo*r")
    assert may_match_the_same("a*", "*b") and may_match_the_same("ab*", "a*")


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
