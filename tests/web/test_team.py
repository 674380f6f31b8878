"""A manager's team page: who must take what, status, deadlines, filters, per-unit rates and exports."""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from datetime import UTC, date, datetime
from html import unescape
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select
from support import SAMPLE_CONTENT, complete, queries_for, sign_in, statements_for

from elearn import db
from elearn.clock import TOKYO
from elearn.domain.fiscal import fiscal_year, fiscal_year_label_ja
from elearn.domain.people import Permission, Tier
from elearn.models import Completion, Course, Grade, HistoryImport, LessonProgress, User
from elearn.services.learning import content, deadlines
from elearn.services.reports import team as team_service

THIS_YEAR = fiscal_year(datetime.now(TOKYO).date())


def _course_id(app) -> int:
    with app.app_context():
        return db.session().scalar(select(Course.id).where(Course.slug == "sample-course"))


def _grade_id(app, name: str) -> int:
    with app.app_context():
        return db.session().scalar(select(Grade.id).where(Grade.name == name))


def _set_deadline(app, due_on: date, year: int = THIS_YEAR) -> None:
    with app.app_context():
        deadlines.save(None, year, {_course_id(app): due_on})


@pytest.fixture
def team(synced, make_user):
    """A manager of 総務部 (P100) with four staff below, and one outsider in 健康福祉部."""
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")],
                        name="上司 一郎", kana="じょうし いちろう")
    people = {
        "done": make_user(division="P101", name="完了 花子", kana="かんりょう はなこ"),
        "reading": make_user(division="P101", name="途中 次郎", kana="とちゅう じろう"),
        "idle": make_user(division="P102", name="未着手 三郎", kana="みちゃくしゅ さぶろう",
                          grade_id=_grade_id(synced, "課長級")),
        "leader": make_user(division="P102", name="リーダー 四郎", kana="りーだー しろう",
                            tiers=(Tier.DIGITAL_LEADER,)),
    }
    outsider = make_user(division="P201", name="他部 五郎", kana="たぶ ごろう")
    complete(synced, people["done"], when=datetime(THIS_YEAR, 5, 20, 1, 0, tzinfo=UTC))
    with synced.app_context(), db.write_session() as session:
        session.add(LessonProgress(user_id=people["reading"].id, course_id=_course_id(synced), lesson_slug="01-first"))
    return manager, people, outsider


def _rows(html: str) -> list[str]:
    body = html.split('<table class="data team stack">', 1)[1].split("</table>", 1)[0]
    return [chunk.split("</tr>", 1)[0] for chunk in body.split("<tr")[2:]]


def test_the_team_page_lists_everyone_below_the_manager_against_their_courses(synced, client, team):
    manager, people, outsider = team
    sign_in(client, manager)
    html = client.get("/team/?view=detail").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 5  # the sample course is for all staff: the manager and four staff
    assert "他部 五郎" not in html
    done = next(row for row in rows if "完了 花子" in row)
    assert "修了" in done and f"{THIS_YEAR - 2018}年5月20日" in done
    assert "受講中" in next(row for row in rows if "途中 次郎" in row)
    assert "未着手" in next(row for row in rows if "未着手 三郎" in row)


def test_learners_and_other_teams_are_refused(synced, client, team, make_user):
    _, people, outsider = team
    sign_in(client, people["done"])
    assert client.get("/team/").status_code == 403
    assert client.get("/team/completion.csv").status_code == 403
    client.post("/sign-out")
    other_manager = make_user(division="P201", permissions=[(Permission.MANAGER, "P200")])
    sign_in(client, other_manager)
    html = client.get("/team/").get_data(as_text=True)
    assert "他部 五郎" in html and "完了 花子" not in html
    exported = client.get("/team/completion.csv").get_data().decode("utf-8-sig")
    assert "他部 五郎" in exported and "完了 花子" not in exported


def test_deadlines_mark_overdue_and_late_completions(synced, client, team):
    manager, people, _ = team
    _set_deadline(synced, date(THIS_YEAR, 5, 10))
    sign_in(client, manager)
    rows = _rows(client.get("/team/?view=detail").get_data(as_text=True))
    assert "badge-overdue" in next(row for row in rows if "未着手 三郎" in row)
    done = next(row for row in rows if "完了 花子" in row)
    assert "badge-overdue" not in done and "期限後" in done
    overdue = _rows(client.get("/team/?view=detail&status=overdue").get_data(as_text=True))
    assert len(overdue) == 4 and not any("完了 花子" in row for row in overdue)


