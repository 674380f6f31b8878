"""Past training records (研修履歴) through the web pages and the command line: a file of a thousand rows
is all or nothing, the good one moves the KPI by exactly the people it adds, and undoing it moves it back."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import func, insert, select
from support import PASSWORD, csrf_token_from, sign_in

from elearn import db
from elearn.domain.notices import NoticeKind
from elearn.domain.people import Permission
from elearn.models import AuditEntry, Certificate, Completion, HistoryImport, Notice, OrgUnit, User
from elearn.services import certificates
from elearn.services.learning import history_import
from elearn.services.people.passwords import hash_password

HEADER = "職員番号,団体コード,研修名,修了日,研修区分,時間\n"
PREFECTURE_PEOPLE, CITY_PEOPLE = 400, 100
AS_OF = date(2024, 3, 31)


@pytest.fixture
def admin(make_user):
    return make_user(division="P102", permissions=[(Permission.ADMIN, None)], staff_number="900001", name="管理 者")


@pytest.fixture
def staff(app, org, synced) -> list[tuple[str, str]]:
    """500 people (400 in the prefecture, 100 in the city), inserted in bulk; one has since left. Stored as the
    staff import stores numbers (folded to lower case); the files write them in upper case."""
    numbers = [("P000", f"H{index:05d}") for index in range(PREFECTURE_PEOPLE)]
    numbers += [("M100", f"C{index:05d}") for index in range(CITY_PEOPLE)]
    with app.app_context(), db.write_session() as session:
        session.execute(insert(User), [
            {"body_id": org[body].id, "division_id": org["P101" if body == "P000" else "M110"].id,
             "staff_number": number.lower(), "name": f"履歴 {number}", "kana": "りれき", "email": None,
             "is_active": number != "H00007", "must_change_password": False, "session_token": number}
            for body, number in numbers])
    return numbers


def history_file(staff: list[tuple[str, str]], bad: dict[int, str] | None = None) -> bytes:
    """Two records per person (R4 and R5) of the sample course as digital-leader training: 1,000 rows.
    `bad` replaces the rows at those (0-based) positions."""
    rows = []
    for body, number in staff:
        rows.append(f"{number},{body},sample-course,令和4年7月{1 + len(rows) % 28}日,デジタル化リーダー,2")
        rows.append(f"{number},{body},sample-course,2023/6/{1 + len(rows) % 28},デジタル化リーダー,1.5")
    for position, row in (bad or {}).items():
        rows[position] = row
    return (HEADER + "\n".join(rows) + "\n").encode("cp932")


def kpi_years(client, body: str = "P000") -> dict[int, tuple[int, int]]:
    data = json.loads(client.get(f"/kpi/report.json?as_of={AS_OF}&body={body}").get_data(as_text=True))
    return {row["fiscal_year"]: (row["cumulative"], row["in_year"]) for row in data["years"]}


def upload(client, data: bytes, name: str = "history.csv"):
    return client.post("/admin/import/history", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def completions(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Completion))


def test_a_thousand_rows_with_three_bad_change_nothing_and_name_the_lines(app, client, admin, staff):
    sign_in(client, admin)
    bad = {10: "999999,P000,sample-course,2022-07-01,デジタル化リーダー,1",  # line 12: nobody
           20: "H00010,M100,sample-course,2022-07-01,デジタル化リーダー,1",  # line 22: a prefecture number in the city
           22: "H00011,Ｐ０００,sample-course,2022-07-01,デジタル化リーダー,1",  # full-width code (both of
           23: "H00011,Ｐ０００,sample-course,2023-07-01,デジタル化リーダー,1",  # this person's rows): fine
           500: "H00250,P000,sample-course,2022-02-30,デジタル化リーダー,1",  # line 502: no such day
           998: "C00099,M100,sample-course,2023-06-01,DXマネージャー,1"}  # line 1000: not a tier it trains
    page = upload(client, history_file(staff, bad)).get_data(as_text=True)
    errors = page.split("import-errors", 1)[1].split("</table>", 1)[0]
    lines = ("12", "22", "502", "1000")
    assert [line for line in lines if f'data-label="行">{line}<' in errors] == list(lines)
    assert errors.count("<tr>") == 5  # a header and the four lines
    assert "団体 P000 に職員番号 999999 の職員は見つかりません。" in errors
    assert "団体 M100 に職員番号 h00010 の職員は見つかりません。" in errors
    assert "/admin/import/history/apply" not in page
    assert completions(app) == 0


def test_the_good_file_moves_the_kpi_by_the_people_it_adds_and_undo_moves_it_back(app, client, admin, staff):
    sign_in(client, admin)
    before = kpi_years(client)
    assert before == {2022: (0, 0), 2023: (0, 0)}
    plan = upload(client, history_file(staff)).get_data(as_text=True)
    assert "1000" in plan and "令和4年度" in plan and "デジタル化リーダー" in plan
    upload_id = plan.split('name="upload_id" type="hidden" value="')[1].split('"')[0]
    done = client.post("/admin/import/history/apply", data={"upload_id": upload_id})
    assert done.status_code == 200 and "研修履歴の取込：完了" in done.get_data(as_text=True)
    assert completions(app) == 1000

    # Prefecture staff only (the default rule); a leaver's training still counts.
    assert kpi_years(client) == {2022: (PREFECTURE_PEOPLE, PREFECTURE_PEOPLE), 2023: (PREFECTURE_PEOPLE,
                                                                                      PREFECTURE_PEOPLE)}
    assert kpi_years(client, "M100") == {2022: (CITY_PEOPLE, CITY_PEOPLE), 2023: (CITY_PEOPLE, CITY_PEOPLE)}
    report = json.loads(client.get(f"/kpi/report.json?as_of={AS_OF}").get_data(as_text=True))
    assert report["by_mode"] == {"imported": {"in_year": {"2022": 400, "2023": 400}, "cumulative": 400}}

    # The same file again is refused row by row: a person completes a training once per fiscal year.
    again = upload(client, history_file(staff)).get_data(as_text=True)
    assert "記録がすでにあります" in again and "/admin/import/history/apply" not in again

    with app.app_context():
        batch = db.session().scalars(select(HistoryImport)).one()
        assert (batch.records, batch.people, batch.filename) == (1000, 500, "history.csv")
    listing = client.get("/admin/history-imports/").get_data(as_text=True)
    assert "history.csv" in listing and "管理 者" in listing
    confirm = client.get(f"/admin/history-imports/{batch.id}/undo")
    assert "500 人分・1000 件" in confirm.get_data(as_text=True)
    unconfirmed = client.post(f"/admin/history-imports/{batch.id}/undo", data={})
    assert unconfirmed.status_code == 200 and completions(app) == 1000  # the box was not ticked
    undone = client.post(f"/admin/history-imports/{batch.id}/undo", data={"confirm": "y"})
    assert undone.status_code == 302
    assert completions(app) == 0
    assert kpi_years(client) == before
    with app.app_context():
        assert db.session().get(HistoryImport, batch.id).undone_at is not None
        actions = db.session().scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[-2:] == ["import.history", "import.history.undo"]


def test_imported_records_show_as_imported_on_the_history_and_team_pages(app, client, admin, make_user, staff):
    with app.app_context():
        history_import.apply(history_file(staff[:1]), "r4-r5.csv", None)
        person = db.session().scalar(select(User).where(User.staff_number == staff[0][1].lower()))
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")])
    sign_in(client, manager)
    page = client.get(f"/team/staff/{person.id}").get_data(as_text=True)
    history = page.split("研修履歴", 1)[1]
    assert history.count('badge-imported">取込<') == 2
    assert "r4-r5.csv 2行目" in history and "r4-r5.csv 3行目" in history
    listed = client.get("/team/?fiscal_year=2023&view=detail&q=h00000").get_data(as_text=True)
    assert 'badge-imported">取込<' in listed
    matrix = client.get("/team/?fiscal_year=2023&q=h00000").get_data(as_text=True)
    assert "†</span>" in matrix and "(取込記録)" in matrix

    # The person sees them too, with no certificate until an administrator asks for one.
    with app.app_context(), db.write_session() as session:
        session.get(User, person.id).password_hash = hash_password(PASSWORD)
    client.post("/sign-out")
    sign_in(client, person)
    mine = client.get("/certificates/").get_data(as_text=True)
    assert "修了証書は発行されていません" in mine
    assert mine.count('badge-imported">取込<') == 2


def test_a_certificate_is_issued_for_a_record_only_when_asked_and_says_so(app, client, admin, staff):
    with app.app_context():
        history_import.apply(history_file(staff[:1]), "r4-r5.csv", None)
        assert certificates.issue_missing() == 0  # records get none on their own
        person = db.session().scalar(select(User).where(User.staff_number == staff[0][1].lower()))
        record_id = db.session().scalar(select(Completion.id).where(Completion.user_id == person.id)
                                        .order_by(Completion.completed_at))
    sign_in(client, admin)
    page = client.get(f"/admin/staff/{person.id}").get_data(as_text=True)
    assert page.count("修了証書を発行") == 2
    issued = client.post(f"/admin/staff/{person.id}/records/{record_id}/certificate")
    assert issued.status_code == 302
    with app.app_context():
        certificate = db.session().scalars(select(Certificate)).one()
        assert certificate.from_record and certificate.fiscal_year == 2022 and certificate.minutes == 120
        assert certificate.serial.startswith("R4-")
        told = db.session().scalars(select(Notice).where(Notice.user_id == person.id)).one()
        assert told.kind == NoticeKind.CERTIFICATE_ISSUED and told.params["number"] == certificate.serial
    twice = client.post(f"/admin/staff/{person.id}/records/{record_id}/certificate", follow_redirects=True)
    assert "すでに発行されています" in twice.get_data(as_text=True)
    pdf = client.get(f"/certificates/{certificate.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # The KPI counts the record once, through its certificate now.
    assert kpi_years(client)[2022] == (1, 1)
    # Undoing the file withdraws the certificate issued from it.
    with app.app_context():
        batch_id = db.session().scalar(select(HistoryImport.id))
        assert [c.serial for c in history_import.certificates_of(batch_id)] == [certificate.serial]
        assert history_import.undo(None, batch_id) == 2
        assert db.session().scalar(select(func.count()).select_from(Certificate)) == 0


def test_only_administrators_reach_the_history_pages_and_posts_need_a_token(make_app, make_user, staff, app):
    with app.app_context():
        history_import.apply(history_file(staff[:1]), "r4-r5.csv", None)
        batch_id = db.session().scalar(select(HistoryImport.id))
    reporter = make_user(division="P101", permissions=[(Permission.REPORTER, "P000")])
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")])
    client = app.test_client()
    for user in (reporter, manager):
        sign_in(client, user)
        for path in ("/admin/import/history", "/admin/history-imports/", f"/admin/history-imports/{batch_id}/undo"):
            assert client.get(path).status_code == 403, path
        assert client.post(f"/admin/history-imports/{batch_id}/undo", data={"confirm": "y"}).status_code == 403
        client.post("/sign-out")
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    admin_user = make_user(division="P102", permissions=[(Permission.ADMIN, None)])
    sign_in(guarded, admin_user, csrf_token=csrf_token_from(guarded.get("/sign-in").get_data(as_text=True)))
    assert guarded.post(f"/admin/history-imports/{batch_id}/undo", data={"confirm": "y"}).status_code == 400
    with app.app_context():
        assert db.session().get(HistoryImport, batch_id).undone_at is None


def test_the_command_line_checks_imports_lists_and_undoes(app, runner, staff, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(history_file(staff[:3]))
    bad.write_bytes(history_file(staff[:3], {1: "H00000,P000,nope,2023-06-01,デジタル化リーダー,1"}))
    refused = runner.invoke(args=["import-history", str(bad)])
    assert refused.exit_code != 0 and "3行目" in refused.output and "nope" in refused.output
    dry = runner.invoke(args=["import-history", str(good), "--dry-run"])
    assert dry.exit_code == 0 and "FY2022 (R4) digital_leader: 3" in dry.output
    assert completions(app) == 0
    applied = runner.invoke(args=["import-history", str(good)])
    assert applied.exit_code == 0 and completions(app) == 6
    listed = runner.invoke(args=["history-imports"])
    assert "good.csv" in listed.output and "in force" in listed.output
    batch_id = int(listed.output.split("\t", 1)[0])
    undone = runner.invoke(args=["undo-history-import", str(batch_id), "--yes"])
    assert undone.exit_code == 0 and "removed 6" in undone.output and completions(app) == 0
    assert runner.invoke(args=["undo-history-import", str(batch_id), "--yes"]).exit_code != 0


def test_units_are_where_people_are_now_since_a_record_knows_no_more(app, org, staff):
    with app.app_context():
        history_import.apply(history_file(staff[-1:]), "city.csv", None)
        rows = db.session().execute(select(Completion.body_id, Completion.division_id, Completion.completed_on,
                                           Completion.source_line)).all()
        city = db.session().scalar(select(OrgUnit.id).where(OrgUnit.code == "M100"))
    assert {(body, line) for body, _, _, line in rows} == {(city, 2), (city, 3)}


def test_a_record_may_name_a_training_event_by_its_code(app, org, staff, make_user):
    from decimal import Decimal

    from elearn.domain.events import Delivery, EventFormat
    from elearn.domain.people import Tier
    from elearn.services import events, visibility

    organiser = make_user(division="P102", permissions=[(Permission.ORGANISER, "P000")])
    with app.app_context():
        viewer = visibility.viewer_of(db.session().get(User, organiser.id))
        events.create(organiser, viewer, org["P000"].id, events.EventDraft(
            code="SEM-2022-TOP", title="DXトップセミナー", description="", format=EventFormat.SEMINAR,
            delivery=Delivery.IN_PERSON, target_tiers=[], target_grades=[], hours=Decimal(2),
            kpi_tier=Tier.DX_MANAGER, survey_required=False, survey_questions=[], invited_body_ids=[]))
        rows = f"{HEADER}H00001,P000,sem-2022-top,2022-08-01,DXマネージャー,2\n"
        plan, _batch = history_import.apply(rows.encode(), "seminar.csv", None)
        assert plan.summary() == {"records": 1, "people": 1, "error": 0}
        event_id = db.session().scalar(select(Completion.event_id))
        assert event_id is not None
        again = history_import.preview(f"{HEADER}H00001,P000,SEM-2022-TOP,2024-08-01,DXマネージャー,2\n".encode(),
                                       "again.csv")
        assert [error.line for error in again.errors] == [2]  # completed once, whatever the year
        wrong_tier = history_import.preview(f"{HEADER}H00002,P000,SEM-2022-TOP,2022-08-01,全職員,2\n".encode(), "w.csv")
        assert [error.line for error in wrong_tier.errors] == [2]
