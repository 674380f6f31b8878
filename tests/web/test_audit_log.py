"""The audit log as administrators read it: names instead of codes, filters, paging and a CSV of the filter."""

from __future__ import annotations

import ast
import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support import queries_for, sign_in

from elearn import db
from elearn.admin.audit_labels import ACTION_LABELS
from elearn.domain.people import Permission
from elearn.models import AuditEntry

SOURCE = Path(__file__).resolve().parents[2] / "elearn"


def written_action_codes() -> set[str]:
    """Every action code passed to audit.record(...) in the source, both arms of a conditional included."""
    codes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                codes |= {constant.value for constant in ast.walk(node.args[2])
                          if isinstance(constant, ast.Constant) and isinstance(constant.value, str)}
    return codes


def test_every_action_the_app_records_has_a_readable_name():
    codes = written_action_codes()
    assert {"grant.add", "staff.deactivate", "admin.grant", "password.reissue"} <= codes  # the scan finds them
    assert codes - ACTION_LABELS.keys() == set()


@pytest.fixture
def admin(make_user):
    return make_user(division="P102", permissions=[(Permission.ADMIN, None)], name="管理 花子", staff_number="900001")


@pytest.fixture
def admin_client(client, admin):
    sign_in(client, admin)
    return client


def add_entry(app, actor, action: str, target: str = "", at: datetime | None = None, **details) -> None:
    with app.app_context(), db.write_session() as session:
        session.add(AuditEntry(actor_id=actor.id if actor else None, action=action, target=target, details=details,
                               address="10.0.0.1", occurred_at=at or datetime.now(UTC)))


def page_text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_entries_read_as_names_details_and_linked_people(app, admin_client, admin, make_user):
    member = make_user(name="対象 太郎", staff_number="123456")
    admin_client.post(f"/admin/staff/{member.id}/grants", data={"permission": "manager", "unit_code": "P100"})
    admin_client.post(f"/admin/staff/{member.id}/active", data={"active": "0"})

    page = page_text(admin_client, "/admin/audit")

    assert "<strong>権限を付与</strong>" in page and "<strong>職員を利用停止</strong>" in page
    assert f'<a href="/admin/staff/{member.id}">対象 太郎 (123456)</a>' in page
    assert f'<a href="/admin/staff/{admin.id}">管理 花子 (900001)</a>' in page
    assert "<dt>権限</dt><dd>所属長</dd>" in page and "<dt>所属</dt><dd>P100</dd>" in page
    assert "permission=" not in page and "<code>grant.add</code>" not in page
    assert '<table class="data stack audit-log">' in page and 'data-label="操作"' in page

    admin_client.get("/language/en?next=/")
    english = page_text(admin_client, "/admin/audit")
    assert "<strong>Permission granted</strong>" in english and "<dt>Permission</dt><dd>Manager</dd>" in english


def test_the_log_filters_by_person_action_and_japanese_dates(app, admin_client, admin, make_user):
    other_admin = make_user(name="別の 管理者", permissions=[(Permission.ADMIN, None)])
    subject = make_user(name="異動 次郎", staff_number="555001")
    # 2025-04-01 23:30 and 2025-04-02 00:10 in Tokyo: two different days on the prefecture's calendar.
    late_on_the_first = datetime(2025, 4, 1, 14, 30, tzinfo=UTC)
    early_on_the_second = datetime(2025, 4, 1, 15, 10, tzinfo=UTC)
    add_entry(app, admin, "grade.add", "係員", at=late_on_the_first)
    add_entry(app, other_admin, "password.temporary", f"user:{subject.id} 555001 異動 次郎", at=early_on_the_second)
    add_entry(app, other_admin, "grade.rename", "係員", at=early_on_the_second + timedelta(days=3), new="主事")

    def shown(query: str) -> list[str]:
        return re.findall(r"<strong>([^<]+)</strong>", page_text(admin_client, f"/admin/audit?{query}"))

    assert shown("person=管理 花子") == ["職位を追加"]  # the one who acted
    assert shown("person=異動") == ["仮パスワードを発行"]  # the one acted on, by name
    assert shown("person=異動\u3000次郎") == ["仮パスワードを発行"]  # typed with the ideographic space
    assert shown("person=異動 三郎") == []  # every word in the name
    assert shown("person=５５５００１") == ["仮パスワードを発行"]  # by staff number, typed full-width
    assert shown("action=grade.rename") == ["職位名を変更"]
    assert shown("since=2025-04-01&until=2025-04-01") == ["職位を追加"]
    assert shown("since=2025-04-02&until=2025-04-02") == ["仮パスワードを発行"]
    assert shown("since=2025-04-02") == ["職位名を変更", "仮パスワードを発行"]
    assert shown("person=別の&since=2025-04-03") == ["職位名を変更"]
    assert shown("person=誰もいない") == []
    bad_date = page_text(admin_client, "/admin/audit?since=2025-02-30")
    assert "日付ではないため使っていません: 2025-02-30" in bad_date


