"""Notices as people meet them: the bell and its page, settings, what training events, the inbox, quizzes and
the magazine tell people, announcements from a training office, and the administrators' mail and job logs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from support import answer_form, sign_in

from elearn import db, jobs
from elearn.domain.events import Attendance, Delivery, EventFormat
from elearn.domain.magazine import Audience, InboxKind, InboxStatus, StoredStatus
from elearn.domain.notices import Channel, NoticeKind, Topic
from elearn.domain.people import Permission, Tier
from elearn.models import (
    Announcement,
    MagazineIssue,
    Notice,
    NoticeChoice,
    OutboxMessage,
    QuizAttempt,
    Registration,
    User,
)
from elearn.services import events, notices, visibility
from elearn.services.events import attendance, registration
from elearn.services.magazine import inbox
from elearn.services.outreach import announcements, scan

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 10:00 in Japan
STARTS = datetime(2026, 6, 2, 1, 0, tzinfo=UTC)  # tomorrow, 10:00 in Japan


def kinds_of(app, user_id: int) -> list[NoticeKind]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session().scalars(select(Notice.kind).where(Notice.user_id == user_id).order_by(Notice.id)))


def give(app, user_id: int, kind=NoticeKind.EVENT_PROMOTED, title="データ活用研修") -> None:  # type: ignore[no-untyped-def]
    with app.app_context(), db.write_session() as session:
        notices.notify(session, user_id, kind, {"event_id": 7, "title": title, "starts_at": STARTS.isoformat(),
                                                "venue": "401会議室", "online": False})


# --- the bell ------------------------------------------------------------------------------------------------


def test_the_bell_counts_unread_notices_and_opening_one_reads_it(app, client, make_user):
    person, other = make_user(), make_user()
    give(app, person.id, title="一つ目の研修")
    give(app, person.id, title="二つ目の研修")
    give(app, other.id, title="他人の研修")
    sign_in(client, person)
    home = client.get("/").get_data(as_text=True)
    assert '<span class="bell-count">2<span class="visually-hidden"> 件未読</span></span>' in home
    page = client.get("/notices/").get_data(as_text=True)
    assert "空きが出たため申込済みになりました：二つ目の研修" in page and "他人の研修" not in page
    assert page.index("二つ目の研修") < page.index("一つ目の研修")  # newest first
    with app.app_context():
        mine = db.session().scalar(select(Notice.id).where(Notice.user_id == person.id).order_by(Notice.id))
        theirs = db.session().scalar(select(Notice.id).where(Notice.user_id == other.id))
    opened = client.get(f"/notices/{mine}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/events/7")
    assert '<span class="bell-count">1<' in client.get("/notices/").get_data(as_text=True)
    assert client.get(f"/notices/{theirs}").status_code == 404
    with app.app_context():
        assert db.session().get(Notice, theirs).read_at is None


def test_mark_all_read_needs_the_csrf_token(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    person = make_user()
    give(app, person.id)
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"csrf_token": token, "body": "P000", "sign_in_name": person.staff_number,
                                  "password": "correct-horse-42"})
    assert client.post("/notices/read-all").status_code == 400
    assert notices_unread(app, person.id) == 1
    page = client.get("/notices/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/notices/read-all", data={"csrf_token": token}).status_code == 302
    assert notices_unread(app, person.id) == 0


def notices_unread(app, user_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return notices.unread_count(user_id)


def test_the_notices_page_needs_a_signed_in_person(client):
    assert client.get("/notices/").status_code == 302
    assert client.get("/notices/settings").status_code == 302


# --- settings -----------------------------------------------------------------------------------------------


def test_settings_store_only_what_differs_and_overdue_stays_by_mail(app, client, make_user):
    person = make_user()
    sign_in(client, person)
    page = client.get("/notices/settings").get_data(as_text=True)
    assert "必須コースの期限超過のお知らせは止められません" in page
    assert 'name="overdue"' not in page and 'name="digest"' not in page  # not a manager
    response = client.post("/notices/settings", data={
        "courses": "app", "events": "mail", "certificates": "mail", "inbox": "mail", "announcements": "app",
        "magazine": "mail", "overdue": "app"})
    assert response.status_code == 302
    with app.app_context():
        stored = dict(db.session().execute(select(NoticeChoice.topic, NoticeChoice.channel)
                                           .where(NoticeChoice.user_id == person.id)).all())
    assert stored == {Topic.COURSES: Channel.APP, Topic.ANNOUNCEMENTS: Channel.APP, Topic.MAGAZINE: Channel.MAIL}
    checked = client.get("/notices/settings").get_data(as_text=True)
    assert re.search(r'value="app"[^>]*checked|checked[^>]*value="app"', checked)
    assert client.post("/notices/settings", data={"courses": "off"}).status_code == 200  # not a choice: refused


def test_managers_choose_the_day_of_their_digest(app, client, make_user):
    manager = make_user(permissions=[(Permission.MANAGER, "P100")])
    sign_in(client, manager)
    page = client.get("/notices/settings").get_data(as_text=True)
    assert 'name="digest_weekday"' in page and "水曜日" in page
    data = {"courses": "mail", "events": "mail", "certificates": "mail", "inbox": "mail", "announcements": "mail",
            "magazine": "off", "digest": "mail", "digest_weekday": "2"}
    assert client.post("/notices/settings", data=data).status_code == 302
    with app.app_context():
        assert db.session().get(User, manager.id).digest_weekday == 2


def test_choosing_english_makes_mail_english(app, client, make_user):
    person = make_user()
    sign_in(client, person)
    client.get("/language/en?next=/")
    with app.app_context():
        assert db.session().get(User, person.id).locale == "en"
        with db.write_session() as session:
            notices.notify(session, person.id, NoticeKind.INBOX_REPLY, {"excerpt": "PDFの結合"})
        assert db.session().scalar(select(OutboxMessage.subject)) == "The magazine team answered your message"


# --- what the rest of the platform tells people -----------------------------------------------------------


@pytest.fixture
def organiser(make_user):
    return make_user(division="P102", permissions=[(Permission.ORGANISER, "P000")], name="研修 担当")


def _event(app, organiser, org, capacity: int = 1, survey: bool = False) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, organiser.id))
        event = events.create(organiser, viewer, org["P000"].id, events.EventDraft(
            code="SEM-1", title="生成AI活用セミナー", description="", format=EventFormat.SEMINAR,
            delivery=Delivery.IN_PERSON, target_tiers=[], target_grades=[], hours=Decimal("2"),
            kpi_tier=Tier.DX_MANAGER, survey_required=survey,
            survey_questions=[{"kind": "scale", "text": "役に立ちましたか"}] if survey else [], invited_body_ids=[]))
        session = events.add_session(organiser, event.id, events.SessionDraft(
            starts_at=STARTS, ends_at=STARTS + timedelta(hours=2), venue="県庁 401会議室", meeting_url="",
            capacity=capacity, registration_opens_at=None, registration_closes_at=None,
            cancellation_deadline=None))
        events.publish(organiser, event.id)
        return session.id


def test_training_events_tell_registration_waiting_promotion_nomination_and_attendance(app, make_user, organiser,
                                                                                        org):
    session_id = _event(app, organiser, org, capacity=1, survey=True)
    first, second = make_user(), make_user()
    with app.app_context():
        registration.register(first, session_id, NOW)
        registration.register(second, session_id, NOW)
        mine = db.session().scalar(select(Registration.id).where(Registration.user_id == first.id))
        registration.cancel(first, mine, NOW)
    assert kinds_of(app, first.id) == [NoticeKind.EVENT_REGISTERED]
    assert kinds_of(app, second.id) == [NoticeKind.EVENT_WAITING, NoticeKind.EVENT_PROMOTED]
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, organiser.id))
        nominee = make_user()
        target = events.get_session(session_id)
        target_capacity = target.capacity
    assert target_capacity == 1
    with app.app_context(), db.write_session() as session:
        events.get_session(session_id)
        session.get(type(target), session_id).capacity = 2
    with app.app_context():
        result = registration.nominate(organiser, viewer, session_id, [nominee.id], NOW)
    assert result.nominated == [nominee.name]
    assert kinds_of(app, nominee.id) == [NoticeKind.EVENT_NOMINATED]
    with app.app_context():
        body = db.session().scalar(select(OutboxMessage.body_text).where(OutboxMessage.user_id == nominee.id))
    assert "指名者：研修 担当" in body
    with app.app_context():
        registration_id = db.session().scalar(select(Registration.id).where(Registration.user_id == second.id))
        attendance.mark(organiser, viewer, session_id, {registration_id: Attendance.ATTENDED}, STARTS)
        attendance.mark(organiser, viewer, session_id, {registration_id: None}, STARTS)
        attendance.mark(organiser, viewer, session_id, {registration_id: Attendance.ATTENDED}, STARTS)
    # Once each, however often the mark is corrected; the survey waits for an answer before completion.
    assert kinds_of(app, second.id)[2:] == [NoticeKind.EVENT_ATTENDED, NoticeKind.EVENT_SURVEY]
    with app.app_context():
        body = db.session().scalar(select(OutboxMessage.body_text).where(
            OutboxMessage.user_id == second.id, OutboxMessage.kind == NoticeKind.EVENT_ATTENDED))
    assert "受講後アンケートに回答すると修了になります。" in body


def test_the_day_before_a_session_its_people_get_the_calendar_file(make_app, make_user, organiser, org):
    app = make_app(CLOCK=lambda: NOW)
    session_id = _event(app, organiser, org, capacity=5)
    person = make_user()
    with app.app_context():
        registration.register(person, session_id, NOW)
    for _run in range(2):
        with app.app_context(), app.test_request_context():
            scan.remind_tomorrow(NOW)
    assert kinds_of(app, person.id) == [NoticeKind.EVENT_REGISTERED, NoticeKind.EVENT_TOMORROW]
    with app.app_context():
        row = db.session().scalar(select(OutboxMessage).where(OutboxMessage.kind == NoticeKind.EVENT_TOMORROW))
    assert row.subject == "明日の研修：生成AI活用セミナー" and row.attachment_type == "text/calendar"
    assert "DTSTART;TZID=Asia/Tokyo:20260602T100000" in row.attachment


def test_an_answer_and_an_adopted_idea_reach_their_sender(app, make_user):
    sender = make_user()
    author = make_user(permissions=[(Permission.AUTHOR, None)])
    with app.app_context():
        question = inbox.send(sender, InboxKind.QUESTION, "PDFの結合方法", "教えてください", False, None)
        idea = inbox.send(sender, InboxKind.IDEA, "Excelの小技", "ネタです", False, None)
        number = _published_issue(author)
        inbox.update(author, question.id, inbox.ItemUpdate(InboxStatus.ANSWERED, None, "", "結合できます", None), NOW)
        inbox.update(author, idea.id, inbox.ItemUpdate(InboxStatus.ADOPTED, None, "", "", number), NOW)
    assert kinds_of(app, sender.id) == [NoticeKind.INBOX_REPLY, NoticeKind.IDEA_ADOPTED]
    with app.app_context():
        subjects = list(db.session().scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)))
    assert subjects == ["編集チームから回答が届きました", "あなたのネタが第1号になりました！"]


def test_an_idea_adopted_for_an_issue_to_come_is_told_when_the_issue_is_out(make_app, make_user):
    early = make_app(CLOCK=lambda: NOW - timedelta(days=2))
    sender, author = make_user(), make_user(permissions=[(Permission.AUTHOR, None)])
    with early.app_context():
        idea = inbox.send(sender, InboxKind.IDEA, "Excelの小技", "ネタです", False, None)
        number = _published_issue(author)  # out at NOW - 1 hour
        adopted = inbox.ItemUpdate(InboxStatus.ADOPTED, None, "", "", number)
        inbox.update(author, idea.id, adopted, NOW - timedelta(days=2))
        with early.test_request_context():
            scan.announce_magazine(NOW - timedelta(days=2))
    assert kinds_of(early, sender.id) == []
    with early.app_context(), early.test_request_context():
        scan.announce_magazine(NOW)
        scan.announce_magazine(NOW)
    assert kinds_of(early, sender.id) == [NoticeKind.IDEA_ADOPTED]


def _published_issue(author, audience=Audience.SHARED, number: int = 1) -> int:  # type: ignore[no-untyped-def]
    with db.write_session() as session:
        session.add(MagazineIssue(number=number, title="PDFをまとめる", summary="3分で読めます", audience=audience,
                                  stored_status=StoredStatus.APPROVED, publish_at=NOW - timedelta(hours=1),
                                  created_by_id=author.id))
    return number


def test_a_new_issue_reaches_only_those_who_opted_in_and_may_read_it(app, make_user):
    author = make_user(permissions=[(Permission.AUTHOR, None)])
    reader, city_reader, other = make_user(), make_user(division="M110"), make_user()
    with app.app_context(), db.write_session() as session:
        for person in (reader, city_reader):
            session.add(NoticeChoice(user_id=person.id, topic=Topic.MAGAZINE, channel=Channel.APP))
    with app.app_context(), app.test_request_context():
        _published_issue(author, Audience.PREFECTURE, 1)
        _published_issue(author, Audience.SHARED, 2)
        scan.announce_magazine(NOW)
        scan.announce_magazine(NOW)
    assert kinds_of(app, reader.id) == [NoticeKind.MAGAZINE_ISSUE] * 2
    assert kinds_of(app, city_reader.id) == [NoticeKind.MAGAZINE_ISSUE]  # the prefecture-only issue is not theirs
    assert kinds_of(app, other.id) == []
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(OutboxMessage)) == 0  # app only, as chosen


def test_passing_a_quiz_tells_the_certificate(synced, client, make_user):
    learner = make_user()
    sign_in(client, learner)
    for lesson in ("01-first", "02-second"):
        client.post(f"/courses/sample-course/{lesson}/read")
    started = client.post("/courses/sample-course/quiz/start")
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    with synced.app_context():
        attempt = db.session().get(QuizAttempt, attempt_id)
        questions, sequence = attempt.questions, attempt.sequence
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions), "sequence": sequence,
                                                      "action": "submit"})
    assert kinds_of(synced, learner.id) == [NoticeKind.CERTIFICATE_ISSUED]
    page = client.get("/notices/").get_data(as_text=True)
    assert "修了証書を発行しました：テスト用コース" in page


# --- announcements ---------------------------------------------------------------------------------------------


def test_a_training_office_previews_and_sends_an_announcement_to_its_target(app, client, make_user, org):
    office = make_user(division="M110", permissions=[(Permission.ORGANISER, "M100")])
    leaders = [make_user(division="M110", tiers=(Tier.DIGITAL_LEADER,)) for _ in range(3)]
    others = [make_user(division="M110"), make_user(division="P101", tiers=(Tier.DIGITAL_LEADER,))]
    sign_in(client, office, body="M100")
    form = {"body_id": org["M100"].id, "tiers": ["digital_leader"], "subject": "デジタル推進リーダー会議のご案内",
            "text": "12月15日に会議を開きます。\n出欠を回答してください。"}
    preview = client.post("/notices/announcements", data={**form, "action": "preview"}).get_data(as_text=True)
    assert "この一斉連絡は3人の職員に届きます。" in preview
    sent = client.post("/notices/announcements", data={**form, "action": "send"})
    assert sent.status_code == 302
    with app.app_context():
        announcement = db.session().scalar(select(Announcement))
        assert announcement.recipients == 3 and announcement.delivered_at is None
    pending = [(task.name, task.args) for task in jobs.queue(app).pending()]
    assert ("deliver_announcement", (announcement.id,)) in pending
    with app.app_context(), app.test_request_context():
        assert announcements.deliver(announcement.id) == 3
        assert announcements.deliver(announcement.id) == 0
        rows = db.session().execute(select(OutboxMessage.user_id, OutboxMessage.priority)).all()
    assert sorted(user_id for user_id, _priority in rows) == sorted(person.id for person in leaders)
    assert {priority for _user, priority in rows} == {announcements.ANNOUNCEMENT_PRIORITY}
    assert all(kinds_of(app, person.id) == [] for person in others)
    listing = client.get("/notices/announcements").get_data(as_text=True)
    assert "デジタル推進リーダー会議のご案内" in listing


def test_announcements_stay_within_the_senders_body(app, client, make_user, org):
    office = make_user(division="M110", permissions=[(Permission.ORGANISER, "M100")])
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, office.id))
        with pytest.raises(announcements.AnnouncementRefused, match="not_your_body"):
            announcements.count(viewer, announcements.Target(org["P000"].id))
        with pytest.raises(announcements.AnnouncementRefused, match="unit_elsewhere"):
            announcements.count(viewer, announcements.Target(org["M100"].id, (org["P101"].id,)))
    sign_in(client, office, body="M100")
    response = client.post("/notices/announcements", data={"body_id": org["P000"].id, "subject": "件名",
                                                            "text": "本文", "action": "send"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Announcement)) == 0


def test_a_body_with_many_units_lists_the_top_ones_and_opens_one_at_a_time(app, client, make_user, org,
                                                                          monkeypatch):
    from elearn.notices import views

    monkeypatch.setattr(views, "ANNOUNCEMENT_UNIT_LIMIT", 2)  # the prefecture has five units below it
    office = make_user(division="P101", permissions=[(Permission.ORGANISER, "P000")])
    in_personnel = [make_user(division="P101") for _ in range(2)]
    make_user(division="P102")
    sign_in(client, office, body="P000")

    def boxes(page: str) -> list[str]:
        return re.findall(r'name="units" type="checkbox" value="(\d+)"', page)

    page = client.get("/notices/announcements").get_data(as_text=True)
    assert boxes(page) == [str(org["P100"].id), str(org["P200"].id)]
    assert "総務部の下位の所属を表示" in page
    form = {"body_id": org["P000"].id, "subject": "人事課への連絡", "text": "本文です。"}
    opened = client.post("/notices/announcements", data={**form, "open": org["P100"].id}).get_data(as_text=True)
    assert boxes(opened) == [str(org[code].id) for code in ("P100", "P101", "P102", "P200")]
    assert "人事課への連絡" in opened and "本文です。" in opened  # what was written is kept
    assert "職員に届きます" not in opened  # opening a unit counts nothing
    preview = client.post("/notices/announcements", data={**form, "units": [org["P101"].id], "action": "preview"})
    page = preview.get_data(as_text=True)
    assert f"この一斉連絡は{len(in_personnel) + 1}人の職員に届きます。" in page  # the office's own member too
    assert re.findall(r'<input checked[^>]*name="units" type="checkbox" value="(\d+)"', page) == [str(org["P101"].id)]
    assert boxes(page) == [str(org[code].id) for code in ("P100", "P101", "P200")]  # the chosen one stays
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Announcement)) == 0


def test_staff_without_the_permission_cannot_announce(client, make_user):
    sign_in(client, make_user())
    assert client.get("/notices/announcements").status_code == 403


# --- administrators' logs ---------------------------------------------------------------------------------------


def test_the_mail_and_job_logs_are_for_administrators_only(app, client, make_user):
    person = make_user(email="kana@example.lg.jp")
    give(app, person.id, title="ログに出る研修")
    for outsider in (person, make_user(permissions=[(Permission.REPORTER, "P000")]),
                     make_user(permissions=[(Permission.ORGANISER, "P000")])):
        sign_in(client, outsider)
        assert client.get("/admin/mail").status_code == 403
        assert client.get("/admin/jobs").status_code == 403
        client.post("/sign-out")
    sign_in(client, make_user(permissions=[(Permission.ADMIN, None)]))
    log = client.get("/admin/mail").get_data(as_text=True)
    assert "ログに出る研修" in log and "kana@example.lg.jp" in log and "メールサーバー（ELEARN_MAIL_SERVER）" in log
    with app.app_context():
        message_id = db.session().scalar(select(OutboxMessage.id))
    detail = client.get(f"/admin/mail/{message_id}").get_data(as_text=True)
    assert "401会議室" in detail
    assert client.get("/admin/mail?state=failed").get_data(as_text=True).count("ログに出る研修") == 0
    assert "処理待ち" in client.get("/admin/jobs").get_data(as_text=True)


def test_one_batch_tells_a_person_every_unkeyed_notice_and_each_key_once(app, make_user):
    person = make_user()
    params = {"event_id": 7, "title": "研修", "starts_at": STARTS.isoformat(), "venue": "", "online": False}
    with app.app_context(), db.write_session() as session:
        made = notices.deliver(session, [
            notices.Delivery(person.id, NoticeKind.EVENT_REGISTERED, params),
            notices.Delivery(person.id, NoticeKind.EVENT_PROMOTED, params),
            notices.Delivery(person.id, NoticeKind.EVENT_TOMORROW, params, key="event_tomorrow:1"),
            notices.Delivery(person.id, NoticeKind.EVENT_TOMORROW, params, key="event_tomorrow:1")])
    assert made == 3
    assert kinds_of(app, person.id) == [NoticeKind.EVENT_REGISTERED, NoticeKind.EVENT_PROMOTED,
                                        NoticeKind.EVENT_TOMORROW]


def test_a_bad_digest_day_is_refused_with_a_message_and_nothing_changes(app, client, make_user):
    manager = make_user(permissions=[(Permission.MANAGER, "P100")])
    sign_in(client, manager)
    data = {"courses": "app", "events": "mail", "certificates": "mail", "inbox": "mail", "announcements": "mail",
            "magazine": "off", "digest": "mail", "digest_weekday": "9"}
    page = client.post("/notices/settings", data=data)
    assert page.status_code == 200 and 'class="error"' in page.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(User, manager.id).digest_weekday is None
        assert db.session().scalar(select(func.count()).select_from(NoticeChoice)) == 0