def test_a_deadline_not_yet_reached_marks_nobody(synced, client, team):
    manager, _, _ = team
    _set_deadline(synced, date(THIS_YEAR + 1, 3, 31))
    sign_in(client, manager)
    assert "badge-overdue" not in client.get("/team/?view=detail").get_data(as_text=True)


def test_filters_by_unit_grade_tier_status_and_name(synced, client, team, org):
    manager, people, _ = team
    sign_in(client, manager)

    def names(query: str) -> set[str]:
        rows = _rows(client.get(f"/team/?view=detail&{query}").get_data(as_text=True))
        return {name for name in ("上司 一郎", "完了 花子", "途中 次郎", "未着手 三郎", "リーダー 四郎")
                if any(name in row for row in rows)}

    assert names(f"unit={org['P102'].id}") == {"未着手 三郎", "リーダー 四郎"}
    assert names(f"grade={_grade_id(synced, '課長級')}") == {"未着手 三郎"}
    assert names("tier=digital_leader") == {"リーダー 四郎"}
    assert names("status=completed") == {"完了 花子"}
    assert names("status=in_progress") == {"途中 次郎"}
    assert names("status=outstanding") == {"上司 一郎", "途中 次郎", "未着手 三郎", "リーダー 四郎"}
    assert names("q=とちゅう") == {"途中 次郎"}
    assert names("q=途中\u3000次郎") == {"途中 次郎"}  # typed with the ideographic space
    assert names("q=途中 三郎") == set()  # every word in the name
    assert names("status=nonsense&tier=nobody") == names("")  # an edited link shows everything


def test_training_by_mode_lists_the_people_the_filters_keep(synced, client, team, org):
    """The year's imported records under the matrix follow the page's unit, grade, tier and name filters, and
    never list anyone outside the manager's team."""
    manager, people, outsider = team
    with synced.app_context(), db.write_session() as session:
        batch = HistoryImport(filename="past.csv", sha256="0" * 64, records=5, people=5)
        session.add(batch)
        session.flush()
        for person in [*people.values(), outsider]:
            session.add(Completion(
                user_id=person.id, history_import_id=batch.id, tier=Tier.ALL_STAFF, fiscal_year=THIS_YEAR,
                completed_on=date(THIS_YEAR, 6, 1), completed_at=datetime(THIS_YEAR, 5, 31, 15, tzinfo=UTC),
                body_id=person.body_id, division_id=person.division_id))
    sign_in(client, manager)

    def listed(query: str) -> set[str]:
        html = client.get(f"/team/?{query}").get_data(as_text=True).split('id="team-training"', 1)[1]
        html = html.split("</section>", 1)[0]
        everyone = ("完了 花子", "途中 次郎", "未着手 三郎", "リーダー 四郎", "他部 五郎")
        return {name for name in everyone if name in html}

    assert listed("") == {"完了 花子", "途中 次郎", "未着手 三郎", "リーダー 四郎"}
    assert listed(f"unit={org['P102'].id}") == {"未着手 三郎", "リーダー 四郎"}
    assert listed(f"grade={_grade_id(synced, '課長級')}") == {"未着手 三郎"}
    assert listed("tier=digital_leader") == {"リーダー 四郎"}
    assert listed("q=とちゅう") == {"途中 次郎"}
    assert listed(f"fiscal_year={THIS_YEAR - 1}") == set()


def test_sorting_by_name_both_ways(synced, client, team):
    manager, _, _ = team
    sign_in(client, manager)

    def order(query: str) -> list[str]:
        return [row.split("<small>", 1)[1].split("</small>", 1)[0]
                for row in _rows(client.get(f"/team/?view=detail&{query}").get_data(as_text=True))]

    ascending = order("sort=name")
    assert ascending == sorted(ascending)
    assert order("sort=name&dir=desc") == list(reversed(ascending))
    completed_first = order("sort=completed_on")
    assert completed_first[0] == "かんりょう はなこ"