def test_the_log_pages_through_entries_keeping_the_filter(app, admin_client, admin):
    start = datetime(2025, 6, 1, tzinfo=UTC)
    for minute in range(130):
        add_entry(app, admin, "grade.add", f"職位{minute:03d}", at=start + timedelta(minutes=minute))
    add_entry(app, admin, "kpi.targets", "P000 R7: 100", at=start)

    first = page_text(admin_client, "/admin/audit?action=grade.add")
    second = page_text(admin_client, "/admin/audit?action=grade.add&page=2")

    assert first.count("<strong>職位を追加</strong>") == 100 and "職位129" in first
    assert second.count("<strong>職位を追加</strong>") == 30 and "職位000" in second
    assert "130件" in first and "1 / 2 ページ" in first
    assert 'href="/admin/audit?page=2&action=grade.add"' in first  # the pager keeps the filter
    assert queries_for(app, admin_client, "/admin/audit?page=2") == queries_for(app, admin_client, "/admin/audit")


def test_the_csv_export_holds_the_filtered_entries_readably_and_formula_safe(app, admin_client, admin):
    add_entry(app, admin, "grade.add", "=HYPERLINK(\"http://evil.example\")")
    add_entry(app, admin, "grant.add", f"user:{admin.id} 900001", permission="admin", unit=None, editor=False)
    add_entry(app, None, "content.sync", "", created=2, updated=1, deactivated=0)

    response = admin_client.get("/admin/audit.csv?action=grade.add")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["日時", "実行者", "操作", "操作コード", "対象", "詳細", "接続元"]
    assert len(rows) == 2
    assert rows[1][1:5] == ["管理 花子 (900001)", "職位を追加", "grade.add", "'=HYPERLINK(\"http://evil.example\")"]

    everything = list(csv.reader(io.StringIO(admin_client.get("/admin/audit.csv").get_data().decode("utf-8-sig"))))
    by_action = {row[3]: row for row in everything[1:]}
    assert by_action["grant.add"][4] == "管理 花子 (900001)"
    assert by_action["grant.add"][5] == "権限: システム管理者; 所属: —; 編集長: なし"
    assert by_action["content.sync"][1:3] == ["コマンドライン", "コースを同期"]
    assert by_action["content.sync"][5] == "登録: 2; 更新: 1"  # a count of zero says nothing


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_only_administrators_read_the_log(client, make_user, path):
    sign_in(client, make_user(permissions=[(Permission.MANAGER, "P100")]))
    assert client.get(path).status_code == 403


def test_deadlines_for_many_courses_at_once_are_saved_and_audited(app):
    """Twelve courses' deadlines in one save: the list goes in the details, not the 200-character target
    (PostgreSQL refused the save when it did)."""
    from datetime import date

    from elearn.models import Course
    from elearn.services.learning import deadlines

    with app.app_context(), db.write_session() as session:
        courses = [Course(slug=f"course-{index:02d}", is_active=True) for index in range(12)]
        session.add_all(courses)
    with app.app_context():
        changes = deadlines.save(None, 2026, {course.id: date(2027, 1, 29) for course in courses})
        entry = db.session().scalar(db_select_audit("deadlines.save"))
    assert len(changes) == 12 and entry.target == "FY2026" and entry.details["changes"] == changes


def db_select_audit(action: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    return select(AuditEntry).where(AuditEntry.action == action)
