"""Places on a training event's session: the waiting list, promotion on cancelling in the same transaction,
nominations, attendance completing the event (certificate and KPI), the venue's QR code, and parallel
registrations that never take more places than there are (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
import json
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from support import run_at_once

from elearn import db
from elearn.domain.events import Attendance, Delivery, EventFormat, RegistrationStatus, checkin_code
from elearn.domain.people import Permission, Tier
from elearn.models import Certificate, Completion, EventSession, Registration, User
from elearn.services import events, visibility
from elearn.services.events import attendance, registration
from elearn.services.events.registration import RegistrationRefused

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 10:00 in Japan, FY2026
STARTS = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)


def draft(**changes) -> events.EventDraft:
    values = dict(code="WS-2026-01", title="データ利活用ワークショップ", description="演習",
                  format=EventFormat.WORKSHOP, delivery=Delivery.IN_PERSON, target_tiers=[], target_grades=[],
                  hours=Decimal("3"),
                  kpi_tier=Tier.DX_SPECIALIST, survey_required=False, survey_questions=[], invited_body_ids=[])
    values.update(changes)
    return events.EventDraft(**values)


def session_draft(capacity: int = 2, **changes) -> events.SessionDraft:
    values = dict(starts_at=STARTS, ends_at=STARTS + timedelta(hours=3), venue="県庁 401会議室", meeting_url="",
                  capacity=capacity, registration_opens_at=None, registration_closes_at=None,
                  cancellation_deadline=STARTS - timedelta(days=2))
    values.update(changes)
    return events.SessionDraft(**values)


@pytest.fixture
def organiser(make_user):
    return make_user(division="P102", permissions=[(Permission.ORGANISER, "P000")], name="研修 担当")


@pytest.fixture
def workshop(app, organiser, org):
    """A published workshop with one session of two places, owned by the prefecture."""
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, organiser.id))
        event = events.create(organiser, viewer, org["P000"].id, draft(**({"invited_body_ids": [org["M100"].id]})))
        added = events.add_session(organiser, event.id, session_draft())
        events.publish(organiser, event.id)
        return event.id, added.id


def statuses(app, session_id: int) -> dict[int, RegistrationStatus]:
    with app.app_context():
        return dict(db.session().execute(select(Registration.user_id, Registration.status)
                                         .where(Registration.session_id == session_id)).all())


def test_the_third_waits_and_moves_up_when_someone_cancels(app, make_user, workshop):
    _, session_id = workshop
    first, second, third = (make_user(division="P101") for _ in range(3))
    with app.app_context():
        for person in (first, second, third):
            registration.register(person, session_id, NOW)
    assert statuses(app, session_id) == {first.id: "registered", second.id: "registered", third.id: "waiting"}
    with app.app_context():
        mine = db.session().scalar(select(Registration.id).where(Registration.user_id == first.id))
        promoted = registration.cancel(first, mine, NOW + timedelta(hours=1))
    assert statuses(app, session_id) == {first.id: "cancelled", second.id: "registered", third.id: "registered"}
    assert len(promoted) == 1


def test_registering_twice_changes_nothing_and_cancelling_after_the_deadline_is_refused(app, make_user, workshop):
    _, session_id = workshop
    person = make_user(division="P101")
    with app.app_context():
        once = registration.register(person, session_id, NOW)
        again = registration.register(person, session_id, NOW + timedelta(minutes=1))
        assert once.id == again.id
        with pytest.raises(RegistrationRefused, match="deadline"):
            registration.cancel(person, once.id, STARTS - timedelta(days=1))
        with pytest.raises(RegistrationRefused, match="started"):
            registration.register(make_user(division="P101"), session_id, STARTS)


def test_staff_of_a_body_not_invited_cannot_register(app, make_user, org, organiser):
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, organiser.id))
        event = events.create(organiser, viewer, org["P000"].id, draft(code="PREF-ONLY"))
        added = events.add_session(organiser, event.id, session_draft())
        events.publish(organiser, event.id)
        with pytest.raises(RegistrationRefused, match="not_invited"):
            registration.register(make_user(division="M110"), added.id, NOW)


def test_a_nomination_holds_a_place_until_declined_and_then_the_first_waiting_moves_up(
        app, make_user, workshop, organiser):
    _, session_id = workshop
    nominee, walk_in, late = (make_user(division="P101") for _ in range(3))
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, organiser.id))
        result = registration.nominate(organiser, viewer, session_id, [nominee.id], NOW)
        assert result.nominated == [nominee.name]
        registration.register(walk_in, session_id, NOW)
        registration.register(late, session_id, NOW)  # the nomination holds the second place
        assert registration.pending_nominations(nominee.id, NOW)[0].session_id == session_id
        nominated = db.session().scalar(select(Registration.id).where(Registration.user_id == nominee.id))
        with pytest.raises(RegistrationRefused, match="reason"):
            registration.answer_nomination(nominee, nominated, False, "  ", NOW)
        registration.answer_nomination(nominee, nominated, False, "窓口当番のため", NOW)
    assert statuses(app, session_id) == {nominee.id: "declined", walk_in.id: "registered", late.id: "registered"}


def test_a_manager_nominates_only_their_own_team(app, make_user, workshop):
    _, session_id = workshop
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101")])
    mine, other = make_user(division="P101"), make_user(division="P201")
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, manager.id))
        result = registration.nominate(manager, viewer, session_id, [mine.id, other.id], NOW)
    assert result.nominated == [mine.name] and result.refused == [(other.name, "not_yours")]


def test_attending_completes_the_event_with_a_certificate_and_moves_the_kpi(app, client, make_user, workshop,
                                                                             organiser):
    event_id, session_id = workshop
    reporter = make_user(division="P101", permissions=[(Permission.REPORTER, "P000")])
    people = [make_user(division="P101") for _ in range(3)]
    with app.app_context():
        for person in people:
            registration.register(person, session_id, NOW)
        ids = dict(db.session().execute(select(Registration.user_id, Registration.id)).all())
        viewer = visibility.viewer_of(db.session().get(User, organiser.id))
        attendance.mark(organiser, viewer, session_id, {ids[people[0].id]: Attendance.ATTENDED,
                                                        ids[people[1].id]: Attendance.LEFT_EARLY}, STARTS)
        key = db.session().get(EventSession, session_id).checkin_key
    with app.app_context():
        # The third is only waiting: a code scanned at the venue does not give them a place.
        code = checkin_code(session_id, key, STARTS)
        with pytest.raises(attendance.AttendanceRefused, match="not_registered"):
            attendance.check_in(people[2], code, STARTS + timedelta(minutes=5))
        certificate = db.session().scalars(select(Certificate)).one()
        assert (certificate.user_id, certificate.tier, certificate.course_title, certificate.minutes) == (
            people[0].id, Tier.DX_SPECIALIST, "データ利活用ワークショップ", 180)
        assert certificate.issued_at == STARTS  # marked at the start: not dated at the session's end, to come
        assert certificate.serial.startswith("R8-")
    from support import sign_in

    sign_in(client, reporter)
    report = json.loads(client.get("/kpi/report.json?as_of=2026-06-30").get_data(as_text=True))
    assert report["years"][-1]["cumulative"] == 1
    assert report["by_mode"] == {"workshop": {"in_year": {"2022": 0, "2023": 0, "2024": 0, "2025": 0, "2026": 1},
                                              "cumulative": 1}}
    # A corrected mark takes the completion (and its certificate) away again.
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, organiser.id))
        attendance.mark(organiser, viewer, session_id, {ids[people[0].id]: Attendance.ABSENT}, STARTS)
        assert db.session().scalar(select(func.count()).select_from(Completion)) == 0
        assert db.session().scalar(select(func.count()).select_from(Certificate)) == 0
    assert event_id


def test_the_venue_code_checks_in_only_the_person_scanning_and_only_in_the_window(app, make_user, workshop):
    _, session_id = workshop
    person, bystander = make_user(division="P101"), make_user(division="P101")
    with app.app_context():
        registration.register(person, session_id, NOW)
        key = db.session().get(EventSession, session_id).checkin_key
    with app.app_context():
        early = checkin_code(session_id, key, STARTS - timedelta(hours=2))
        with pytest.raises(attendance.AttendanceRefused, match="window"):
            attendance.check_in(person, early, STARTS - timedelta(hours=2))
        stale = checkin_code(session_id, key, STARTS)
        with pytest.raises(attendance.AttendanceRefused, match="code"):
            attendance.check_in(person, stale, STARTS + timedelta(minutes=30))  # shown half an hour ago
        forged = f"{session_id}.{int(STARTS.timestamp())}.{'0' * 32}"
        with pytest.raises(attendance.AttendanceRefused, match="code"):
            attendance.check_in(person, forged, STARTS)
        good = checkin_code(session_id, key, STARTS)
        with pytest.raises(attendance.AttendanceRefused, match="not_registered"):
            attendance.check_in(bystander, good, STARTS + timedelta(minutes=1))
        attendance.check_in(person, good, STARTS + timedelta(minutes=1))
        row = db.session().scalar(select(Registration).where(Registration.user_id == person.id))
        assert row.attendance is Attendance.ATTENDED and row.checked_in_at is not None
        assert db.session().scalar(select(func.count()).select_from(Completion)) == 1


def test_parallel_registrations_never_overbook(app, make_user, organiser, org):
    capacity, people_count = 5, 16
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, organiser.id))
        event = events.create(organiser, viewer, org["P000"].id, draft(code="RACE"))
        session_id = events.add_session(organiser, event.id, session_draft(capacity=capacity)).id
        events.publish(organiser, event.id)
    people = [make_user(division="P101", password=None) for _ in range(people_count)]
    queue = itertools.count()
    lock = threading.Lock()

    def one() -> RegistrationStatus:
        with lock:
            person = people[next(queue)]
        return registration.register(person, session_id, NOW).status

    results = run_at_once(app, people_count, one)
    assert sorted(results).count(RegistrationStatus.REGISTERED) == capacity
    counts = statuses(app, session_id)
    assert list(counts.values()).count("registered") == capacity
    assert list(counts.values()).count("waiting") == people_count - capacity

    # Parallel cancellations each promote a different person: still never more than the places.
    with app.app_context():
        holders = db.session().execute(select(Registration.id, Registration.user_id).where(
            Registration.session_id == session_id, Registration.status == "registered")).all()
    by_id = {person.id: person for person in people}
    pending = iter(holders)

    def cancel_one() -> list[int]:
        with lock:
            registration_id, user_id = next(pending)
        return registration.cancel(by_id[user_id], registration_id, NOW)

    promoted = run_at_once(app, capacity, cancel_one)
    assert len({item for batch in promoted for item in batch}) == capacity
    counts = statuses(app, session_id)
    assert list(counts.values()).count("registered") == capacity
    assert list(counts.values()).count("waiting") == people_count - 2 * capacity


def test_organisers_see_what_is_to_come_first_and_past_events_latest_first(app, organiser, org):
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, organiser.id))
        for code, starts in (("OLD", STARTS - timedelta(days=400)), ("LATER", STARTS + timedelta(days=30)),
                             ("RECENT", STARTS - timedelta(days=20)), ("SOON", STARTS)):
            event = events.create(organiser, viewer, org["P000"].id, draft(code=code))
            events.add_session(organiser, event.id, session_draft(starts_at=starts, ends_at=starts + timedelta(hours=2),
                                                                  cancellation_deadline=None))
        events.create(organiser, viewer, org["P000"].id, draft(code="DRAFT"))
        assert [event.code for event in events.organised(viewer, NOW)] == ["SOON", "LATER", "DRAFT", "RECENT", "OLD"]


def test_nominees_are_found_by_body_and_staff_number(app, org, make_user):
    """The same staff number in the prefecture and in a city: a bare number is the event body's person, one after a
    body code is that body's; an unknown body or number is listed back."""
    prefecture = make_user(division="P101", staff_number="555001")
    city = make_user(division="M110", staff_number="555001")
    with app.app_context():
        found, unknown = registration.people_named("555001\nM100 555001\nM100 nobody\nX999 555001\n\n",
                                                   org["P000"].id)
    assert found == [prefecture.id, city.id]
    assert unknown == ["M100 nobody", "X999 555001"]
