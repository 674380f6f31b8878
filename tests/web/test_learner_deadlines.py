"""Deadlines as the learner sees them: on every required course's card and on the course page, in words
as well as colour, most urgent first, and the same day as the manager's team page."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from support import complete, sign_in

from elearn import db
from elearn.clock import TOKYO
from elearn.domain.people import Permission
from elearn.models import Course
from elearn.services.learning import content, deadlines

TODAY = date(2026, 12, 4)  # fiscal year 2026 (R8)
EXTRA_COURSES = {"overdue-course": "期限切れのコース", "soon-course": "もうすぐ期限のコース",
                 "later-course": "まだ先のコース", "open-course": "期限のないコース"}


def _clock_on(day: date):  # type: ignore[no-untyped-def]
    return lambda: datetime(day.year, day.month, day.day, 10, 0, tzinfo=TOKYO)


@pytest.fixture
def courses(app_config, tmp_path) -> str:
    """The sample content plus four more courses for all staff (copies of the sample, under new slugs)."""
    root = tmp_path / "content"
    shutil.copytree(app_config["CONTENT_ROOT"], root)
    source = root / "courses" / "sample-course"
    for slug, title in EXTRA_COURSES.items():
        shutil.copytree(source, root / "courses" / slug)
        course_md = root / "courses" / slug / "course.md"
        text = course_md.read_text(encoding="utf-8").replace("slug: sample-course", f"slug: {slug}")
        course_md.write_text(text.replace("title: テスト用コース", f"title: {title}"), encoding="utf-8")
    return str(root)


def _app_on(make_app, courses: str, day: date):  # type: ignore[no-untyped-def]
    app = make_app(CLOCK=_clock_on(day), CONTENT_ROOT=courses)
    with app.app_context():
        content.sync(content.tree())
    return app


def _set_deadlines(app, due: dict[str, date]) -> None:
    with app.app_context():
        ids = dict(db.session().execute(select(Course.slug, Course.id)).all())
        deadlines.save(None, 2026, {ids[slug]: day for slug, day in due.items()})


def _required_cards(html: str) -> list[tuple[str, str]]:
    """(title, card html) of each required course's card, in page order."""
    required = html.split("必修のコース", 1)[1].split("そのほかの受講できるコース", 1)[0]
    return [(re.search(r"<h3><a [^>]*>(.*?)</a></h3>", card).group(1), card)
            for card in re.findall(r'<article class="card course-card[^"]*">(.*?)</article>', required, re.S)]


def test_required_courses_show_their_deadline_in_words_and_come_most_urgent_first(make_app, courses, make_user):
    app = _app_on(make_app, courses, TODAY)
    _set_deadlines(app, {"overdue-course": date(2026, 11, 27), "soon-course": date(2026, 12, 10),
                         "later-course": date(2027, 2, 26), "sample-course": date(2026, 10, 31)})
    learner = make_user()
    complete(app, learner, when=datetime(2026, 10, 1, 1, 0, tzinfo=UTC))  # the sample course, in time
    client = app.test_client()
    sign_in(client, learner)
    cards = _required_cards(client.get("/").get_data(as_text=True))

    assert [title for title, _ in cards] == ["期限切れのコース", "もうすぐ期限のコース", "まだ先のコース",
                                             "期限のないコース", "テスト用コース"]
    overdue, soon, later, without, done = (card for _, card in cards)
    assert "受講期限：令和8年11月27日" in overdue and "期限を7日過ぎています" in overdue
    assert "期限超過" in overdue and "deadline-overdue" in overdue
    assert "受講期限：令和8年12月10日" in soon and "期限まであと6日" in soon and "期限間近" in soon
    assert "期限まであと84日" in later and "期限間近" not in later and "期限超過" not in later
    assert "受講期限" not in without
    assert "受講期限：令和8年10月31日" in done and "過ぎています" not in done and "期限まで" not in done


def test_the_course_page_says_how_long_ago_the_deadline_passed(make_app, courses, make_user):
    app = _app_on(make_app, courses, TODAY)
    _set_deadlines(app, {"overdue-course": date(2026, 11, 27)})
    client = app.test_client()
    sign_in(client, make_user())
    page = client.get("/courses/overdue-course/").get_data(as_text=True)
    assert "受講期限：令和8年11月27日" in page and "期限を7日過ぎています" in page and "期限超過" in page
    assert "受講期限" not in client.get("/courses/open-course/").get_data(as_text=True)


@pytest.mark.parametrize(("day", "overdue"), [(date(2026, 11, 30), False), (date(2026, 12, 1), True)])
def test_the_learner_and_the_manager_read_the_deadline_the_same_way(make_app, courses, make_user, day, overdue):
    app = _app_on(make_app, courses, day)
    _set_deadlines(app, {"overdue-course": date(2026, 11, 30)})
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")], name="上司 一郎")
    learner = make_user(division="P101", name="担当 花子")
    client = app.test_client()
    sign_in(client, learner)
    card = dict(_required_cards(client.get("/").get_data(as_text=True)))["期限切れのコース"]
    assert ("期限超過" in card) is overdue
    assert ("今日が期限です" in card) is not overdue
    client.post("/sign-out")
    sign_in(client, manager)
    team = client.get("/team/?status=overdue").get_data(as_text=True)
    rows = [row for row in team.split("<tr")[1:] if "担当 花子" in row and "期限切れのコース" in row]
    assert bool(rows) is overdue
