"""Posted quiz fields become plain answers in the view; the snapshot maps them to the bank's indices."""

from __future__ import annotations

from elearn.quiz.forms import answers_from, as_number
from elearn.services.learning.quiz_snapshot import Answer, learner_view, responses_from

STORED = [
    {"id": "s", "kind": "single", "text": "", "choices": [{"text": "a", "correct": True},
                                                         {"text": "b", "correct": False}], "order": [1, 0]},
    {"id": "m", "kind": "multiple", "text": "", "choices": [{"text": c, "correct": True} for c in "abc"],
     "order": [2, 0, 1]},
    {"id": "t", "kind": "true_false", "text": "", "choices": [], "order": []},
    {"id": "w", "kind": "short_answer", "text": "", "choices": [], "order": []},
    {"id": "o", "kind": "ordering", "text": "", "choices": [], "items": ["x", "y", "z"], "order": [2, 0, 1]},
]


def test_display_positions_become_the_banks_indices():
    answers = {1: Answer(chosen=(0,)), 2: Answer(chosen=(0, 2)), 3: Answer(truth=False),
               4: Answer(text="  はい  "), 5: Answer(ranks=(3, 1, 2))}
    assert responses_from(STORED, answers) == {"s": 1, "m": [1, 2], "t": False, "w": "はい", "o": [0, 1, 2]}


def test_out_of_range_positions_and_incomplete_orderings_are_no_answer():
    answers = {1: Answer(chosen=(5,)), 2: Answer(chosen=(-1,)), 5: Answer(ranks=(1, 1, None))}
    assert responses_from(STORED, answers) == {}


def test_only_ascii_digits_are_numbers():
    assert [as_number(raw) for raw in ("0", "12", "²", "¹", "①", "١", "１", "-1", " 1", "", "12345")] == [
        0, 12, None, None, None, None, None, None, None, None, None]


def test_the_form_is_read_by_question_number_and_kind():
    form = {"q1": ["1"], "q2": ["0", "²", "2"], "q3": ["true"], "q4": ["答え"],
            "q5-0": ["2"], "q5-1": ["3"], "q5-2": ["1"], "score": ["100"]}
    answers = answers_from(form, learner_view(STORED))
    assert answers == {1: Answer(chosen=(1,)), 2: Answer(chosen=(0, 2)), 3: Answer(truth=True),
                       4: Answer(text="答え"), 5: Answer(ranks=(2, 3, 1))}
    assert responses_from(STORED, answers) == {"s": 0, "m": [1, 2], "t": True, "w": "答え", "o": [1, 2, 0]}