def test_the_course_filter_keeps_only_that_courses_rows(synced, client, team):
    manager, _, _ = team
    sign_in(client, manager)
    course_id = _course_id(synced)
    html = client.get("/team/").get_data(as_text=True)
    assert f'<option value="{course_id}">テスト用コース</option>' in html  # offered in the filter
    assert len(_rows(client.get(f"/team/?view=detail&course={course_id}").get_data(as_text=True))) == 5
    other = _rows(client.get(f"/team/?view=detail&course={course_id + 1000}").get_data(as_text=True))
    assert len(other) == 1 and "条件に合う行はありません" in other[0]  # no person's row, only the notice


def test_each_sort_column_orders_the_rows_and_reverses(synced, client, team, make_user):
    manager, _, _ = team
    make_user(division="P102", name="安藤 六子", kana="あんどう むつこ")  # first by name, not by unit
    sign_in(client, manager)

    def order(query: str) -> list[str]:
        return [row.split("<small>", 1)[1].split("</small>", 1)[0]
                for row in _rows(client.get(f"/team/?view=detail&{query}").get_data(as_text=True))]

    expected = {
        # 人事課 before デジタル推進課, then by kana within each
        "unit": ["かんりょう はなこ", "じょうし いちろう", "とちゅう じろう", "あんどう むつこ",
                 "みちゃくしゅ さぶろう", "りーだー しろう"],
        "staff_number": ["じょうし いちろう", "かんりょう はなこ", "とちゅう じろう", "みちゃくしゅ さぶろう",
                         "りーだー しろう", "あんどう むつこ"],  # in the order they were added
        "status": ["じょうし いちろう", "あんどう むつこ", "みちゃくしゅ さぶろう", "りーだー しろう",
                   "とちゅう じろう", "かんりょう はなこ"],  # not started, in progress, completed
    }
    for key, rows in expected.items():
        assert order(f"sort={key}") == rows, key
        assert order(f"sort={key}&dir=desc") == list(reversed(rows)), key
    html = client.get("/team/?view=detail&sort=status").get_data(as_text=True)
    for key in ("unit", "staff_number", "name", "course", "status", "completed_on", "due_on"):
        assert f"sort={key}" in html, key  # every column header is a sort link
    assert 'aria-sort="ascending"' in html


def test_a_fiscal_year_before_reiwa_in_the_address_shows_this_year(synced, client, team):
    manager, _, _ = team
    sign_in(client, manager)
    for year in (2010, 2018, 0, -1):
        response = client.get(f"/team/?fiscal_year={year}")
        assert response.status_code == 200, year
        assert f"<small>{fiscal_year_label_ja(THIS_YEAR)}</small>" in response.get_data(as_text=True)
        assert client.get(f"/team/completion.csv?fiscal_year={year}").status_code == 200


def test_the_summary_gives_each_units_completion_rate(synced, client, team):
    manager, people, _ = team
    complete(synced, people["leader"])
    sign_in(client, manager)
    html = client.get("/team/").get_data(as_text=True)
    summary = html.split('<table class="data summary">', 1)[1].split("</table>", 1)[0]
    cells = {row.split("</a>")[0].rsplit(">", 1)[1].strip("　"): row for row in summary.split("<tr")[2:]}
    assert ">40.0%" in cells["総務部"].replace(" ", "")  # 2 of 5
    assert ">33.3%" in cells["人事課"].replace(" ", "")  # the manager, 完了 and 途中: 1 of 3
    assert ">50.0%" in cells["デジタル推進課"].replace(" ", "")


def test_a_yearly_course_completed_last_year_is_due_again_this_year(synced, client, team):
    manager, people, _ = team
    complete(synced, people["idle"], when=datetime(THIS_YEAR - 1, 6, 1, 1, 0, tzinfo=UTC))
    sign_in(client, manager)
    rows = _rows(client.get("/team/?view=detail").get_data(as_text=True))
    assert "未着手" in next(row for row in rows if "未着手 三郎" in row)
    last_year = _rows(client.get(f"/team/?view=detail&fiscal_year={THIS_YEAR - 1}").get_data(as_text=True))
    assert "修了" in next(row for row in last_year if "未着手 三郎" in row)


# --- exports ---------------------------------------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "＝1+1"]


