"""The KPI report: who may see which body, figures against targets as of a date, breakdowns by where
people trained, coverage, the admin's rule and targets, and every export format."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from support import complete, csrf_token_from, sign_in

from elearn import db
from elearn.domain.kpi import DEFAULT_RULE, CountUnit
from elearn.domain.people import Permission, Tier
from elearn.models import Certificate, Grade, KpiTarget, User
from elearn.services import certificates, visibility
from elearn.services.reports import kpi


def at(year: int, month: int, day: int) -> datetime:
    """Noon in Japan on that day."""
    return datetime(year, month, day, 3, 0, tzinfo=UTC)


@pytest.fixture
def people(synced, make_user, org):
    reporters = {
        "prefecture": make_user(division="P101", permissions=[(Permission.REPORTER, "P000")], name="県 報告"),
        "city": make_user(division="M110", permissions=[(Permission.REPORTER, "M100")], name="市 報告"),
    }
    admin = make_user(division="P102", permissions=[(Permission.ADMIN, None)], name="管理 者")
    trained = [make_user(division="P101"), make_user(division="P201"), make_user(division="M110")]
    complete(synced, trained[0], when=at(2023, 3, 31))  # R4, on its last day
    complete(synced, trained[1], when=at(2023, 4, 1))  # R5, on its first day
    complete(synced, trained[2], when=at(2023, 6, 1))  # the municipality, R5
    with synced.app_context(), db.write_session() as session:
        prefecture, city = org["P000"].id, org["M100"].id
        session.add_all([KpiTarget(body_id=prefecture, fiscal_year=2022, target=2),
                         KpiTarget(body_id=prefecture, fiscal_year=2023, target=4),
                         KpiTarget(body_id=city, fiscal_year=2023, target=1)])
    return reporters, admin, trained


def _years(client, query: str = "") -> list[list[str]]:
    html = client.get(f"/kpi/{query}").get_data(as_text=True)
    table = html.split('id="kpi-years"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [[cell.strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_prefecture_sees_its_figures_per_year_against_targets(synced, client, people):
    reporters, _, _ = people
    sign_in(client, reporters["prefecture"])
    assert _years(client, "?as_of=2024-03-31") == [
        ["令和4年度", "2", "1", "50.0%", "1"],
        ["令和5年度", "4", "2", "50.0%", "1"],  # municipal staff do not count for the prefecture by default
    ]
    html = client.get("/kpi/?as_of=2024-03-31").get_data(as_text=True)
    assert 'id="kpi-bodies"' in html and "みどり市" in html
    assert "<svg" in html and "<title id=\"kpi-chart-title\">" in html


def test_fiscal_year_edges_on_31_march_and_1_april(synced, client, people):
    reporters, _, _ = people
    sign_in(client, reporters["prefecture"])
    # R5 is still to come on 31 March 2023: its target is shown, its actual not yet.
    assert _years(client, "?as_of=2023-03-31") == [["令和4年度", "2", "1", "50.0%", "1"],
                                                   ["令和5年度", "4", "—", "—", "—"]]
    assert _years(client, "?as_of=2023-04-01")[-1] == ["令和5年度", "4", "2", "50.0%", "1"]
    assert _years(client, "?as_of=2023-03-30")[0] == ["令和4年度", "2", "0", "0.0%", "0"]
    # Before the rule's first year there is nothing to count yet, only targets to come.
    assert _years(client, "?as_of=2021-06-01") == [["令和4年度", "2", "—", "—", "—"], ["令和5年度", "4", "—", "—", "—"]]


def test_a_municipal_reporter_sees_only_that_municipality(synced, client, people):
    reporters, _, _ = people
    sign_in(client, reporters["city"], body="M100")
    html = client.get("/kpi/?as_of=2024-03-31").get_data(as_text=True)
    assert "みどり市" in html and 'id="kpi-bodies"' not in html and 'name="body"' not in html
    assert _years(client, "?as_of=2024-03-31") == [["令和4年度", "—", "0", "—", "0"],
                                                   ["令和5年度", "1", "1", "100.0%", "1"]]
    for path in ("/kpi/?body=P000", "/kpi/report.csv?body=P000", "/kpi/report.json?body=P000"):
        assert client.get(path).status_code == 403, path


def test_only_reporters_and_admins_see_the_kpi(synced, client, people, make_user):
    _, admin, trained = people
    sign_in(client, trained[0])
    assert client.get("/kpi/").status_code == 403
    client.post("/sign-out")
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")])
    sign_in(client, manager)
    assert client.get("/kpi/report.pdf").status_code == 403
    client.post("/sign-out")
    sign_in(client, admin)
    assert client.get("/kpi/?body=M100").status_code == 200
    client.post("/sign-out")
    assert client.get("/kpi/").status_code == 302  # to the sign-in page


def test_a_bad_or_future_date_is_reported_not_guessed(synced, client, people):
    reporters, _, _ = people
    sign_in(client, reporters["prefecture"])
    html = client.get("/kpi/?as_of=2024-02-30").get_data(as_text=True)
    assert "YYYY-MM-DD" in html
    assert "未来の日付" in client.get("/kpi/?as_of=2999-01-01").get_data(as_text=True)
    assert client.get("/kpi/report.csv?as_of=31/03/2024").status_code == 400


def test_revoked_certificates_stop_counting_from_the_revocation_day(synced, client, people):
    reporters, admin, trained = people
    with synced.app_context():
        certificate = certificates.of_holder(trained[0].id)[0]
        certificates.revoke(admin, certificate.id, "誤登録")
        revoked_on = db.session().get(Certificate, certificate.id).revoked_on
    sign_in(client, reporters["prefecture"])
    before = _years(client, f"?as_of={date.fromordinal(revoked_on.toordinal() - 1).isoformat()}")
    after = _years(client, f"?as_of={revoked_on.isoformat()}")
    assert before[0][2] == "1" and after[0][2] == "1"  # R4 stood at 1 on its last day
    assert before[-1][2] == "2" and after[-1][2] == "1"


def test_staff_who_move_still_count_where_they_trained(synced, people, org):
    reporters, _, trained = people
    with synced.app_context(), db.write_session() as session:
        mover = session.get(User, trained[0].id)
        mover.division_id = org["P201"].id  # from 総務部 to 健康福祉部 after training
    with synced.app_context():
        report = kpi.build(org["P000"], [org["P000"]], date(2024, 3, 31))
        assert {row.label: row.count for row in report.by_department} == {"総務部": 1, "健康福祉部": 1}


def test_coverage_of_digital_leaders_and_dx_managers(synced, people, make_user, org):
    _, admin, _ = people
    make_user(division="P102", tiers=(Tier.DIGITAL_LEADER,), name="指名 だけ")
    untrained = make_user(division="P102", tiers=(Tier.DX_MANAGER,), name="未修了 課長")
    with synced.app_context():
        report = kpi.build(org["P000"], visibility.bodies(visibility.viewer_of(db.session().get(User, admin.id))),
                           date.today())
        coverage = report.coverage
        # The prefecture's divisions 人事課, デジタル推進課 and 健康政策課 (the municipality's are its own);
        # the sample course is a digital-leader course, so those who took it are trained leaders.
        assert (coverage.divisions, coverage.divisions_with_leader) == (3, 2)
        assert [(gap.division, gap.designated) for gap in coverage.without_leader] == [("デジタル推進課", 1)]
        assert [m.name for m in coverage.untrained_managers] == [untrained.name]
        assert coverage.dx_managers == 1


def test_admin_changes_the_rule_and_the_figures_follow(synced, client, people):
    reporters, admin, trained = people
    sign_in(client, admin)
    page = client.get("/admin/kpi").get_data(as_text=True)
    token = csrf_token_from(page)
    response = client.post("/admin/kpi", data={
        "action": "rule", "rule-csrf_token": token, "rule-tiers": ["digital_leader"],
        "rule-since_fiscal_year": "2023", "rule-unit": "completions",
        "rule-municipal_staff_count_for_prefecture": "y"})
    assert response.status_code == 302
    with synced.app_context():
        rule = kpi.counting_rule()
    assert rule.tiers == {Tier.DIGITAL_LEADER} and rule.since_fiscal_year == 2023
    assert rule.unit is CountUnit.COMPLETIONS and rule.municipal_staff_count_for_prefecture
    assert _years(client, "?as_of=2024-03-31") == [["令和5年度", "4", "2", "50.0%", "2"]]  # R5: P201 and M110


@pytest.fixture
def twice_trained(synced, people, make_user):
    """Someone who completed in R4 as a DX manager (a certificate of another tier than the sample course's)
    and again in R5 as a digital leader: the person on whom the tier and unit options turn."""
    person = make_user(division="P102", name="二度 修了")
    earlier = complete(synced, person, when=at(2022, 6, 1))
    complete(synced, person, when=at(2023, 6, 1))
    with synced.app_context(), db.write_session() as session:
        session.get(Certificate, earlier.id).tier = Tier.DX_MANAGER
    return person


# R4 and R5 cumulative for the prefecture on 31 March 2024, under the default rule and with one option changed.
# Default: R4 counts trained[0] and the twice-trained person; R5 adds trained[1] (distinct people: 3).
RULE_CHANGES = {
    "default": ({}, [["令和4年度", "2"], ["令和5年度", "3"]]),
    "tiers": ({"tiers": frozenset({Tier.DIGITAL_LEADER})}, [["令和4年度", "1"], ["令和5年度", "3"]]),
    "since": ({"since_fiscal_year": 2023}, [["令和5年度", "2"]]),
    "unit": ({"unit": CountUnit.COMPLETIONS}, [["令和4年度", "2"], ["令和5年度", "4"]]),
    "municipal": ({"municipal_staff_count_for_prefecture": True}, [["令和4年度", "2"], ["令和5年度", "4"]]),
}


@pytest.mark.parametrize("option", RULE_CHANGES)
def test_each_rule_option_changes_the_figures_it_governs(synced, client, people, twice_trained, option):
    reporters, _, _ = people
    changes, expected = RULE_CHANGES[option]
    with synced.app_context():
        kpi.save_rule(None, replace(DEFAULT_RULE, **changes))
    sign_in(client, reporters["prefecture"])
    assert [row[:1] + row[2:3] for row in _years(client, "?as_of=2024-03-31")] == expected


def test_no_tier_chosen_is_refused_and_the_rule_kept(synced, client, people):
    _, admin, _ = people
    sign_in(client, admin)
    token = csrf_token_from(client.get("/admin/kpi").get_data(as_text=True))
    response = client.post("/admin/kpi", data={"action": "rule", "rule-csrf_token": token,
                                               "rule-since_fiscal_year": "2023", "rule-unit": "people"})
    assert response.status_code == 200 and "研修区分を1つ以上" in response.get_data(as_text=True)
    with synced.app_context():
        assert kpi.counting_rule().since_fiscal_year == 2022


def test_targets_are_saved_all_or_nothing(synced, client, people, org):
    _, admin, _ = people
    sign_in(client, admin)
    token = csrf_token_from(client.get("/admin/kpi").get_data(as_text=True))
    prefecture, city = org["P000"].id, org["M100"].id
    bad = client.post("/admin/kpi", data={"action": "targets", "targets-csrf_token": token,
                                          f"target-{prefecture}-2022": "10", f"target-{city}-2023": "たくさん"})
    assert bad.status_code == 400
    assert 'value="たくさん"' in bad.get_data(as_text=True)  # what was typed is kept
    with synced.app_context():
        assert kpi.targets()[(prefecture, 2022)] == 2
    good = client.post("/admin/kpi", data={"action": "targets", "targets-csrf_token": token,
                                           f"target-{prefecture}-2022": "１，２００", f"target-{prefecture}-2023": "",
                                           f"target-{city}-2023": "3"})
    assert good.status_code == 302
    with synced.app_context():
        stored = kpi.targets()
    assert stored[(prefecture, 2022)] == 1200 and (prefecture, 2023) not in stored and stored[(city, 2023)] == 3


# --- exports ----------------------------------------------------------------------------------------------------


def test_csv_xlsx_and_json_exports_carry_the_same_figures(synced, client, people):
    reporters, _, _ = people
    sign_in(client, reporters["prefecture"])
    data = client.get("/kpi/report.json?as_of=2024-03-31").get_json()
    assert [(y["label"], y["target"], y["cumulative"], y["rate"]) for y in data["years"]] == [
        ("R4", 2, 1, 50.0), ("R5", 4, 2, 50.0)]
    assert [body["code"] for body in data["by_body"]] == ["P000", "M100"]

    response = client.get("/kpi/report.csv?as_of=2024-03-31")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    years_at = rows.index(["■ 年度別"])
    assert rows[years_at + 2] == ["令和4年度", "2", "1", "50.0", "1"]

    workbook = load_workbook(io.BytesIO(client.get("/kpi/report.xlsx?as_of=2024-03-31").get_data()))
    sheet = workbook["年度別"]
    assert [cell.value for cell in sheet[3]] == ["令和5年度", 4, 2, 50, 1]
    assert sheet.freeze_panes == "A2"
    assert "団体別" in workbook.sheetnames


def test_breakdowns_by_tier_and_grade_count_where_people_were_when_they_completed(
        synced, client, people, make_user):
    reporters, _, _ = people
    with synced.app_context():
        grades = dict(db.session().execute(select(Grade.name, Grade.id)).all())
    chief = make_user(division="P102", name="課長 級", grade_id=grades["課長級"])
    complete(synced, chief, when=at(2023, 9, 1))
    with synced.app_context(), db.write_session() as session:
        certificate = session.scalar(select(Certificate).where(Certificate.user_id == chief.id))
        certificate.tier = Tier.DX_MANAGER
        session.get(User, chief.id).grade_id = grades["部長級"]  # promoted after training: counts as 課長級
    sign_in(client, reporters["prefecture"])
    data = client.get("/kpi/report.json?as_of=2024-03-31").get_json()
    assert data["by_tier"] == {"dx_manager": 1, "digital_leader": 2}
    assert data["by_grade"] == [{"grade": "課長級", "count": 1}, {"grade": "-", "count": 2}]
    html = client.get("/kpi/?as_of=2024-03-31").get_data(as_text=True)
    by_tier = html.split("研修区分別", 1)[1].split("</table>", 1)[0]
    assert "DXマネージャー</td><td class=\"num\">1<" in by_tier
    assert "デジタル化リーダー</td><td class=\"num\">2<" in by_tier
    by_grade = html.split("職位別", 1)[1].split("</table>", 1)[0]
    assert "課長級</td><td class=\"num\">1<" in by_grade
    workbook = load_workbook(io.BytesIO(client.get("/kpi/report.xlsx?as_of=2024-03-31").get_data()))
    by_grade_sheet = [[cell.value for cell in row] for row in workbook["職位別"].iter_rows(min_row=2)]
    assert by_grade_sheet == [["課長級", 1], ["-", 2]]


def test_the_workbook_says_what_it_measures_as_the_csv_does(synced, client, people):
    reporters, _, _ = people
    sign_in(client, reporters["prefecture"])
    csv_rows = list(csv.reader(io.StringIO(client.get("/kpi/report.csv?as_of=2024-03-31").get_data()
                                           .decode("utf-8-sig"))))
    title, rule = csv_rows[0][0], csv_rows[1][0]
    workbook = load_workbook(io.BytesIO(client.get("/kpi/report.xlsx?as_of=2024-03-31").get_data()))
    assert workbook.sheetnames[:2] == ["説明", "年度別"]  # it opens on what it measures
    about = {row[0].value: row[1].value for row in workbook["説明"].iter_rows(min_row=2)}
    assert about["報告書"] == title and "みどり県" in title and "令和6年3月31日" in title  # the UI's date style
    assert about["団体"] == "みどり県"
    assert about["基準日"].date() == date(2024, 3, 31)
    assert about["集計ルール"] == rule and "令和4年度" in rule


def test_the_pdf_report_is_japanese_with_embedded_fonts_and_the_chart(synced, client, people, tmp_path):
    reporters, _, _ = people
    sign_in(client, reporters["prefecture"])
    response = client.get("/kpi/report.pdf?as_of=2024-03-31", headers={"Accept-Language": "en"})
    assert response.headers["Content-Type"] == "application/pdf"
    path = tmp_path / "kpi.pdf"
    path.write_bytes(response.get_data())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "デジタル人材育成研修 KPI報告書" in text and "みどり県" in text and "令和5年度" in text
    chart_text = re.search(r"実績（累計）\s+目標\n(.*)団体別", text, re.S)  # from the legend to the next table
    assert chart_text and "令和4年度" in chart_text[1] and "令和5年度" in chart_text[1]  # the axis, as vector text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-JP" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


def test_the_cli_prints_the_report_and_refuses_bad_input(synced, people, tmp_path):
    runner = synced.test_cli_runner()
    result = runner.invoke(args=["report", "kpi", "--as-of", "2024-03-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [y["cumulative"] for y in json.loads(result.stdout)["years"]] == [1, 2]
    city = runner.invoke(args=["report", "kpi", "--as-of", "2024-03-31", "--body", "M100"])
    assert [y["cumulative"] for y in json.loads(city.stdout)["years"]] == [0, 1]
    written = runner.invoke(args=["report", "kpi", "--format", "xlsx", "-o", str(tmp_path / "k.xlsx")])
    assert written.exit_code == 0 and load_workbook(tmp_path / "k.xlsx").sheetnames[:2] == ["説明", "年度別"]
    assert runner.invoke(args=["report", "kpi", "--as-of", "2024/03/31"]).exit_code == 2
    assert runner.invoke(args=["report", "kpi", "--body", "NOPE"]).exit_code == 1


def test_leavers_still_count_and_a_reissue_counts_once(synced, people, org):
    _, admin, trained = people
    with synced.app_context(), db.write_session() as session:
        session.get(User, trained[0].id).is_active = False  # left in March 2024
        session.get(User, trained[1].id).name = "改姓 後"
    with synced.app_context():
        certificates.reissue(admin, certificates.of_holder(trained[1].id)[0].id)
        report = kpi.build(org["P000"], [org["P000"]], date(2024, 3, 31))
    assert [row.cumulative for row in report.years] == [1, 2]
