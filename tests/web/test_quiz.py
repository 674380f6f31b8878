"""The quiz through the web: no answers leak, one grading per attempt, limits and time limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support import answer_form, answers_for, complete, run_at_once, sign_in

from elearn import db
from elearn.domain.people import Permission
from elearn.models import Certificate, Completion, QuizAttempt, User
from elearn.services import quiz


@pytest.fixture
def learner(synced, client, make_user):
    user = make_user()
    sign_in(client, user)
    for lesson in ("01-first", "02-second"):
        client.post(f"/courses/sample-course/{lesson}/read")
    return user


def start(client) -> int:
    response = client.post("/courses/sample-course/quiz/start")
    match = re.search(r"/quiz/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def shift(app, column: str, back: timedelta) -> None:
    """Move every attempt's timestamp into the past, as if time had passed."""
    with app.app_context(), db.write_session() as session:
        for attempt in session.scalars(select(QuizAttempt)):
            setattr(attempt, column, getattr(attempt, column) - back)


def stored_attempt(app, attempt_id: int) -> QuizAttempt:
    with app.app_context():
        return db.session().get(QuizAttempt, attempt_id)


def assert_card_completed(client) -> None:
    """The sample course's card on My learning says completed, with the day (the navigation's 修了証書
    link is on every page, so the word 修了 alone proves nothing)."""
    home = client.get("/").get_data(as_text=True)
    card = re.search(r'<article class="card course-card status-(\w+)">(.*?)</article>', home, re.S)
    assert card and 'href="/courses/sample-course/"' in card.group(2), home
    assert card.group(1) == "completed"
    assert re.search(r'<span class="badge badge-completed">修了</span>', card.group(2))
    assert re.search(r"令和(\d+|元)年\d{1,2}月\d{1,2}日に修了しました", card.group(2))


def test_the_quiz_opens_only_after_every_lesson_is_read(synced, client, make_user):
    sign_in(client, make_user())
    response = client.post("/courses/sample-course/quiz/start", follow_redirects=True)
    assert "すべての課を読み終える" in response.get_data(as_text=True)


def test_the_quiz_page_carries_no_correct_answer(synced, client, learner):
    attempt_id = start(client)
    html = client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    questions = stored_attempt(synced, attempt_id).questions
    assert len(questions) == 4
    for q in questions:
        assert q["explanation"] not in html
        for accepted in q["answers"]:
            assert accepted not in html
        if q["kind"] == "ordering":
            assert " ".join(q["items"]) not in " ".join(re.findall(r"</select> ([^<]+)", html))
    assert "correct" not in html.lower()
    assert "data-" not in html
    hidden = re.findall(r'type="hidden" name="([^"]+)"', html) + re.findall(r'name="([^"]+)" type="hidden"', html)
    assert set(hidden) <= {"csrf_token", "sequence"}


def test_passing_the_quiz_completes_the_course_in_this_fiscal_year(synced, client, learner):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    sequence = stored_attempt(synced, attempt_id).sequence
    response = client.post(f"/quiz/attempts/{attempt_id}",
                           data={**answer_form(questions), "sequence": sequence, "action": "submit"})
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="verdict">合格<' in result and "100.0点" in result
    with synced.app_context():
        completion = db.session().scalars(select(Completion)).one()
        assert completion.user_id == learner.id and completion.fiscal_year >= 2025
    assert_card_completed(client)


def test_a_posted_score_or_correctness_field_is_ignored(synced, client, learner):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    client.post(f"/quiz/attempts/{attempt_id}", data={
        **answer_form(questions, right=False), "sequence": 0, "action": "submit",
        "score": "100", "passed": "1", "correct": "true", "results": "all"})
    graded = stored_attempt(synced, attempt_id)
    assert graded.passed is False and float(graded.score) < 75


def test_a_second_submit_shows_the_stored_result_and_grades_nothing(synced, client, learner):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions, right=False), "sequence": 0,
                                                        "action": "submit"})
    first = stored_attempt(synced, attempt_id)
    again = client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions), "sequence": 0,
                                                                "action": "submit"})
    assert again.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}/result")
    second = stored_attempt(synced, attempt_id)
    assert (second.score, second.passed, second.submitted_at) == (first.score, first.passed, first.submitted_at)


def test_twenty_concurrent_submits_grade_exactly_one_attempt(synced, learner):
    with synced.app_context():
        attempt = quiz.start(db.session().get(User, learner.id), "sample-course")
        answers = answers_for(attempt.questions)
        attempt_id = attempt.id
    outcomes = run_at_once(synced, 20, lambda: quiz.submit(db.session().get(User, learner.id), attempt_id, 0,
                                                             answers).newly_graded)
    assert sorted(outcomes) == [False] * 19 + [True]
    with synced.app_context():
        assert db.session().scalar(select(func.count()).select_from(QuizAttempt)) == 1
        assert db.session().scalar(select(func.count()).select_from(Completion)) == 1