@pytest.fixture
def hostile_team(synced, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101")], name="上司", kana="じょうし")
    for text in FORMULAS:
        make_user(division="P101", name=text, kana=text)
    return manager


def test_csv_export_has_a_bom_the_filtered_rows_and_neutralised_formulas(synced, client, hostile_team):
    sign_in(client, hostile_team)
    response = client.get("/team/completion.csv?view=detail&sort=staff_number")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    # The file name in the UI's language (a _() inside an f-string left it English).
    expected_name = quote(f"チーム受講状況_{fiscal_year_label_ja(THIS_YEAR)}_{datetime.now(TOKYO):%Y%m%d}.csv")
    assert response.headers["Content-Disposition"].endswith(f"filename*=UTF-8''{expected_name}")
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["所属", "職員番号", "氏名"]
    names = [row[2] for row in rows[1:]]
    assert names == ["上司"] + ["'" + text for text in FORMULAS]
    assert len(list(csv.reader(io.StringIO(client.get("/team/completion.csv?q=じょうし").get_data()
                                           .decode("utf-8-sig"))))) == 2


def test_xlsx_export_has_a_header_widths_frozen_panes_dates_and_no_formulas(synced, client, hostile_team, make_user):
    sign_in(client, hostile_team)
    member = make_user(division="P101", name="修了 者", kana="しゅうりょう")
    complete(synced, member, when=datetime(THIS_YEAR, 7, 1, 1, 0, tzinfo=UTC))
    response = client.get("/team/completion.xlsx?view=detail")
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    data = response.get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "所属" and sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width >= 8
    names = {sheet.cell(row=r, column=3).value: sheet.cell(row=r, column=3) for r in range(2, sheet.max_row + 1)}
    for text in FORMULAS:
        cell = names[text]
        assert cell.data_type == "s" and cell.quotePrefix, text
    completed = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=3).value == "修了 者")
    date_cell = sheet.cell(row=completed, column=9)
    assert date_cell.value.date() == date(THIS_YEAR, 7, 1) and "年" in date_cell.number_format
    assert workbook.worksheets[1]["A1"].value == "所属"


# --- a fixed number of queries --------------------------------------------------------------------------------


def _add_staff(app, division_id: int, body_id: int, count: int, start: int) -> None:
    with app.app_context(), db.write_session() as session:
        session.execute(insert(User), [
            {"body_id": body_id, "division_id": division_id, "staff_number": f"9{start + n:06d}",
             "name": f"大量 {n}", "kana": f"たいりょう {n}"} for n in range(count)])


