"""The quiz through the web: no answers leak, one grading per attempt, limits and time limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support import answer_form, answers_for, complete, run_at_once, sign_in

from elearn import db
from elearn.clock import TOKYO
from elearn.domain.people import Permission
from elearn.models import Certificate, Completion, QuizAttempt, User
from elearn.services.learning import quiz


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
    assert "すべてのレッスンを読み終える" in response.get_data(as_text=True)


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
    assert "制限時間を過ぎていたため、この受験は受け付けられませんでした。" in response.get_data(as_text=True)
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


def edit_content(app, tmp_path, course=lambda text: text, bank=lambda text: text) -> None:
    """Copy the sample content, edit course.md and the bank as an author would, and sync it."""
    import shutil

    from elearn.services.learning import content

    edited = tmp_path / "content"
    shutil.copytree(app.config["CONTENT_ROOT"], edited)
    for path, edit in ((edited / "courses/sample-course/course.md", course),
                       (edited / "quizzes/sample-bank.yaml", bank)):
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    app.config["CONTENT_ROOT"] = str(edited)
    app.extensions.pop("elearn.content", None)
    with app.app_context():
        content.sync(content.tree())


def raise_version(app, tmp_path, revise_texts: bool = False) -> None:
    """The course's version raised (2 -> 3), optionally with every question text and explanation revised."""
    edit_content(app, tmp_path, course=lambda text: text.replace("version: 2", "version: 3"),
                 bank=(lambda text: text.replace("。\n", "（改訂）。\n")) if revise_texts else (lambda text: text))


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
    course_page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert "/courses/sample-course/quiz/start" not in course_page
    assert "今年度はすでにこのコースを修了しています。" in course_page  # the page says why
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
    assert page.count("記録される得点") == 1  # the sample quiz counts the last attempt; only one so far
    assert "最後に提出した回の得点が記録されます" in page
    assert "採用" not in page  # the magazine's word for an adopted idea


def test_the_course_page_says_how_many_attempts_are_left_and_when_the_next_may_start(synced, client, learner):
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert "残り2回受験できます" in page and "受験後、次の受験まで5分あける必要があります" in page
    attempt_id = start(client)
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert "受験中の回のあと、残り1回受験できます" in page
    questions = stored_attempt(synced, attempt_id).questions
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions, right=False), "sequence": 0,
                                                        "action": "submit"})
    submitted_at = stored_attempt(synced, attempt_id).submitted_at
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert "残り1回受験できます" in page
    ready = (submitted_at + timedelta(minutes=5)).astimezone(TOKYO)
    assert f"次の受験は令和{ready.year - 2018}年{ready.month}月{ready.day}日 {ready:%H:%M}から" in page
    shift(synced, "submitted_at", timedelta(minutes=6))
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert "次の受験は" not in page and "確認テストを受ける" in page
    second = start(client)
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert "受験中の回が最後の受験です" in page
    questions = stored_attempt(synced, second).questions
    client.post(f"/quiz/attempts/{second}", data={**answer_form(questions, right=False), "sequence": 0,
                                                    "action": "submit"})
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert "すべての受験回数を使い切りました" in page and "残り" not in page


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


def quiz_settings(**settings) -> callable:
    """An edit of course.md replacing the given quiz settings (one per line, `  key: value`)."""
    def edit(text: str) -> str:
        for key, value in settings.items():
            text, count = re.subn(rf"^  {key}: .*$", f"  {key}: {value}", text, flags=re.M)
            if not count:
                text = text.replace("  bank: sample-bank\n", f"  bank: sample-bank\n  {key}: {value}\n")
        return text
    return edit


def submit_answers(app, client, right_questions: int) -> int:
    """Start an attempt and submit it with the first `right_questions` questions answered rightly."""
    attempt_id = start(client)
    stored = stored_attempt(app, attempt_id)
    right, wrong = answer_form(stored.questions), answer_form(stored.questions, right=False)
    form = {key: (right if int(re.match(r"q(\d+)", key).group(1)) <= right_questions else wrong)[key]
            for key in right}
    client.post(f"/quiz/attempts/{attempt_id}", data={**form, "sequence": stored.sequence, "action": "submit"})
    return attempt_id


def counted_attempt_on_the_course_page(client) -> int:
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>\s*<td [^>]*><a [^>]*>(\d+)</a></td>(.*?)</tr>", page, re.S)
    counted = [int(number) for number, cells in rows if "記録される得点" in cells]
    assert len(counted) == 1, page
    return counted[0]


@pytest.mark.parametrize(("rule", "counted"), [("highest", 1), ("last", 2)])
def test_the_course_page_marks_the_highest_or_the_last_attempt_as_the_one_that_counts(synced, client, learner,
                                                                                      tmp_path, rule, counted):
    edit_content(synced, tmp_path, course=quiz_settings(attempt_counts=rule, passing_score=100, cooldown_minutes=0,
                                                        max_attempts=3))
    first = submit_answers(synced, client, right_questions=3)
    second = submit_answers(synced, client, right_questions=0)
    assert float(stored_attempt(synced, first).score) > float(stored_attempt(synced, second).score)
    assert counted_attempt_on_the_course_page(client) == counted
    rule = {"highest": "最も高い得点が記録されます", "last": "最後に提出した回の得点が記録されます"}[rule]
    assert rule in client.get("/courses/sample-course/").get_data(as_text=True)


def test_a_quiz_without_an_attempt_limit_says_so(synced, client, learner, tmp_path):
    edit_content(synced, tmp_path, course=quiz_settings(max_attempts=0, cooldown_minutes=0))
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert "受験回数に制限はありません" in page and "残り" not in page and "次の受験まで" not in page


def test_each_attempt_draws_its_questions_from_the_tagged_pools(synced, client, learner, tmp_path):
    def tag(text: str) -> str:
        for question, tags in (("tf-1", "security"), ("short-1", "security"), ("multiple-1", "other"),
                               ("order-1", "other")):
            text = text.replace(f"  - id: {question}\n", f"  - id: {question}\n    tags: [{tags}]\n")
        return text

    edit_content(synced, tmp_path, course=quiz_settings(questions=3, pools="{basics: 1, security: 2}",
                                                        cooldown_minutes=0, max_attempts=0), bank=tag)
    for _ in range(4):
        attempt_id = submit_answers(synced, client, right_questions=0)
        drawn = [q["id"] for q in stored_attempt(synced, attempt_id).questions]
        assert sorted(drawn) == ["short-1", "single-1", "tf-1"]  # one basics, two security, nothing else
        page = client.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
        assert page.count('class="card question-result') == 3


def test_a_quiz_that_shows_answers_immediately_shows_them_after_a_failed_first_attempt(synced, client, learner,
                                                                                     tmp_path):
    edit_content(synced, tmp_path, course=quiz_settings(show_answers="immediately"))
    attempt_id = submit_answers(synced, client, right_questions=0)
    result = client.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "不合格" in result
    assert all(q["explanation"] in result for q in stored_attempt(synced, attempt_id).questions)


@pytest.mark.parametrize("raw", ["²", "¹", "", "x"])
def test_a_sequence_that_is_not_a_plain_number_is_refused_as_stale(synced, client, learner, raw):
    attempt_id = start(client)
    questions = stored_attempt(synced, attempt_id).questions
    saved = client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions), "sequence": raw,
                                                              "action": "save"}, follow_redirects=True)
    assert saved.status_code == 200 and "保存できませんでした" in saved.get_data(as_text=True)
    assert stored_attempt(synced, attempt_id).responses == {}
