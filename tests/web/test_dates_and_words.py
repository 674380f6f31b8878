"""One date style per UI language on pages, in files and in their names (elearn/dates.py): 令和8年12月4日 and
令和8年度 in Japanese, 4 Dec 2026 and FY2026 (R8) in English."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from urllib.parse import quote, unquote

import pytest
from sqlalchemy import select
from support import complete, sign_in

from elearn import db
from elearn.domain.people import Permission
from elearn.extensions import LOCALE_COOKIE
from elearn.models import Certificate

NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # Friday 4 December 2026, 10:00 in Japan: FY2026 (令和8年度)


@pytest.fixture
def app(make_app):
    return make_app(CLOCK=lambda: NOW)


@pytest.fixture
def manager(synced, make_user):
    """A manager of 総務部 with one member who completed the sample course on 20 May 2026."""
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")])
    complete(synced, make_user(division="P101", name="修了 花子"), when=datetime(2026, 5, 20, 1, 0, tzinfo=UTC))
    return manager


@pytest.fixture
def reporter(synced, make_user):
    return make_user(division="P101", permissions=[(Permission.REPORTER, "P000")])


def _english(client) -> None:
    client.set_cookie(LOCALE_COOKIE, "en")


def _file_name(response) -> str:
    """The UTF-8 name of an attachment (RFC 5987 filename*)."""
    return unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1])


def test_the_team_page_writes_fiscal_years_and_dates_in_the_ui_language(client, manager):
    sign_in(client, manager)
    japanese = client.get("/team/").get_data(as_text=True)
    assert "<small>令和8年度</small>" in japanese and "令和8年5月20日" in japanese
    assert "FY2026" not in japanese and "2026/05/20" not in japanese
    _english(client)
    english = client.get("/team/").get_data(as_text=True)
    assert "<small>FY2026 (R8)</small>" in english and ">FY2025 (R7)</option>" in english
    assert "20 May 2026" in english
    assert "令和" not in english  # it showed 令和8年度 in the heading, the year menu and the ZIP buttons


def test_the_kpi_page_and_its_files_write_fiscal_years_in_the_ui_language(client, reporter):
    sign_in(client, reporter)
    japanese = client.get("/kpi/").get_data(as_text=True)
    assert "令和8年度" in japanese and "令和8年12月4日" in japanese and "FY20" not in japanese
    rows = list(csv.reader(io.StringIO(client.get("/kpi/report.csv").get_data().decode("utf-8-sig"))))
    assert rows[0] == ["みどり県 KPI報告（令和8年12月4日現在）"]
    _english(client)
    english = client.get("/kpi/").get_data(as_text=True)
    assert "FY2026 (R8)" in english and "FY2022 (R4)" in english and "4 Dec 2026" in english
    assert "令和" not in english  # the year table, the chart's axis and the counting rule
    rows = list(csv.reader(io.StringIO(client.get("/kpi/report.csv").get_data().decode("utf-8-sig"))))
    assert rows[0] == ["KPI report of みどり県 as of 4 Dec 2026"] and "from FY2022 (R4)" in rows[1][0]
    assert ["FY2026 (R8)"] == [row[0] for row in rows if row and row[0].startswith("FY2026")]


def test_download_names_are_in_the_ui_language(client, manager, reporter, app):
    sign_in(client, manager)
    assert _file_name(client.get("/team/completion.csv")) == "チーム受講状況_令和8年度_20261204.csv"
    assert _file_name(client.get("/team/certificates.zip?fiscal_year=2026")) == "修了証書_令和8年度.zip"
    with app.app_context():
        certificate = db.session().scalar(select(Certificate))
    pdf = client.get(f"/certificates/{certificate.id}.pdf")
    assert quote(f"修了証書_{certificate.serial}.pdf") in pdf.headers["Content-Disposition"]
    _english(client)
    assert _file_name(client.get("/team/completion.xlsx")) == "Team completion_FY2026 (R8)_20261204.xlsx"
    assert _file_name(client.get("/team/certificates.zip?fiscal_year=2026")) == "Certificates_FY2026 (R8).zip"
    pdf = client.get(f"/certificates/{certificate.id}.pdf")
    assert f"Certificate_{certificate.serial}.pdf" in pdf.headers["Content-Disposition"]
    reporting = app.test_client()
    sign_in(reporting, reporter)
    response = reporting.get("/kpi/report.csv")
    assert _file_name(response) == "KPI報告_みどり県_20261204.csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="KPI_20261204.csv"')
    _english(reporting)
    assert _file_name(reporting.get("/kpi/report.json")) == "KPI report_みどり県_20261204.json"


def test_the_xlsx_shows_dates_in_the_ui_language(client, manager):
    from openpyxl import load_workbook

    sign_in(client, manager)
    japanese = load_workbook(io.BytesIO(client.get("/team/completion.xlsx?view=detail").get_data()))
    _english(client)
    english = load_workbook(io.BytesIO(client.get("/team/completion.xlsx?view=detail").get_data()))
    formats = []
    for workbook in (japanese, english):
        sheet = workbook.worksheets[0]
        done = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "修了 花子")
        assert done[8].value.date() == NOW.date().replace(month=5, day=20)  # a date, not text
        formats.append(done[8].number_format)
    assert formats == ['[$-411]ggge"年"m"月"d"日"', "d mmm yyyy"]
