"""The training-event pages as each role uses them: an organiser creates, schedules and publishes a workshop;
staff register, wait, cancel and download the .ics; the roster, the venue's code, the survey, materials and
the event's report; and who may see which roster and survey."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from support import sign_in

from elearn import db
from elearn.domain.events import checkin_code
from elearn.domain.people import Permission
from elearn.models import EventMaterial, EventSession, Registration, TrainingEvent

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
SESSION_DAY = "2026-06-10"


@pytest.fixture
def clock(app):
    moment = {"now": NOW}
    app.config["CLOCK"] = lambda: moment["now"]
    return moment


@pytest.fixture
def organiser(make_user):
    return make_user(division="P102", permissions=[(Permission.ORGANISER, "P000")], name="研修 担当")


def create_workshop(client, org, capacity: int = 2, survey: bool = False, invite_city: bool = True) -> int:
    data = {"owner_body": org["P000"].id, "code": "WS-01", "title": "データ活用ワークショップ",
            "description": "表計算で集計する演習です。", "format": "workshop", "delivery": "in_person", "hours": "3",
            "kpi_tier": "dx_specialist", "target_tiers": [], "target_grades": []}
    if invite_city:
        data["invited_bodies"] = [str(org["M100"].id)]
    if survey:
        data.update(scale_questions="役に立ちましたか", text_questions="ご意見をどうぞ", survey_required="y")
    created = client.post("/events/manage/new", data=data)
    assert created.status_code == 302, created.get_data(as_text=True)
    event_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    added = client.post(f"/events/manage/{event_id}/sessions/new", data={
        "day": SESSION_DAY, "starts": "10:00", "ends": "13:00", "venue": "県庁 401会議室", "capacity": str(capacity),
        "cancellation_deadline_on": "2026-06-08"})
    assert added.status_code == 302, added.get_data(as_text=True)
    assert client.post(f"/events/manage/{event_id}/publish").status_code == 302
    return event_id


def session_of(app, event_id: int) -> EventSession:
    with app.app_context():
        return db.session().scalar(select(EventSession).where(EventSession.event_id == event_id))


def test_an_organiser_schedules_a_workshop_and_staff_register_wait_and_move_up(app, client, org, organiser,
                                                                               make_user, clock):
    sign_in(client, organiser)
    event_id = create_workshop(client, org)
    target = session_of(app, event_id)
    assert target.starts_at == datetime(2026, 6, 10, 1, 0, tzinfo=UTC)  # 10:00 in Japan
    client.post("/sign-out")
    people = [make_user(division="P101", name=f"受講 {index}") for index in range(2)] + [
        make_user(division="M110", name="市 職員")]
    for person in people:
        sign_in(client, person, body="M100" if person.name == "市 職員" else "P000")
        listing = client.get("/events/").get_data(as_text=True)
        assert "データ活用ワークショップ" in listing
        page = client.post(f"/events/sessions/{target.id}/register", follow_redirects=True).get_data(as_text=True)
        client.post("/sign-out")
    assert "キャンセル待ち" in page  # the third waits
    sign_in(client, people[0])
    mine = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "申込を取り消す" in mine
    with app.app_context():
        registration_id = db.session().scalar(select(Registration.id).where(Registration.user_id == people[0].id))
    ics = client.get(f"/events/sessions/{target.id}.ics")
    assert ics.mimetype == "text/calendar"
    text = ics.get_data(as_text=True)
    assert "DTSTART;TZID=Asia/Tokyo:20260610T100000\r\n" in text and "BEGIN:VTIMEZONE" in text
    assert "LOCATION:県庁 401会議室" in text
    client.post("/sign-out")
    sign_in(client, people[1])  # nobody cancels, or answers for, someone else
    client.post(f"/events/registrations/{registration_id}/cancel", data={"event_id": event_id})
    client.post(f"/events/registrations/{registration_id}/answer", data={"accept": "0", "reason": "x"})
    with app.app_context():
        assert db.session().get(Registration, registration_id).status == "registered"
    client.post("/sign-out")
    sign_in(client, people[0])
    client.post(f"/events/registrations/{registration_id}/cancel", data={"event_id": event_id})
    with app.app_context():
        statuses = dict(db.session().execute(select(Registration.user_id, Registration.status)).all())
    assert statuses == {people[0].id: "cancelled", people[1].id: "registered", people[2].id: "registered"}
    # After the deadline nobody cancels from the page; the roster is the organiser's.
    clock["now"] = datetime(2026, 6, 9, 1, 0, tzinfo=UTC)
    client.post("/sign-out")
    sign_in(client, people[1])
    other = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "申込を取り消す" not in other
    assert client.get(f"/events/manage/sessions/{target.id}/roster").status_code == 403


def test_roster_marks_and_the_venue_code_complete_the_workshop(app, client, org, organiser, make_user, clock):
    sign_in(client, organiser)
    event_id = create_workshop(client, org)
    target = session_of(app, event_id)
    client.post("/sign-out")
    first, second = make_user(division="P101"), make_user(division="P201")
    for person in (first, second):
        sign_in(client, person)
        client.post(f"/events/sessions/{target.id}/register")
        client.post("/sign-out")
    clock["now"] = target.starts_at + timedelta(minutes=5)
    sign_in(client, organiser)
    roster = client.get(f"/events/manage/sessions/{target.id}/roster").get_data(as_text=True)
    assert roster.count('type="radio"') == 8  # four choices for each of two people
    with app.app_context():
        ids = dict(db.session().execute(select(Registration.user_id, Registration.id)).all())
    client.post(f"/events/manage/sessions/{target.id}/roster", data={f"a-{ids[first.id]}": "attended"})
    qr = client.get(f"/events/manage/sessions/{target.id}/qr").get_data(as_text=True)
    assert "<svg" in qr and "checkin-qr.js" in qr
    fresh = client.get(f"/events/manage/sessions/{target.id}/qr.svg")
    assert fresh.mimetype == "image/svg+xml" and fresh.headers["Cache-Control"] == "no-store"
    client.post("/sign-out")
    sign_in(client, second)
    code = checkin_code(target.id, target.checkin_key, clock["now"])
    page = client.get(f"/events/check-in?code={code}").get_data(as_text=True)
    assert "今すぐ受付" in page  # opening the link alone checks nobody in
    checked = client.post("/events/check-in", data={"code": code}, follow_redirects=True)
    assert "受付しました" in checked.get_data(as_text=True)
    certificates = client.get("/certificates/").get_data(as_text=True)
    assert "データ活用ワークショップ" in certificates
    pdf_link = re.search(r'href="(/certificates/\d+\.pdf)"', certificates)[1]
    assert client.get(pdf_link).data.startswith(b"%PDF")
    history = client.get("/certificates/").get_data(as_text=True)
    assert "R8-S-" in history  # the specialists' series of this fiscal year
    # Their managers see it on the team page, under its mode, and in the Excel download.
    client.post("/sign-out")
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P000")])
    sign_in(client, manager)
    team = client.get("/team/?fiscal_year=2026").get_data(as_text=True).split('id="team-training"', 1)[1]
    assert "<strong>2</strong>ワークショップ" in team and team.count("データ活用ワークショップ") == 2
    workbook = load_workbook(io.BytesIO(client.get("/team/completion.xlsx?fiscal_year=2026").data))
    assert [row[4] for row in workbook["研修・セミナーと取込記録"].iter_rows(min_row=2, values_only=True)] == [
        "ワークショップ", "ワークショップ"]


def test_a_survey_required_for_completion_is_answered_without_names(app, client, org, organiser, make_user, clock):
    sign_in(client, organiser)
    event_id = create_workshop(client, org, survey=True)
    target = session_of(app, event_id)
    client.post("/sign-out")
    person = make_user(division="P101", name="回答 者")
    sign_in(client, person)
    client.post(f"/events/sessions/{target.id}/register")
    assert client.get(f"/events/{event_id}/survey", follow_redirects=True).status_code == 200
    with app.app_context():
        registration_id = db.session().scalar(select(Registration.id))
    client.post("/sign-out")
    clock["now"] = target.starts_at
    sign_in(client, organiser)
    client.post(f"/events/manage/sessions/{target.id}/roster", data={f"a-{registration_id}": "attended"})
    client.post("/sign-out")
    sign_in(client, person)
    assert "R8-" not in client.get("/certificates/").get_data(as_text=True)  # not complete before the survey
    refused = client.post(f"/events/{event_id}/survey", data={"q0": "9", "q1": "とても良かった"})
    assert refused.status_code == 422
    client.post(f"/events/{event_id}/survey", data={"q0": "5", "q1": "とても良かった"})
    assert "R8-S-" in client.get("/certificates/").get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, organiser)
    results = client.get(f"/events/manage/{event_id}/survey").get_data(as_text=True)
    assert "とても良かった" in results and "回答 者" not in results and "平均 5.00" in results
    workbook = load_workbook(io.BytesIO(client.get(f"/events/manage/{event_id}/report.xlsx").data))
    assert workbook["アンケート"]["C2"].value == 5 and workbook["自由記述"]["B2"].value == "とても良かった"
    assert workbook["団体別"]["A2"].value == "みどり県"


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office_bytes(main: str, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main, "<x/>")
        if macros:
            package.writestr("ppt/vbaProject.bin", b"\0")
    return buffer.getvalue()


def test_materials_are_checked_by_content_and_read_only_by_those_with_a_place(app, client, org, organiser,
                                                                              make_user, clock):
    sign_in(client, organiser)
    event_id = create_workshop(client, org)
    target = session_of(app, event_id)

    def attach(data: bytes, name: str) -> str:
        return client.post(f"/events/manage/{event_id}/materials", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)

    assert "添付しました" in attach(pdf_bytes(), "slides.pdf")
    assert "添付しました" in attach(office_bytes("ppt/presentation.xml"), "演習.pptx")
    assert "マクロ" in attach(office_bytes("ppt/presentation.xml", macros=True), "bad.pptx")
    assert "読み取れません" in attach(b"MZ\x90\x00 not a pdf", "virus.pdf")
    assert "読み取れません" in attach(office_bytes("word/document.xml"), "wrong.pptx")
    assert "PDF" in attach(b"<html>", "page.html")
    with app.app_context():
        material_ids = [m.id for m in db.session().get(TrainingEvent, event_id).materials]
    assert len(material_ids) == 2
    client.post("/sign-out")
    person = make_user(division="P101")
    sign_in(client, person)
    assert client.get(f"/events/materials/{material_ids[0]}").status_code == 403
    client.post(f"/events/sessions/{target.id}/register")
    download = client.get(f"/events/materials/{material_ids[0]}")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    download.close()
    assert client.post(f"/events/manage/materials/{material_ids[0]}/delete").status_code == 403
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_material_lives_in_the_file_store_and_goes_with_its_row(app, client, org, organiser, make_user, clock):
    sign_in(client, organiser)
    event_id = create_workshop(client, org)
    client.post(f"/events/manage/{event_id}/materials", data={"file": (io.BytesIO(pdf_bytes()), "slides.pdf")},
                content_type="multipart/form-data")
    files = Path(app.instance_path) / "files"
    (stored,) = [path for path in files.rglob("*") if path.is_file()]
    assert stored.read_bytes() == pdf_bytes() and stored.relative_to(files).parts[:2] == ("event-materials",
                                                                                          str(event_id))
    with app.app_context():
        (material,) = db.session().get(TrainingEvent, event_id).materials
        assert material.content is None and material.storage_key
        # One added before materials went to the store keeps its bytes in the row and is still served.
        earlier = EventMaterial(event_id=event_id, filename="古い資料.pdf", content_type="application/pdf",
                                size=len(pdf_bytes()), etag="e" * 64, content=pdf_bytes())
        with db.write_session() as session:
            session.add(earlier)
        material_id, earlier_id = material.id, earlier.id
    download = client.get(f"/events/materials/{material_id}")
    assert download.data == pdf_bytes() and "slides.pdf" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store" and download.headers["ETag"]
    download.close()
    assert client.get(f"/events/materials/{earlier_id}").data == pdf_bytes()
    client.post(f"/events/manage/materials/{material_id}/delete")
    assert not [path for path in files.rglob("*") if path.is_file()]
    assert client.get(f"/events/materials/{material_id}").status_code == 404


def test_a_municipal_organiser_sees_no_other_bodys_rosters_or_surveys(app, client, org, organiser, make_user,
                                                                     clock):
    sign_in(client, organiser)
    event_id = create_workshop(client, org, survey=True, invite_city=False)
    target = session_of(app, event_id)
    client.post("/sign-out")
    city_organiser = make_user(division="M110", permissions=[(Permission.ORGANISER, "M100")])
    city_staff = make_user(division="M110")
    sign_in(client, city_organiser, body="M100")
    for path in (f"/events/manage/{event_id}", f"/events/manage/sessions/{target.id}/roster",
                 f"/events/manage/sessions/{target.id}/qr", f"/events/manage/sessions/{target.id}/qr.svg",
                 f"/events/manage/{event_id}/survey",
                 f"/events/manage/{event_id}/report.xlsx", f"/events/manage/sessions/{target.id}/roster.csv",
                 f"/events/manage/{event_id}/edit"):
        assert client.get(path).status_code == 404, path
    for path in (f"/events/manage/sessions/{target.id}/edit", f"/events/manage/{event_id}/sessions/new",
                 f"/events/manage/sessions/{target.id}/attendance-import"):
        assert client.get(path).status_code == 404, path
    with app.app_context():
        material_count = len(db.session().get(TrainingEvent, event_id).materials)
    for path, data in ((f"/events/manage/sessions/{target.id}/roster", {}),
                       (f"/events/manage/{event_id}/publish", {}),
                       (f"/events/manage/{event_id}/edit", {"code": "HIJACK", "title": "x"}),
                       (f"/events/manage/{event_id}/sessions/new", {"day": SESSION_DAY, "starts": "09:00",
                                                                    "ends": "10:00", "capacity": "1"}),
                       (f"/events/manage/sessions/{target.id}/edit", {"day": SESSION_DAY, "starts": "09:00",
                                                                      "ends": "10:00", "capacity": "1"}),
                       (f"/events/manage/sessions/{target.id}/nominate", {"staff_numbers": "1"}),
                       (f"/events/manage/sessions/{target.id}/qr/renew", {}),
                       (f"/events/manage/sessions/{target.id}/attendance-import", {}),
                       (f"/events/manage/{event_id}/materials", {})):
        assert client.post(path, data=data).status_code == 404, path
    with app.app_context():
        unchanged = db.session().get(TrainingEvent, event_id)
        assert unchanged.code == "WS-01" and len(unchanged.sessions) == 1 and len(unchanged.materials) == material_count
        assert db.session().get(EventSession, target.id).capacity == 2
    assert "データ活用ワークショップ" not in client.get("/events/manage/").get_data(as_text=True)
    # Not invited: the city's staff do not see it at all.
    client.post("/sign-out")
    sign_in(client, city_staff, body="M100")
    assert client.get(f"/events/{event_id}").status_code == 404
    assert client.get(f"/events/sessions/{target.id}.ics").status_code == 404
    assert client.post(f"/events/sessions/{target.id}/register").status_code == 404
    # Staff without the permission never reach the organisers' pages.
    assert client.get("/events/manage/").status_code == 403
    assert client.get("/events/manage/new").status_code == 403


def test_the_home_page_lists_upcoming_training_and_nominations(app, client, org, organiser, make_user, clock):
    sign_in(client, organiser)
    event_id = create_workshop(client, org, capacity=3)
    target = session_of(app, event_id)
    nominee = make_user(division="P101", staff_number="555001")
    listed = client.post(f"/events/manage/sessions/{target.id}/nominate", data={"staff_numbers": "555001\nnobody"},
                         follow_redirects=True).get_data(as_text=True)
    assert "指名しました" in listed and "見つかりません: nobody" in listed
    client.post("/sign-out")
    sign_in(client, nominee, body="P000")
    home = client.get("/").get_data(as_text=True)
    assert "今後の研修" in home and "データ活用ワークショップ" in home
    with app.app_context():
        registration_id = db.session().scalar(select(Registration.id))
    client.post(f"/events/registrations/{registration_id}/answer", data={"accept": "1"})
    with app.app_context():
        assert db.session().get(Registration, registration_id).status == "registered"


def test_an_organiser_edits_the_event_and_its_session(app, client, org, organiser, clock):
    sign_in(client, organiser)
    event_id = create_workshop(client, org)
    target = session_of(app, event_id)
    form = client.get(f"/events/manage/{event_id}/edit").get_data(as_text=True)
    assert 'value="WS-01"' in form and 'name="owner_body"' not in form  # the owner stays
    edited = client.post(f"/events/manage/{event_id}/edit", data={
        "code": "WS-01", "title": "データ活用ワークショップ（改）", "format": "workshop", "delivery": "hybrid",
        "hours": "3.5", "kpi_tier": "dx_specialist", "invited_bodies": [str(org["M100"].id)]})
    assert edited.status_code == 302, edited.get_data(as_text=True)
    moved = client.post(f"/events/manage/sessions/{target.id}/edit", data={
        "day": SESSION_DAY, "starts": "13:00", "ends": "17:00", "venue": "県庁 402会議室", "capacity": "4",
        "registration_opens_on": "2026-06-05"})
    assert moved.status_code == 302, moved.get_data(as_text=True)
    with app.app_context():
        event = db.session().get(TrainingEvent, event_id)
        assert (event.title, str(event.hours), event.delivery) == ("データ活用ワークショップ（改）", "3.50", "hybrid")
        changed = db.session().get(EventSession, target.id)
        assert changed.starts_at == datetime(2026, 6, 10, 4, 0, tzinfo=UTC) and changed.capacity == 4
        assert changed.registration_opens_at == datetime(2026, 6, 4, 15, 0, tzinfo=UTC)  # midnight in Japan
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "申込はまだ始まっていません。" in page  # opens on 5 June; today is 1 June


def test_a_manager_nominates_people_of_their_team_from_the_event_page(app, client, org, organiser, make_user,
                                                                      clock):
    sign_in(client, organiser)
    event_id = create_workshop(client, org, capacity=5)
    target = session_of(app, event_id)
    client.post("/sign-out")
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101")])
    make_user(division="P101", staff_number="700001", name="部下 一郎")
    make_user(division="P201", staff_number="700002", name="他課 二郎")
    sign_in(client, manager)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "チームの職員をこの日程に指名" in page
    done = client.post(f"/events/sessions/{target.id}/nominate", data={"staff_numbers": "700001\n700002"},
                       follow_redirects=True).get_data(as_text=True)
    assert "指名しました：部下 一郎。" in done and "他課 二郎：指名できない職員です" in done
    client.post("/sign-out")
    learner = make_user(division="P101")
    sign_in(client, learner)
    assert client.post(f"/events/sessions/{target.id}/nominate", data={"staff_numbers": "700001"}).status_code == 403
