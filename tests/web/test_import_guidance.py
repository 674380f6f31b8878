"""What the import pages tell an administrator: accepted values, a sample file, the way back to the form."""

from __future__ import annotations

import csv
import html
import io

import openpyxl
import pytest
from sqlalchemy import select
from support import sign_in

from elearn import db
from elearn.domain.people import Permission
from elearn.imports.org_plan import ORG_COLUMNS
from elearn.imports.staff_rows import STAFF_COLUMNS
from elearn.models import Grade, OrgUnit, User

ORG_HEADER = "所属コード,所属名,上位所属コード,種別"
KIND_VALUES = ("都道府県, 市区町村, 部局, 課室, 都, 道, 府, 県, 市, 町, 村, 部, 局, 課, 室, 所属, "
               "prefecture, municipality, department, division")
GRADE_VALUES = "部長級, 課長級, 課長補佐級, 係長・主査級, 主任・主事級, 新規採用"


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(division="P102", permissions=[(Permission.ADMIN, None)], staff_number="900001")
    sign_in(client, admin)
    return client


def upload(client, kind: str, data: bytes, filename: str) -> str:
    response = client.post(f"/admin/import/{kind}", data={"file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_an_unknown_kind_is_refused_with_every_accepted_value_and_a_way_back_to_the_form(admin_client):
    page = upload(admin_client, "orgs", f"{ORG_HEADER}\nX1,広報係,P100,係\n".encode(), "orgs.csv")

    assert f"種別「係」は使えません。使える値: {KIND_VALUES}" in page
    assert "/admin/import/orgs/apply" not in page
    assert '<a class="button primary" href="/admin/import/orgs">別のファイルを選ぶ</a>' in page


def test_an_unregistered_grade_is_refused_with_the_registered_grades_in_their_order(admin_client):
    data = "職員番号,氏名,所属コード,職位\n1,山田 太郎,P101,主事\n".encode()

    page = upload(admin_client, "staff", data, "staff.csv")

    assert f"職位「主事」は使えません。使える値: {GRADE_VALUES}" in page
    assert '<a class="button primary" href="/admin/import/staff">別のファイルを選ぶ</a>' in page


def test_row_errors_are_in_english_in_the_english_ui(admin_client):
    admin_client.get("/language/en?next=/")
    data = "職員番号,氏名,所属コード,職位,研修区分\n1,山田 太郎,NOPE,主事,リーダー\n".encode()

    page = upload(admin_client, "staff", data, "staff.csv")

    assert "Unit code NOPE was not found." in page
    assert f"職位 “主事” cannot be used. Accepted values: {GRADE_VALUES}" in page
    assert "研修区分 “リーダー” cannot be used. Accepted values: DXマネージャー" in page
    assert "Choose another file" in page
    assert "見つかりません" not in page and "使える値" not in page
    file_error = upload(admin_client, "orgs", b"\xff\xfe\x00garbage", "orgs.csv")
    assert "UTF-16 cannot be read" in file_error and "whole file" in file_error


def test_the_upload_page_lists_each_coded_columns_accepted_values(admin_client, app):
    with app.app_context(), db.write_session() as session:
        session.add(Grade(name="技師", sort_order=99))
    orgs = html.unescape(admin_client.get("/admin/import/orgs").get_data(as_text=True))
    staff = html.unescape(admin_client.get("/admin/import/staff").get_data(as_text=True))

    assert KIND_VALUES in orgs
    assert f"{GRADE_VALUES}, 技師" in staff  # registered grades, a new one included
    assert "DXマネージャー, DXスペシャリスト, デジタル化リーダー, 全職員" in staff
    for page, kind in ((orgs, "orgs"), (staff, "staff")):
        assert f'href="/admin/import/{kind}/sample.csv"' in page and f'href="/admin/import/{kind}/sample.xlsx"' in page


def test_the_org_sample_downloads_as_csv_and_imports_cleanly(app, admin_client):
    response = admin_client.get("/admin/import/orgs/sample.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # as Excel saves "CSV UTF-8"
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header == [column.label_ja for column in ORG_COLUMNS]

    page = upload(admin_client, "orgs", data, "sample.csv")
    assert "/admin/import/orgs/apply" in page and "別のファイルを選ぶ" not in page
    upload_id = page.split('name="upload_id" type="hidden" value="')[1].split('"')[0]
    assert admin_client.post("/admin/import/orgs/apply", data={"upload_id": upload_id}).status_code == 200
    with app.app_context():
        division = db.session().scalars(select(OrgUnit).where(OrgUnit.code == "SAMPLE-K")).one()
        assert division.parent.parent.code == "SAMPLE-M"


def test_the_staff_sample_downloads_as_xlsx_and_passes_the_check(app, admin_client):
    response = admin_client.get("/admin/import/staff/sample.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [column.label_ja for column in STAFF_COLUMNS]

    page = upload(admin_client, "staff", response.get_data(), "sample.xlsx")

    assert "/admin/import/staff/apply" in page  # no bad rows
    assert "見本 太郎" in page and "見本 花子" in page
    with app.app_context():
        assert db.session().scalar(select(User).where(User.name == "見本 太郎")) is None  # nothing applied yet


def test_sample_cells_that_look_like_formulas_stay_text(app, admin_client):
    with app.app_context(), db.write_session() as session:
        session.add(Grade(name="=HYPERLINK(\"http://x\")", sort_order=-1))  # the first grade goes into the sample
    text = admin_client.get("/admin/import/staff/sample.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    sheet = openpyxl.load_workbook(io.BytesIO(admin_client.get("/admin/import/staff/sample.xlsx").get_data()))
    cells = [cell for row in sheet.worksheets[0].iter_rows() for cell in row if cell.value == '=HYPERLINK("http://x")']
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_the_new_units_table_names_the_unit_not_a_person(admin_client):
    page = upload(admin_client, "orgs", f"{ORG_HEADER}\nX1,広報課,P100,課室\n".encode(), "orgs.csv")
    new_units = page.split("<h2>新規所属</h2>")[1].split("</thead>")[0]
    assert "<th>所属名</th>" in new_units and "氏名" not in new_units


@pytest.mark.parametrize("path", ["/admin/import/orgs/sample.csv", "/admin/import/staff/sample.xlsx"])
def test_only_administrators_download_samples(client, make_user, path):
    sign_in(client, make_user(division="P101", permissions=[(Permission.MANAGER, "P100")]))
    assert client.get(path).status_code == 403