def test_concurrent_starts_make_one_attempt(synced, learner):
    ids = run_at_once(synced, 10, lambda: quiz.start(db.session().get(User, learner.id), "sample-course").id)
    assert len(ids) == 10 and len(set(ids)) == 1


def test_attempt_limit_and_cool_down(synced, client, learner):
    for number in (1, 2):
        attempt_id = start(client)
        questions = stored_attempt(synced, attempt_id).questions
        client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions, right=False), "sequence": 0,
                                                            "action": "submit"})
        if number == 1:
            refused = client.post("/courses/sample-course/quiz/start", follow_redirects=True)
            assert "再度受験できます" in refused.get_data(as_text=True)
        shift(synced, "submitted_at", timedelta(minutes=6))
    refused = client.post("/courses/sample-course/quiz/start", follow_redirects=True)
    assert "すべての受験回数を使い切りました" in refused.get_data(as_text=True)


def test_a_late_submission_is_refused_when_the_quiz_says_so(synced, client, learner):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    shift(synced, "started_at", timedelta(minutes=15))
    response = client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions), "sequence": 0,
                                                                   "action": "submit"}, follow_redirects=True)
    assert "制限時間" in response.get_data(as_text=True)
    late = stored_attempt(synced, attempt_id)
    assert late.is_late and not late.passed and float(late.score) == 0


def test_a_late_submission_is_graded_with_the_answers_saved_before_the_deadline(synced, client, learner):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions), "sequence": 0, "action": "save"})
    with synced.app_context(), db.write_session() as session:
        attempt = session.get(QuizAttempt, attempt_id)
        attempt.started_at -= timedelta(minutes=15)
        attempt.course_version.quiz = {**attempt.course_version.quiz, "late_submission": "grade_at_deadline"}
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions, right=False), "sequence": 1,
                                                        "action": "submit"})
    graded = stored_attempt(synced, attempt_id)
    assert graded.is_late and graded.passed and float(graded.score) == 100


def test_answers_and_explanations_wait_until_passing_or_the_last_attempt(synced, client, learner):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions, right=False), "sequence": 0,
                                                        "action": "submit"})
    result = client.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    assert not any(q["explanation"] in result for q in questions)
    assert "不合格" in result


def test_authors_see_per_question_statistics_and_learners_do_not(synced, client, learner, make_user):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions), "sequence": 0, "action": "submit"})
    assert client.get("/quiz/stats/sample-course").status_code == 403
    author = make_user(permissions=[(Permission.AUTHOR, None)])
    other = synced.test_client()
    sign_in(other, author)
    page = other.get("/quiz/stats/sample-course").get_data(as_text=True)
    assert "single-1" in page and "1件" in page or "1 " in page


def test_someone_elses_attempt_is_not_found(synced, client, learner, make_user):
    attempt_id = start(client)
    other = synced.test_client()
    sign_in(other, make_user())
    assert other.get(f"/quiz/attempts/{attempt_id}").status_code == 404
    assert other.post(f"/quiz/attempts/{attempt_id}", data={"sequence": 0, "action": "submit"}).status_code == 404


def test_saved_answers_are_shown_again_when_the_quiz_is_reopened(synced, client, learner):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    form = answer_form(questions)
    client.post(f"/quiz/attempts/{attempt_id}", data={**form, "sequence": 0, "action": "save"})
    html = client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    for number, q in enumerate(questions, start=1):
        if q["kind"] == "single":
            assert f'name="q{number}" value="{form[f"q{number}"]}" checked' in html
        elif q["kind"] == "short_answer":
            assert f'value="{q["answers"][0]}"' in html
        elif q["kind"] == "ordering":
            assert html.count(" selected>") >= len(q["items"])
    submitted = client.post(f"/quiz/attempts/{attempt_id}", data={**form, "sequence": 1, "action": "submit"})
    assert submitted.headers["Location"].endswith("/result")


def pass_quiz(app, client) -> int:
    attempt_id = start(client)
    stored = stored_attempt(app, attempt_id)
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(stored.questions), "sequence": stored.sequence,
                                                        "action": "submit"})
    return attempt_id


def result_without_tokens(client, attempt_id: int) -> str:
    """The result page minus its CSRF tokens, which carry the time they were made."""
    html = client.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def raise_version(app, tmp_path, revise_texts: bool = False) -> None:
    """Copy the sample content, raise the course's version (2 -> 3) and sync it, as an author would."""
    import shutil

    from elearn.services import content

    edited = tmp_path / "content"
    shutil.copytree(app.config["CONTENT_ROOT"], edited)
    course_md = edited / "courses/sample-course/course.md"
    course_md.write_text(course_md.read_text(encoding="utf-8").replace("version: 2", "version: 3"), encoding="utf-8")
    if revise_texts:
        bank = edited / "quizzes/sample-bank.yaml"
        revised = bank.read_text(encoding="utf-8").replace("。\n", "（改訂）。\n")  # every text and explanation
        bank.write_text(revised, encoding="utf-8")
    app.config["CONTENT_ROOT"] = str(edited)
    app.extensions.pop("elearn.content", None)
    with app.app_context():
        content.sync(content.tree())


