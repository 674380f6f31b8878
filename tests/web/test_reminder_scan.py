"""The notice scan with a frozen clock and a real SMTP server on loopback: course reminders step by step (one
message per person and step, never a flood), managers' weekly digests, and a bounded number of queries
whatever the number of staff."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from support import complete

from elearn import db
from elearn.clock import TOKYO
from elearn.domain.notices import Channel, NoticeKind, Topic
from elearn.domain.people import Permission
from elearn.models import Course, Notice, NoticeChoice, OutboxMessage
from elearn.services.learning import content, deadlines
from elearn.services.notices import mail
from elearn.services.reports import team as team_service

DUE = date(2026, 12, 18)  # a Friday in fiscal year 2026
COURSES = {"course-a": "コースA", "course-b": "コースB", "course-c": "コースC", "course-d": "コースD"}


@pytest.fixture
def five_courses(app_config, tmp_path) -> str:
    """The sample course and four copies, all required of every member of staff."""
    root = tmp_path / "content"
    shutil.copytree(app_config["CONTENT_ROOT"], root)
    for slug, title in COURSES.items():
        shutil.copytree(root / "courses" / "sample-course", root / "courses" / slug)
        course_md = root / "courses" / slug / "course.md"
        text = course_md.read_text(encoding="utf-8").replace("slug: sample-course", f"slug: {slug}")
        course_md.write_text(text.replace("title: テスト用コース", f"title: {title}"), encoding="utf-8")
    return str(root)


@pytest.fixture
def on_day(make_app, five_courses, smtp_server):
    """on_day(day) -> an app whose clock reads 09:00 that day in Japan, sending to the loopback server."""
    host, port, _collector = smtp_server

    def make(day: date):  # type: ignore[no-untyped-def]
        return make_app(CLOCK=lambda: datetime(day.year, day.month, day.day, 9, 0, tzinfo=TOKYO),
                        CONTENT_ROOT=five_courses, MAIL_SERVER=host, MAIL_PORT=port, MAIL_PER_MINUTE=0)

    first = make(DUE)
    with first.app_context():
        content.sync(content.tree())
        ids = list(db.session().scalars(select(Course.id)))
        deadlines.save(None, 2026, dict.fromkeys(ids, DUE))
    return make


def scan_and_send(app) -> str:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["notices", "scan"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        mail.send_waiting()
    return result.output


def subjects_to(collector, address: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [message["Subject"] for message in collector.parsed() if message["To"].addresses[0].addr_spec == address]


def test_the_scan_walks_the_steps_and_sends_each_person_one_message_per_step(on_day, make_user, smtp_server):
    _host, _port, collector = smtp_server
    person = make_user(email="walker@example.lg.jp")
    days = [DUE - timedelta(days=30), DUE - timedelta(days=20), DUE - timedelta(days=14), DUE - timedelta(days=13),
            DUE - timedelta(days=3), DUE, DUE + timedelta(days=1), DUE + timedelta(days=2)]
    sent_per_day = []
    for day in days:
        before = len(collector.messages)
        scan_and_send(on_day(day))
        sent_per_day.append(len(collector.messages) - before)
    assert sent_per_day == [1, 0, 1, 0, 1, 0, 1, 0]
    assert subjects_to(collector, "walker@example.lg.jp") == [
        "受講が必要なコースが5件あります", "期限が近いコースが5件あります", "期限が近いコースが5件あります",
        "期限を過ぎたコースが5件あります"]
    # The overdue message lists all five courses in one mail, each with its deadline.
    overdue = collector.parsed()[-1].get_body(("plain",)).get_content()
    titles = [*COURSES.values(), "テスト用コース"]
    assert all(f"{title}（期限 令和8年12月18日、期限超過）" in overdue for title in titles)
    # A second run the same day sends nothing new.
    scan_and_send(on_day(days[-1]))
    scan_and_send(on_day(days[-1]))
    assert len(collector.messages) == 4
    app = on_day(days[-1])
    with app.app_context():
        kinds = list(db.session().scalars(select(Notice.kind).where(Notice.user_id == person.id).order_by(Notice.id)))
    assert kinds == [NoticeKind.COURSE_REMINDER] * 3 + [NoticeKind.OVERDUE]


def test_a_completed_course_is_not_reminded_and_a_new_deadline_is(on_day, make_user, smtp_server):
    _host, _port, collector = smtp_server
    person = make_user(email="done@example.lg.jp")
    app = on_day(DUE - timedelta(days=30))
    complete(app, person, datetime(2026, 11, 1, 10, 0, tzinfo=TOKYO))  # the sample course, this fiscal year
    scan_and_send(app)
    [first] = collector.parsed()
    assert first["Subject"] == "受講が必要なコースが4件あります"
    assert "テスト用コース" not in first.get_body(("plain",)).get_content()
    # The deadline of one course moves: that course is told again, alone.
    with app.app_context():
        course_a = db.session().scalar(select(Course.id).where(Course.slug == "course-a"))
        deadlines.save(None, 2026, {course_a: DUE + timedelta(days=60)})
    scan_and_send(on_day(DUE - timedelta(days=29)))
    second = collector.parsed()[-1]
    assert len(collector.messages) == 2 and second["Subject"] == "受講が必要なコースが1件あります"
    assert "コースA（期限 令和9年2月16日）" in second.get_body(("plain",)).get_content()


def test_reminders_chosen_for_the_app_only_still_mail_when_overdue(on_day, make_user, smtp_server):
    _host, _port, collector = smtp_server
    person = make_user(email="quiet@example.lg.jp")
    app = on_day(DUE - timedelta(days=30))
    with app.app_context(), db.write_session() as session:
        session.add(NoticeChoice(user_id=person.id, topic=Topic.COURSES, channel=Channel.APP))
        # A stored choice the topic does not allow (overdue is locked) is ignored.
        session.add(NoticeChoice(user_id=person.id, topic=Topic.OVERDUE, channel=Channel.APP))
    scan_and_send(app)
    scan_and_send(on_day(DUE - timedelta(days=3)))
    assert collector.messages == []
    scan_and_send(on_day(DUE + timedelta(days=1)))
    assert subjects_to(collector, "quiet@example.lg.jp") == ["期限を過ぎたコースが5件あります"]
    with on_day(DUE).app_context():
        assert db.session().scalar(select(func.count()).select_from(Notice).where(Notice.user_id == person.id)) == 3


def test_managers_get_one_digest_a_week_on_their_day(on_day, make_user, smtp_server, monkeypatch):
    _host, _port, collector = smtp_server
    monkeypatch.setattr(team_service, "TEAM_PAGE_LIMIT", 1)  # a team too large for the page still gets its digest
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")], email="boss@example.lg.jp")
    make_user(division="P101", name="期限 超過", email=None)
    make_user(division="P201", name="よその 人", email=None)  # not in the manager's units
    monday = DUE + timedelta(days=3)  # 2026-12-21
    scan_and_send(on_day(monday))
    scan_and_send(on_day(monday + timedelta(days=1)))
    digests = [message for message in collector.parsed() if message["To"].addresses[0].addr_spec == "boss@example.lg.jp"
               and message["Subject"].startswith("今週のチーム")]
    assert len(digests) == 1
    text = digests[0].get_body(("plain",)).get_content()
    assert digests[0]["Subject"] == "今週のチーム：期限超過 2人、期限間近 0人"  # the manager is on their own team
    assert "期限 超過" in text and "よその 人" not in text and "/team/?status=outstanding" in text
    # Choosing Wednesday: next week's digest comes on Wednesday, not Monday.
    app = on_day(monday + timedelta(days=7))
    with app.app_context(), db.write_session() as session:
        session.get(type(manager), manager.id).digest_weekday = 2
    scan_and_send(app)
    scan_and_send(on_day(monday + timedelta(days=9)))
    digests = [message for message in collector.parsed() if message["Subject"].startswith("今週のチーム")]
    assert len(digests) == 2


def _statements(app, action) -> int:  # type: ignore[no-untyped-def]
    engine = app.extensions["elearn.engine"]
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_scan_reads_with_the_same_queries_for_ten_or_two_hundred_staff(on_day, make_user):
    from elearn.services.outreach import reminders

    day = DUE - timedelta(days=30)
    for _ in range(10):
        make_user(email=None, password=None)
    app = on_day(day)
    with app.app_context():
        small = _statements(app, lambda: reminders.plan(day))
    for _ in range(190):
        make_user(email=None, password=None)
    with app.app_context():
        large = _statements(app, lambda: reminders.plan(day))
        planned = reminders.plan(day)
    assert large == small
    assert planned.looked_at == 200 and len(planned.due) == 200


def test_every_reminder_of_one_run_is_one_outbox_row_per_person(on_day, make_user):
    people = [make_user(password=None) for _ in range(25)]
    app = on_day(DUE + timedelta(days=1))
    app.test_cli_runner().invoke(args=["notices", "scan"])
    with app.app_context():
        rows = db.session().execute(select(OutboxMessage.user_id, func.count()).group_by(OutboxMessage.user_id)).all()
    assert sorted(user_id for user_id, _count in rows) == sorted(person.id for person in people)
    assert {count for _user, count in rows} == {1}
