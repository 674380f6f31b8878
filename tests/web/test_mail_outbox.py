"""The outbox against a real SMTP server on loopback (aiosmtpd): what arrives, how Japanese is encoded, the
Message-ID, and what a crash between sending and marking does (at-least-once, the resend recognisable)."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn import db
from elearn.clock import utcnow
from elearn.domain.notices import MAIL_CLAIM_LEASE, NoticeKind
from elearn.models import Notice, OutboxMessage
from elearn.services import notices
from elearn.services.notices import Attachment, mail

EVENT = {"event_id": 1, "title": "DX推進リーダー研修（第2回）", "starts_at": "2026-12-10T01:00:00+00:00",
         "venue": "県庁本館 5階 大会議室", "online": False}


@pytest.fixture
def mail_app(make_app, smtp_server):
    host, port, collector = smtp_server
    app = make_app(MAIL_SERVER=host, MAIL_PORT=port, MAIL_FROM="elearn@pref.example.lg.jp",
                   MAIL_FROM_NAME="みどり県 デジタル研修", MAIL_PER_MINUTE=0, PUBLIC_URL="https://elearn.pref.example.lg.jp")
    return app, collector


def _queue(app, user_id: int, kind=NoticeKind.EVENT_REGISTERED, params=EVENT, attachment=None) -> None:
    with app.app_context(), db.write_session() as session:
        assert notices.notify(session, user_id, kind, params, attachment=attachment) == 1


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session().scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_notice_arrives_as_japanese_mail_with_text_html_and_a_stable_message_id(mail_app, make_user):
    app, collector = mail_app
    person = make_user(name="山田　花子", email="hanako.yamada@pref.example.lg.jp")
    _queue(app, person.id)
    stored = _outbox(app)[0]
    with app.app_context():
        report = mail.send_waiting()
    assert (report.sent, report.failed, report.waiting) == (1, 0, 0)

    [(envelope_from, recipients, raw)] = collector.messages
    assert envelope_from == "elearn@pref.example.lg.jp" and recipients == ["hanako.yamada@pref.example.lg.jp"]
    # Non-ASCII headers travel RFC 2047-encoded, never as raw UTF-8.
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" in headers.lower() and "山田".encode() not in headers
    [message] = collector.parsed()
    assert message["Subject"] == "申込を受け付けました：DX推進リーダー研修（第2回）"
    assert message["To"].addresses[0].display_name == "山田　花子"
    assert message["From"].addresses[0].display_name == "みどり県 デジタル研修"
    assert message["Message-ID"] == stored.message_id and stored.message_id.endswith("@pref.example.lg.jp>")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "山田　花子 様" in text and "県庁本館 5階 大会議室" in text
    assert "https://elearn.pref.example.lg.jp/events/1" in text
    assert "https://elearn.pref.example.lg.jp/notices/settings" in text and "notices/settings" in html
    assert "<img" not in html and "http://" not in html  # no outside images, links only to the site
    with app.app_context():
        assert db.session().scalar(select(OutboxMessage.state)) == "sent"


def test_staff_who_chose_english_get_english_mail(mail_app, make_user, client):
    app, collector = mail_app
    person = make_user(email="en@example.lg.jp", locale="en")
    _queue(app, person.id)
    with app.app_context():
        mail.send_waiting()
    [message] = collector.parsed()
    assert message["Subject"] == "Registration confirmed: DX推進リーダー研修（第2回）"
    assert message.get_body(("plain",)).get_content().startswith("Dear ")


def test_the_calendar_file_is_attached(mail_app, make_user):
    app, collector = mail_app
    person = make_user()
    _queue(app, person.id, NoticeKind.EVENT_TOMORROW,
           attachment=Attachment("session-1.ics", "text/calendar", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
    with app.app_context():
        mail.send_waiting()
    [message] = collector.parsed()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "session-1.ics" and attachment.get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in attachment.get_content()


def test_a_crash_between_sending_and_marking_resends_once_with_the_same_message_id(mail_app, make_user, make_app,
                                                                                   monkeypatch):
    app, collector = mail_app
    people = [make_user() for _ in range(3)]
    for person in people:
        _queue(app, person.id)

    class Crash(BaseException):
        pass

    real_mark = mail.mark_sent
    calls = {"n": 0}

    def crash_on_second(outbox_id: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise Crash  # the process dies after the server took message 2, before it is marked
        real_mark(outbox_id)

    monkeypatch.setattr(mail, "mark_sent", crash_on_second)
    with app.app_context(), pytest.raises(Crash):
        mail.send_waiting()
    monkeypatch.setattr(mail, "mark_sent", real_mark)
    assert len(collector.messages) == 2
    states = [row.state for row in _outbox(app)]
    assert states == ["sent", "sending", "sending"]  # 2 unmarked, 3 claimed but never handed over

    # Within the lease nobody takes the claimed messages: a slow sender is not raced.
    with app.app_context():
        assert mail.send_waiting().sent == 0
    # After the lease they go again, message 2 with its Message-ID unchanged.
    later = make_app(MAIL_SERVER=app.config["MAIL_SERVER"], MAIL_PORT=app.config["MAIL_PORT"], MAIL_PER_MINUTE=0,
                     CLOCK=lambda: utcnow() + MAIL_CLAIM_LEASE + timedelta(seconds=1))
    with later.app_context():
        assert mail.send_waiting().sent == 2
    ids = [message["Message-ID"] for message in collector.parsed()]
    assert len(ids) == 4 and len(set(ids)) == 3  # every message, and exactly one recognisable duplicate
    assert ids[1] in ids[2:]
    assert [row.state for row in _outbox(app)] == ["sent", "sent", "sent"]


def test_a_server_that_is_down_costs_a_retry_with_back_off_not_the_message(make_app, make_user):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_PER_MINUTE=0)  # nothing listens on port 1
    person = make_user()
    _queue(app, person.id)
    with app.app_context():
        report = mail.send_waiting()
        row = db.session().scalar(select(OutboxMessage))
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    assert row.state == "queued" and row.attempts == 1 and "Connection" in row.last_error
    assert row.next_attempt_at - utcnow() > timedelta(seconds=50)
    with app.app_context():
        assert mail.send_waiting().retrying == 0  # not due yet: no second attempt at once


def test_a_refused_recipient_fails_for_good_and_the_others_go(mail_app, make_user, monkeypatch):
    app, collector = mail_app
    good, bad = make_user(), make_user(email="nobody@invalid.example")
    _queue(app, bad.id)
    _queue(app, good.id)
    real_send = smtplib.SMTP.send_message

    def refuse_invalid(self, message, from_addr=None, to_addrs=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if to_addrs == ["nobody@invalid.example"]:
            raise smtplib.SMTPRecipientsRefused({"nobody@invalid.example": (550, b"no such user")})
        return real_send(self, message, from_addr, to_addrs, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", refuse_invalid)
    with app.app_context():
        report = mail.send_waiting()
    assert (report.sent, report.failed) == (1, 1)
    rows = _outbox(app)
    assert [row.state for row in rows] == ["failed", "sent"] and "550" in rows[0].last_error


def test_no_server_configured_keeps_mail_queued_and_the_notice_shows(make_app, make_user, runner):
    app = make_app()
    person = make_user()
    _queue(app, person.id)
    with app.app_context():
        report = mail.send_waiting()
        assert report.waiting == 1 and report.sent == 0
        assert db.session().scalar(select(func.count()).select_from(Notice)) == 1
    result = app.test_cli_runner().invoke(args=["mail", "send", "--dry-run"])
    assert result.exit_code == 0 and "due: 1" in result.output and "申込を受け付けました" in result.output
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code != 0 and "ELEARN_MAIL_SERVER" in result.output


def test_mail_send_command_sends_what_is_due(mail_app, make_user):
    app, collector = mail_app
    for _ in range(3):
        _queue(app, make_user().id)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 3" in result.output and len(collector.messages) == 3


def test_a_person_without_an_address_gets_the_notice_only(mail_app, make_user):
    app, collector = mail_app
    person = make_user(email=None)
    _queue(app, person.id)
    assert _outbox(app) == []
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Notice).where(Notice.user_id == person.id)) == 1