def test_the_page_issues_the_same_number_of_queries_for_10_and_1000_staff(synced, client, org, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")])
    _add_staff(synced, org["P101"].id, org["P000"].id, 9, 0)
    sign_in(client, manager)
    small = queries_for(synced, client, "/team/")
    small_detail = queries_for(synced, client, "/team/?view=detail")
    small_export = queries_for(synced, client, "/team/completion.xlsx")
    _add_staff(synced, org["P102"].id, org["P000"].id, 990, 100)
    with synced.app_context():
        with db.write_session() as session:
            some = session.scalars(select(User).where(User.staff_number.like("9%")).limit(300)).all()
    for member in some[:50]:
        complete(synced, member)
    large = queries_for(synced, client, "/team/")
    assert large == small
    assert queries_for(synced, client, "/team/?view=detail") == small_detail
    summary = client.get("/team/").get_data(as_text=True).split('<table class="data summary">', 1)[1]
    # 総務部: the manager and 999 staff
    assert '<td class="num wide-only" data-label="職員">1000</td>' in summary.split("</tr>", 2)[1]
    assert queries_for(synced, client, "/team/completion.xlsx") == small_export


def test_the_managers_units_are_read_once_and_the_team_is_asked_for_by_them(synced, client, team):
    """The database is handed the manager's units as a list, read once per request: PostgreSQL misjudges the
    size of a recursive query and would scan every completion and certificate of the prefecture."""
    manager, _, _ = team
    sign_in(client, manager)
    for path in ("/team/", "/team/?view=detail", "/team/completion.xlsx"):
        statements = statements_for(synced, client, path)
        assert sum("RECURSIVE" in statement for statement in statements) == 1, path
        team_reads = [statement for statement in statements if "FROM completions" in statement]
        assert team_reads and not any("RECURSIVE" in statement for statement in team_reads), path


def test_a_team_too_large_to_list_asks_for_a_unit_first(synced, client, team, org, monkeypatch):
    """An administrator's team is every member of staff: past the limit the page counts people per unit and lists
    nobody until a unit is chosen; the downloads say the same."""
    manager, _, _ = team
    monkeypatch.setattr(team_service, "TEAM_PAGE_LIMIT", 3)
    sign_in(client, manager)
    html = client.get("/team/").get_data(as_text=True)
    assert "対象の職員が 5 人いて、一度には表示できません" in html
    choices = html.split('id="team-choose"', 1)[1].split("</section>", 1)[0]
    assert f'unit={org["P101"].id}">人事課</a></th><td class="num" data-label="職員">3</td>' in choices
    assert f'unit={org["P102"].id}">' in choices and "他部" not in choices
    assert "完了 花子" not in html and 'id="team-list"' not in html
    refused = client.get("/team/completion.csv")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/team/")
    assert "1つのファイルにはできません" in client.get(refused.headers["Location"]).get_data(as_text=True)
    narrowed = client.get(f"/team/?view=detail&unit={org['P102'].id}").get_data(as_text=True)
    listed = {name for name in ("未着手 三郎", "リーダー 四郎", "完了 花子") if name in narrowed}
    assert listed == {"未着手 三郎", "リーダー 四郎"}
    exported = client.get(f"/team/completion.csv?unit={org['P102'].id}")
    assert exported.status_code == 200 and "未着手 三郎" in exported.get_data().decode("utf-8-sig")
    # A unit still too large but with nothing smaller below it is listed: choosing leads somewhere.
    monkeypatch.setattr(team_service, "TEAM_PAGE_LIMIT", 1)
    leaf = client.get(f"/team/?unit={org['P102'].id}").get_data(as_text=True)
    assert 'id="team-choose"' not in leaf and "未着手 三郎" in leaf


def test_the_staff_of_a_department_itself_can_be_listed_apart_from_its_divisions(synced, client, team, org,
                                                                                monkeypatch, make_user):
    """People attached to a department itself, not to a division of it: when the department is too large to list,
    its own staff are offered beside its divisions, and the filter (with the downloads) takes them alone."""
    manager, people, _ = team
    head = make_user(division="P100", name="部付 六子", kana="ぶづき むつこ")
    complete(synced, head, when=datetime(THIS_YEAR, 6, 2, 1, 0, tzinfo=UTC))
    monkeypatch.setattr(team_service, "TEAM_PAGE_LIMIT", 3)
    sign_in(client, manager)
    choices = client.get("/team/").get_data(as_text=True).split('id="team-choose"', 1)[1].split("</section>", 1)[0]
    department = org["P100"].id
    rows = re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th><td class="num" data-label="職員">(\d+)',
                      choices)
    assert [(unescape(name), count) for _, name, count in rows] == [
        ("人事課", "3"), ("デジタル推進課", "2"), ("総務部（直属の職員のみ）", "1")]
    own = unescape(rows[-1][0])
    assert f"unit={department}" in own and "alone=1" in own

    listed = client.get(own).get_data(as_text=True)
    assert "部付 六子" in listed and not any(person.name in listed for person in people.values())
    assert 'name="alone" value="1" checked' in listed  # the filter says what is shown
    exported = client.get(f"/team/completion.csv?unit={department}&alone=1").get_data().decode("utf-8-sig")
    assert "部付 六子" in exported and "完了 花子" not in exported
    # The certificates offered are the unit's own staff's, and so is the download.
    assert f"/team/certificates/?fiscal_year={THIS_YEAR}&amp;unit={department}&amp;alone=1" in listed
    with zipfile.ZipFile(io.BytesIO(client.get(f"/team/certificates.zip?unit={department}&alone=1").data)) as archive:
        assert len(archive.namelist()) == 1 and "部付" in archive.namelist()[0]
    with zipfile.ZipFile(io.BytesIO(client.get(f"/team/certificates.zip?unit={department}").data)) as archive:
        assert len(archive.namelist()) == 2  # the department with its divisions: 完了 花子 too

    # Without a unit the box means nothing; with the whole department it lists everyone again.
    monkeypatch.setattr(team_service, "TEAM_PAGE_LIMIT", 30_000)
    assert "完了 花子" in client.get("/team/?alone=1").get_data(as_text=True)
    everyone = client.get(f"/team/?unit={department}").get_data(as_text=True)
    assert "部付 六子" in everyone and "完了 花子" in everyone
    assert 'name="alone" value="1">' in everyone


