"""Workshop assignments over plain data: where a learner stands, what may be submitted and reviewed, and by whom."""

from __future__ import annotations

from elearn.domain.access import Viewer, may_read_submission, may_review_submission, may_review_workshops
from elearn.domain.workshops import (
    MAX_TEXT_CHARACTERS,
    Round,
    SubmissionStatus,
    WorkshopState,
    may_submit,
    replaces_pending,
    review_problem,
    state,
    submission_problem,
)

SUBMITTED, ACCEPTED, RETURNED = SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED, SubmissionStatus.RETURNED


def test_the_state_follows_the_latest_round_until_one_is_accepted():
    assert state([]) is WorkshopState.NOT_SUBMITTED
    assert state([Round(1, SUBMITTED)]) is WorkshopState.WAITING
    assert state([Round(1, RETURNED)]) is WorkshopState.RETURNED
    assert state([Round(2, SUBMITTED), Round(1, RETURNED)]) is WorkshopState.WAITING
    assert state([Round(1, ACCEPTED), Round(2, RETURNED)]) is WorkshopState.ACCEPTED


def test_an_accepted_workshop_is_final_and_only_a_waiting_round_is_replaced():
    assert [may_submit(s) for s in WorkshopState] == [s is not WorkshopState.ACCEPTED for s in WorkshopState]
    assert [s for s in WorkshopState if replaces_pending(s)] == [WorkshopState.WAITING]


def test_a_submission_needs_text_or_a_file_and_a_return_needs_a_comment():
    assert submission_problem("  \n", has_file=False) == "empty"
    assert submission_problem("", has_file=True) is None
    assert submission_problem("x" * (MAX_TEXT_CHARACTERS + 1), has_file=True) == "text_too_long"
    assert review_problem(accept=False, comment=" ") == "comment_needed"
    assert review_problem(accept=True, comment="") is None
    assert review_problem(accept=False, comment="件数を書いてください") is None


def test_the_authors_managers_training_office_and_administrators_review_never_the_author():
    manager = Viewer(user_id=2, body_id=1, managed_unit_ids=frozenset({10}))
    office = Viewer(user_id=3, body_id=1, organised_body_ids=frozenset({1}))
    city_office = Viewer(user_id=4, body_id=5, organised_body_ids=frozenset({5}))
    admin = Viewer(user_id=6, body_id=1, is_admin=True)
    colleague = Viewer(user_id=7, body_id=1)
    assert may_review_submission(manager, author_id=1, author_body_id=1, author_on_team=True)
    assert not may_review_submission(manager, author_id=1, author_body_id=1, author_on_team=False)
    assert may_review_submission(office, author_id=1, author_body_id=1, author_on_team=False)
    assert not may_review_submission(city_office, author_id=1, author_body_id=1, author_on_team=False)
    assert may_review_submission(admin, author_id=1, author_body_id=1, author_on_team=True)
    assert not may_review_submission(colleague, author_id=1, author_body_id=1, author_on_team=False)
    assert not may_review_submission(manager, author_id=2, author_body_id=1, author_on_team=True)  # their own
    assert may_read_submission(manager, author_id=2, author_body_id=1, author_on_team=True)
    assert not may_read_submission(colleague, author_id=1, author_body_id=1, author_on_team=False)
    assert [may_review_workshops(v) for v in (manager, office, admin, colleague)] == [True, True, True, False]