def test_a_completion_and_its_attempt_survive_a_new_course_version(synced, client, learner, tmp_path):
    attempt_id = pass_quiz(synced, client)
    before = result_without_tokens(client, attempt_id)
    raise_version(synced, tmp_path, revise_texts=True)
    with synced.app_context():
        completion = db.session().scalars(select(Completion)).one()
        assert completion.course_version.version == 2
    assert result_without_tokens(client, attempt_id) == before
    assert_card_completed(client)


def test_a_new_version_in_the_same_fiscal_year_cannot_be_passed_again(synced, client, learner, tmp_path):
    pass_quiz(synced, client)
    raise_version(synced, tmp_path)
    refused = client.post("/courses/sample-course/quiz/start")  # the page offers no button; post directly
    assert refused.status_code == 302 and "/quiz/attempts/" not in refused.headers["Location"]
    assert "今年度はすでにこのコースを修了しています" in client.get(refused.headers["Location"]).get_data(as_text=True)
    with synced.app_context():
        assert db.session().scalar(select(func.count()).select_from(QuizAttempt)) == 1
        assert db.session().scalar(select(func.count()).select_from(Completion)) == 1
        assert db.session().scalar(select(func.count()).select_from(Certificate)) == 1


def test_an_attempt_open_when_the_course_was_completed_passes_without_a_second_completion(synced, client,
                                                                                          learner, tmp_path):
    attempt_id = start(client)
    complete(synced, learner)  # completed meanwhile (another tab, a newer version): this year is done
    stored = stored_attempt(synced, attempt_id)
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(stored.questions), "sequence": stored.sequence,
                                                        "action": "submit"})
    assert stored_attempt(synced, attempt_id).passed is True
    with synced.app_context():
        assert db.session().scalar(select(func.count()).select_from(Completion)) == 1
        assert db.session().scalar(select(func.count()).select_from(Certificate)) == 1


def test_the_database_refuses_a_second_completion_of_a_course_in_one_fiscal_year(synced, client, learner,
                                                                                 tmp_path):
    from sqlalchemy.exc import IntegrityError

    pass_quiz(synced, client)
    raise_version(synced, tmp_path)
    with pytest.raises(IntegrityError):
        complete(synced, learner)  # on version 3, in the year of the version-2 completion


def test_a_yearly_course_is_due_again_next_fiscal_year_and_can_be_retaken(synced, client, learner):
    pass_quiz(synced, client)
    with synced.app_context(), db.write_session() as session:
        for row in session.scalars(select(Completion)):
            row.completed_at -= timedelta(days=400)
            row.fiscal_year -= 1
        for attempt in session.scalars(select(QuizAttempt)):
            attempt.started_at -= timedelta(days=400)
            attempt.submitted_at -= timedelta(days=400)
    home = client.get("/").get_data(as_text=True)
    assert "今年度の再受講が必要" in home
    pass_quiz(synced, client)
    with synced.app_context():
        years = sorted(db.session().scalars(select(Completion.fiscal_year)))
    assert len(years) == 2 and years[1] == years[0] + 1


def test_the_course_page_marks_the_attempt_that_counts(synced, client, learner):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions, right=False), "sequence": 0,
                                                        "action": "submit"})
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert page.count("採用") == 1  # the sample quiz counts the last attempt; only one so far


@pytest.mark.parametrize("raw", ["²", "¹", "①", "١", "-1", "99999", " 1", "1.0"])
def test_an_answer_that_is_not_a_plain_number_counts_as_no_choice(synced, client, learner, raw):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    form = {f"q{number}": raw for number in range(1, len(questions) + 1)}
    form.update({f"q{number}-{position}": raw for number, q in enumerate(questions, start=1)
                 for position in range(len(q["order"]))})
    saved = client.post(f"/quiz/attempts/{attempt_id}", data={**form, "sequence": 0, "action": "save"})
    assert saved.status_code == 302
    choice_kinds = {"single", "multiple", "ordering"}
    assert not set(stored_attempt(synced, attempt_id).responses) & {
        q["id"] for q in questions if q["kind"] in choice_kinds}
    submitted = client.post(f"/quiz/attempts/{attempt_id}", data={**form, "sequence": 1, "action": "submit"})
    assert submitted.headers["Location"].endswith("/result")
    assert stored_attempt(synced, attempt_id).passed is False