def test_a_team_members_page_shows_their_courses(synced, client, team):
    manager, people, _ = team
    sign_in(client, manager)
    html = client.get(f"/team/staff/{people['done'].id}").get_data(as_text=True)
    assert "テスト用コース" in html and "badge-completed" in html
    assert "badge-in_progress" in client.get(f"/team/staff/{people['reading'].id}").get_data(as_text=True)


def test_a_team_members_page_gives_the_deadline_as_the_learner_sees_it(synced, client, team):
    manager, people, _ = team
    _set_deadline(synced, date(THIS_YEAR, 5, 10))
    sign_in(client, manager)
    idle = client.get(f"/team/staff/{people['idle'].id}").get_data(as_text=True)
    assert "badge-overdue" in idle and f"受講期限：令和{THIS_YEAR - 2018}年5月10日" in idle
    done = client.get(f"/team/staff/{people['done'].id}").get_data(as_text=True)
    assert "badge-overdue" not in done and f"受講期限：令和{THIS_YEAR - 2018}年5月10日" in done


def test_an_administrator_sees_every_body(synced, client, team, make_user):
    _, _, outsider = team
    admin = make_user(division="P102", permissions=[(Permission.ADMIN, None)])
    sign_in(client, admin)
    html = client.get("/team/").get_data(as_text=True)
    assert "他部 五郎" in html and "完了 花子" in html
    assert "みどり県 / 総務部 / 人事課" in html  # several bodies: the path starts at the body


# --- the summary's unit links ----------------------------------------------------------------------------------


def _summary_links(html: str) -> dict[str, str]:
    summary = html.split('<table class="data summary">', 1)[1].split("</table>", 1)[0]
    return {name: unescape(href)
            for href, name in re.findall(r'<th scope="row">　*<a href="([^"]+)">([^<]+)</a>', summary)}


def test_a_unit_link_in_the_summary_lists_that_units_staff_only(synced, client, team, org):
    manager, _, _ = team
    sign_in(client, manager)
    for query in ("", "view=detail&"):
        links = _summary_links(client.get(f"/team/?{query}status=outstanding").get_data(as_text=True))
        assert set(links) == {"総務部", "人事課", "デジタル推進課"}
        assert f"unit={org['P102'].id}" in links["デジタル推進課"]
        assert "status=outstanding" in links["デジタル推進課"]  # the other filters are kept
        html = client.get(links["デジタル推進課"]).get_data(as_text=True)
        assert "未着手 三郎" in html and "リーダー 四郎" in html
        assert "途中 次郎" not in html and "上司 一郎" not in html
        # With a status filter the rate is the listed people's; with the unit alone it is the unit's.
        assert "表示中の職員の修了率" in html and "デジタル推進課の修了率" not in html
        assert "デジタル推進課の修了率" in client.get(f"/team/?unit={org['P102'].id}").get_data(as_text=True)


# --- the matrix: one row per person, a column per course --------------------------------------------------------

LEADER_COURSE = "リーダー研修"


@pytest.fixture
def two_courses(synced, tmp_path):
    """The sample course (all staff, and 課長級) and a second one for digital leaders only."""
    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    leader = root / "courses/leader-course"
    shutil.copytree(root / "courses/sample-course", leader)
    course_md = leader / "course.md"
    text = course_md.read_text(encoding="utf-8")
    text = (text.replace("slug: sample-course", "slug: leader-course")
            .replace("title: テスト用コース", f"title: {LEADER_COURSE}")
            .replace("tiers: [all_staff, digital_leader]", "tiers: [digital_leader]")
            .replace("required_for_grades: [課長級]\n", ""))
    course_md.write_text(text, encoding="utf-8")
    synced.config["CONTENT_ROOT"] = str(root)
    synced.extensions.pop("elearn.content", None)
    with synced.app_context():
        content.sync(content.tree())
    return synced


