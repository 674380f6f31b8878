"""The learner's path: My learning, the course page, the lesson reader and progress."""

from __future__ import annotations

from sqlalchemy import func, select
from support import sign_in

from elearn import db
from elearn.models import LessonProgress


def test_my_learning_lists_the_required_course_with_its_status(synced, client, make_user):
    sign_in(client, make_user())
    page = client.get("/").get_data(as_text=True)
    assert "必修" in page and "テスト用コース" in page
    assert "未受講" in page
    assert "約20分" in page


def test_reading_lessons_saves_progress_and_resume_goes_to_the_next_unread_lesson(synced, client, make_user):
    sign_in(client, make_user())
    response = client.get("/courses/sample-course/resume")
    assert response.headers["Location"].endswith("/courses/sample-course/01-first")
    lesson = client.get("/courses/sample-course/01-first").get_data(as_text=True)
    assert "最初の課" in lesson and "<script>alert" not in lesson
    done = client.post("/courses/sample-course/01-first/read")
    assert client.get(done.headers["Location"]).headers["Location"].endswith("/courses/sample-course/02-second")
    home = client.get("/").get_data(as_text=True)
    assert "受講中" in home


def test_marking_a_lesson_read_twice_keeps_one_record(synced, client, make_user):
    sign_in(client, make_user())
    client.post("/courses/sample-course/01-first/read")
    client.post("/courses/sample-course/01-first/read")
    with synced.app_context():
        assert db.session().scalar(select(func.count()).select_from(LessonProgress)) == 1


def test_unknown_courses_lessons_and_assets_are_404(synced, client, make_user):
    sign_in(client, make_user())
    assert client.get("/courses/nope/").status_code == 404
    assert client.get("/courses/sample-course/09-nope").status_code == 404
    assert client.post("/courses/sample-course/09-nope/read").status_code == 404
    assert client.get("/learn/assets/sample-course/course.md").status_code == 404
    assert client.get("/learn/assets/sample-course/../../../pyproject.toml").status_code == 404
    with client.get("/learn/assets/sample-course/images/diagram.png") as image:
        assert image.status_code == 200 and image.data.startswith(b"\x89PNG")


def test_course_pages_need_sign_in(synced, client):
    assert client.get("/courses/sample-course/").status_code == 302
    assert client.get("/learn/assets/sample-course/images/diagram.png").status_code == 302


def test_the_signed_in_person_is_loaded_in_one_statement_with_tiers_grants_and_grade(synced, client, make_user):
    from sqlalchemy import event

    from elearn.domain.people import Permission, Tier

    person = make_user(permissions=[(Permission.MANAGER, "P101")], tiers=(Tier.DIGITAL_LEADER,))
    sign_in(client, person)
    engine = synced.extensions["elearn.engine"]
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with synced.test_request_context():
            from flask_login import login_user

            from elearn.services.people.accounts import load_user

            loaded = load_user(f"{person.id}:{person.session_token}")
            login_user(loaded)
            assert loaded.tiers >= {Tier.DIGITAL_LEADER} and loaded.has_permission(Permission.MANAGER)
            assert loaded.grade is None or loaded.grade.name
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1, statements
