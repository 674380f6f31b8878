"""The training-event rules without Flask or a database: places and the waiting list, windows for registering,
cancelling and checking in, what completes an event, the venue's code, and a session as an .ics file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from elearn.domain.events import (
    Attendance,
    CalendarEntry,
    Closed,
    Delivery,
    EventFormat,
    RegistrationStatus,
    Waiting,
    checkin_code,
    checkin_code_valid,
    checkin_open,
    checkin_session_id,
    completes,
    may_cancel,
    next_in_line,
    place_for,
    promotions,
    registration_closed,
    session_ics,
    training_mode,
)
from elearn.domain.kpi import TrainingMode

STARTS = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)  # 10:00 in Japan
ENDS = STARTS + timedelta(hours=3)


def test_a_place_while_one_is_free_then_the_waiting_list():
    assert place_for(0, 2) is RegistrationStatus.REGISTERED
    assert place_for(1, 2) is RegistrationStatus.REGISTERED
    assert place_for(2, 2) is RegistrationStatus.WAITING
    assert place_for(5, 2) is RegistrationStatus.WAITING  # a lowered capacity never books more


def test_the_first_to_join_the_waiting_list_moves_up_first():
    waiting = [Waiting(7, STARTS + timedelta(minutes=5)), Waiting(3, STARTS + timedelta(minutes=9)),
               Waiting(9, STARTS + timedelta(minutes=5))]
    assert next_in_line(waiting) == 7  # same moment: the earlier registration
    assert promotions(2, waiting) == [7, 9]
    assert promotions(0, waiting) == [] and promotions(-1, waiting) == []
    assert next_in_line([]) is None


def test_registration_opens_closes_and_stops_at_the_start():
    opens, closes = STARTS - timedelta(days=30), STARTS - timedelta(days=3)
    assert registration_closed(opens - timedelta(seconds=1), STARTS, opens, closes) is Closed.NOT_YET
    assert registration_closed(opens, STARTS, opens, closes) is None
    assert registration_closed(closes, STARTS, opens, closes) is Closed.CLOSED
    assert registration_closed(STARTS - timedelta(seconds=1), STARTS, None, None) is None
    assert registration_closed(STARTS, STARTS, None, None) is Closed.STARTED
    assert registration_closed(opens, STARTS, None, None, cancelled=True) is Closed.CANCELLED


def test_cancelling_until_the_deadline_or_the_start():
    deadline = STARTS - timedelta(days=2)
    assert may_cancel(deadline - timedelta(seconds=1), STARTS, deadline)
    assert not may_cancel(deadline, STARTS, deadline)
    assert may_cancel(STARTS - timedelta(seconds=1), STARTS, None)
    assert not may_cancel(STARTS, STARTS, None)


def test_check_in_from_half_an_hour_before_until_the_end():
    assert not checkin_open(STARTS - timedelta(minutes=31), STARTS, ENDS)
    assert checkin_open(STARTS - timedelta(minutes=30), STARTS, ENDS)
    assert checkin_open(ENDS - timedelta(seconds=1), STARTS, ENDS)
    assert not checkin_open(ENDS, STARTS, ENDS)


def test_attending_completes_leaving_early_does_not_and_a_required_survey_must_be_answered():
    assert completes(Attendance.ATTENDED, survey_required=False, survey_answered=False)
    assert not completes(Attendance.LEFT_EARLY, survey_required=False, survey_answered=True)
    assert not completes(Attendance.ABSENT, survey_required=False, survey_answered=True)
    assert not completes(None, survey_required=False, survey_answered=False)
    assert not completes(Attendance.ATTENDED, survey_required=True, survey_answered=False)
    assert completes(Attendance.ATTENDED, survey_required=True, survey_answered=True)


def test_an_event_is_counted_as_its_mode():
    assert training_mode(EventFormat.WORKSHOP, Delivery.IN_PERSON) is TrainingMode.WORKSHOP
    assert training_mode(EventFormat.SEMINAR, Delivery.HYBRID) is TrainingMode.SEMINAR
    assert training_mode(EventFormat.WORKSHOP, Delivery.ONLINE) is TrainingMode.ONLINE


def test_the_venue_code_is_signed_per_session_and_short_lived():
    key = "k" * 64
    code = checkin_code(12, key, STARTS)
    assert checkin_session_id(code) == 12
    assert checkin_code_valid(code, key, STARTS + timedelta(minutes=9))
    assert not checkin_code_valid(code, key, STARTS + timedelta(minutes=11))  # a photo kept for later
    assert not checkin_code_valid(code, key, STARTS - timedelta(minutes=5))  # made in the future
    assert not checkin_code_valid(code, "other" * 10, STARTS)  # the key was renewed
    forged = code.replace("12.", "13.", 1)
    assert checkin_session_id(forged) == 13 and not checkin_code_valid(forged, key, STARTS)
    assert checkin_session_id("nonsense") is None and not checkin_code_valid("a.b.c", key, STARTS)


def test_a_session_as_an_ics_file_outlook_reads():
    text = session_ics(CalendarEntry(
        uid="elearn-session-5@example", title="データ利活用ワークショップ；演習, 第1回", starts_at=STARTS,
        ends_at=ENDS, location="県庁 401会議室", description="持ち物：なし\n筆記用具があると便利です。" * 3,
        url="https://elearn.example/events/5", stamp=STARTS))
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;TZID=Asia/Tokyo:20260610T100000\r\n" in text
    assert "DTEND;TZID=Asia/Tokyo:20260610T130000\r\n" in text
    assert "TZID:Asia/Tokyo" in text and "DTSTAMP:20260610T010000Z" in text
    assert "SUMMARY:データ利活用ワークショップ；演習\\, 第1回" in text
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:持ち物：なし\\n筆記用具があると便利です。" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