def _matrix(html: str) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """The course headers, and per person (in page order) each cell's class and text."""
    table = html.split('<table class="data matrix">', 1)[1].split("</table>", 1)[0]
    head, body = table.split("</thead>", 1)
    courses = [re.sub(r"\s+", " ", title).strip()
               for title in re.findall(r'<th scope="col" class="course">([^<]+)<', head)]
    people = {}
    for row in body.split("<tr>")[1:]:
        name = re.search(r'<th scope="row" class="person"><a [^>]+>([^<]+)</a>', row)
        if name:
            people[name.group(1)] = [(kind, re.sub(r"<[^>]+>", " ", text))
                                     for kind, text in re.findall(r'<td class="cell ([^"]+)">(.*?)</td>', row)]
    return courses, people


def test_the_default_view_has_one_row_per_person_and_a_column_per_required_course(two_courses, client, team):
    manager, people, _ = team
    sign_in(client, manager)
    html = client.get("/team/").get_data(as_text=True)
    courses, rows = _matrix(html)
    assert courses == ["テスト用コース", LEADER_COURSE]  # the course everyone takes first
    assert list(rows) == ["完了 花子", "上司 一郎", "途中 次郎", "未着手 三郎", "リーダー 四郎"]  # unit, kana
    assert "5 人" in html
    done, reading, idle, leader = (rows[name] for name in ("完了 花子", "途中 次郎", "未着手 三郎", "リーダー 四郎"))
    assert done[0][0] == "cell-completed" and "✓ 5/20" in done[0][1]
    assert f"修了 令和{THIS_YEAR - 2018}年5月20日" in done[0][1]  # the words and the full date for screen readers
    assert reading[0][0] == "cell-in_progress" and "△" in reading[0][1] and "受講中" in reading[0][1]
    assert idle[0][0] == "cell-not_started" and "—" in idle[0][1] and "未受講" in idle[0][1]
    # The leader course is required of the leader only: the others' cells say it does not apply.
    assert leader[1][0] == "cell-not_started"
    for cells in (done, reading, idle):
        assert cells[1][0] == "cell-na" and "対象外" in cells[1][1]
    assert "修了率 20.0%" in html.split('<table class="data matrix">', 1)[1].split("</thead>", 1)[0]  # 1 of 5


def test_the_matrix_marks_overdue_cells_with_the_deadline(two_courses, client, team):
    manager, people, _ = team
    _set_deadline(two_courses, date(THIS_YEAR, 5, 10))
    sign_in(client, manager)
    _, rows = _matrix(client.get("/team/").get_data(as_text=True))
    kind, text = rows["未着手 三郎"][0]
    assert kind == "cell-overdue" and "! 5/10" in text and "期限超過" in text
    assert f"期限 令和{THIS_YEAR - 2018}年5月10日" in text
    kind, text = rows["完了 花子"][0]
    assert kind == "cell-completed" and "✓ 5/20*" in text and "期限後に修了" in text  # late, not overdue


def test_a_status_filter_picks_people_and_keeps_all_their_cells(two_courses, client, team):
    manager, people, _ = team
    sign_in(client, manager)
    html = client.get("/team/?status=completed").get_data(as_text=True)
    _, rows = _matrix(html)
    assert list(rows) == ["完了 花子"]
    assert [kind for kind, _ in rows["完了 花子"]] == ["cell-completed", "cell-na"]
    # The rates count the people listed: her one required course, completed (not 1 of the 5 in view).
    rate = re.sub(r"\s+", " ", html.split('<p class="team-rate">', 1)[1].split("</p>", 1)[0])
    assert "表示中の職員の修了率" in rate and "<strong>100.0%</strong>" in rate
    assert "修了率 100.0%" in html.split('<table class="data matrix">', 1)[1].split("</thead>", 1)[0]
    _, rows = _matrix(client.get("/team/?tier=digital_leader").get_data(as_text=True))
    assert list(rows) == ["リーダー 四郎"]
    _, rows = _matrix(client.get("/team/?sort=name&dir=desc").get_data(as_text=True))
    assert list(rows) == ["リーダー 四郎", "未着手 三郎", "途中 次郎", "上司 一郎", "完了 花子"]


def test_the_view_switch_and_the_filter_form_keep_the_filters(synced, client, team, org):
    manager, _, _ = team
    sign_in(client, manager)
    query = f"unit={org['P101'].id}&status=outstanding&q=とちゅう&sort=name"
    html = client.get(f"/team/?{query}").get_data(as_text=True)
    switch = html.split('<nav class="view-switch"', 1)[1].split("</nav>", 1)[0]
    matrix_link, detail_link = (unescape(href) for href in re.findall(r'href="([^"]+)"', switch))
    assert 'aria-current="page">職員ごと<' in switch
    for arg in (f"unit={org['P101'].id}", "status=outstanding", "sort=name", "view=detail"):
        assert arg in detail_link, arg
    detail = client.get(detail_link).get_data(as_text=True)
    rows = _rows(detail)
    assert len(rows) == 1 and "途中 次郎" in rows[0]
    assert '<input type="hidden" name="view" value="detail">' in detail  # a new filter stays in this view
    back = unescape(re.findall(r'href="([^"]+)"', detail.split('<nav class="view-switch"', 1)[1])[0])
    assert "view=" not in back and "status=outstanding" in back and f"unit={org['P101'].id}" in back
    assert 'name="view"' not in client.get(back).get_data(as_text=True)
    sort_link = unescape(re.search(r'<a href="([^"]*sort=unit[^"]*)"', detail).group(1))
    assert "view=detail" in sort_link and "status=outstanding" in sort_link
    header = detail.split('<table class="data team stack">', 1)[1].split("</thead>", 1)[0]
    assert re.search(r'<th scope="col" aria-sort="ascending"><a ', header)  # on the cell, not the link
    assert "<a aria-sort" not in detail and not re.search(r"<a [^>]*aria-sort", detail)


# --- exports follow the view ----------------------------------------------------------------------------------


def _sheet_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_matrix_export_has_a_row_per_person_and_a_column_per_course(two_courses, client, team):
    manager, people, _ = team
    _set_deadline(two_courses, date(THIS_YEAR, 5, 10))
    sign_in(client, manager)
    response = client.get("/team/completion.xlsx")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.worksheets[0].freeze_panes == "D2"  # unit, number and name stay in sight
    rows = _sheet_rows(response.get_data())
    assert rows[0] == ["所属", "職員番号", "氏名", "ふりがな", "職位", "研修区分", "テスト用コース", LEADER_COURSE]
    by_name = {row[2]: row for row in rows[1:]}
    assert len(rows) == 6 and set(by_name) == {"上司 一郎", "完了 花子", "途中 次郎", "未着手 三郎", "リーダー 四郎"}
    assert by_name["完了 花子"][5:] == ["全職員", f"修了 令和{THIS_YEAR - 2018}年5月20日（期限後に修了）", "対象外"]
    assert by_name["未着手 三郎"][6] == f"期限超過（期限 令和{THIS_YEAR - 2018}年5月10日）"
    assert by_name["途中 次郎"][6] == f"期限超過（期限 令和{THIS_YEAR - 2018}年5月10日）"
    overdue = f"期限超過（期限 令和{THIS_YEAR - 2018}年5月10日）"
    assert by_name["リーダー 四郎"][5:] == ["デジタル化リーダー・全職員", overdue, "未受講"]
    csv_rows = list(csv.reader(io.StringIO(client.get("/team/completion.csv?status=completed").get_data()
                                           .decode("utf-8-sig"))))
    assert csv_rows[0][6:] == ["テスト用コース", LEADER_COURSE]
    assert [row[2] for row in csv_rows[1:]] == ["完了 花子"]


def test_the_detail_export_keeps_a_row_per_person_and_course_and_names_every_tier(two_courses, client, team):
    manager, people, _ = team
    sign_in(client, manager)
    rows = _sheet_rows(client.get("/team/completion.xlsx?view=detail").get_data())
    assert rows[0][:7] == ["所属", "職員番号", "氏名", "ふりがな", "職位", "研修区分", "コース"]
    assert len(rows) == 1 + 6  # five people on the sample course, the leader on the leader course too
    done = next(row for row in rows if row[2] == "完了 花子")
    assert done[5] == "全職員" and done[6] == "テスト用コース" and done[8].date() == date(THIS_YEAR, 5, 20)
    assert all(row[5] for row in rows[1:])  # nobody's training tiers are empty
    assert {row[5] for row in rows if row[2] == "リーダー 四郎"} == {"デジタル化リーダー・全職員"}
