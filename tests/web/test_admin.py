"""Administrators: password resets, deactivation, permissions and the audit log."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from support import PASSWORD, sign_in

from elearn import db
from elearn.clock import TOKYO
from elearn.domain.fiscal import fiscal_year, fiscal_year_label_ja
from elearn.domain.people import Permission
from elearn.models import Course
from elearn.services.learning import deadlines


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(division="P102", permissions=[(Permission.ADMIN, None)], name="管理 者")
    sign_in(client, admin)
    return client


def test_temporary_password_is_shown_once_and_must_be_changed(app, admin_client, make_user):
    member = make_user(name="対象 職員")
    page = admin_client.post(f"/admin/staff/{member.id}/temporary-password").get_data(as_text=True)
    password = re.search(r"<code>([^<]+)</code>", page).group(1)
    other = app.test_client()
    response = other.post("/sign-in", data={"body": "P000", "sign_in_name": member.staff_number,
                                            "password": password})
    assert response.headers["Location"].endswith("/account/password")
    assert sign_in(app.test_client(), member, PASSWORD).status_code == 200  # the old one is gone


def test_reset_link_works_once(app, admin_client, make_user):
    member = make_user()
    page = admin_client.post(f"/admin/staff/{member.id}/reset-link").get_data(as_text=True)
    link = re.search(r"<code>https?://[^/]+(/password-reset/[^<]+)</code>", page).group(1)
    visitor = app.test_client()
    assert visitor.get(link).status_code == 200
    done = visitor.post(link, data={"new_password": "fresh-start-2025", "confirm": "fresh-start-2025"})
    assert done.status_code == 302
    assert visitor.get(link).status_code == 404
    assert sign_in(app.test_client(), member, "fresh-start-2025").status_code == 302


def test_deactivation_ends_the_session_and_keeps_the_account(app, admin_client, make_user):
    member = make_user(name="退職 予定")
    member_client = app.test_client()
    sign_in(member_client, member)
    assert member_client.get("/").status_code == 200
    admin_client.post(f"/admin/staff/{member.id}/active", data={"active": "0"})
    assert member_client.get("/").status_code == 302
    assert sign_in(app.test_client(), member).status_code == 200
    listing = admin_client.get("/admin/staff?q=退職").get_data(as_text=True)
    assert "退職 予定" in listing  # never deleted
    assert "退職 予定" in admin_client.get("/admin/staff?q=退職\u3000予定").get_data(as_text=True)  # either space
    assert "退職 予定" not in admin_client.get("/admin/staff?q=退職 未定").get_data(as_text=True)
    assert "退職 予定" not in admin_client.get("/admin/staff?q=%").get_data(as_text=True)  # no wildcard


def test_granting_manager_needs_a_real_unit_and_shows_in_the_audit_log(admin_client, make_user):
    member = make_user(name="新任 課長")
    bad = admin_client.post(f"/admin/staff/{member.id}/grants", data={"permission": "manager", "unit_code": "ZZZ"},
                            follow_redirects=True)
    assert "コード" in bad.get_data(as_text=True)
    admin_client.post(f"/admin/staff/{member.id}/grants", data={"permission": "manager", "unit_code": "P100"})
    detail = admin_client.get(f"/admin/staff/{member.id}").get_data(as_text=True)
    assert "総務部" in detail
    audit = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "権限を付与" in audit and "管理 者" in audit


def test_a_reporter_grant_must_name_a_body(admin_client, make_user):
    member = make_user()
    response = admin_client.post(f"/admin/staff/{member.id}/grants",
                                 data={"permission": "reporter", "unit_code": "P101"}, follow_redirects=True)
    assert "集計担当は団体全体が対象です" in response.get_data(as_text=True)
    assert "人事課 (P101)" not in admin_client.get(f"/admin/staff/{member.id}").get_data(as_text=True)
    admin_client.post(f"/admin/staff/{member.id}/grants", data={"permission": "reporter", "unit_code": "M100"})
    assert "みどり市" in admin_client.get(f"/admin/staff/{member.id}").get_data(as_text=True)


def test_an_admin_cannot_deactivate_themselves(admin_client):
    page = admin_client.get("/admin/staff").get_data(as_text=True)
    own_id = re.search(r'href="/admin/staff/(\d+)">管理 者', page).group(1)
    admin_client.post(f"/admin/staff/{own_id}/active", data={"active": "0"})
    assert admin_client.get("/admin/").status_code == 200


def test_an_author_grant_can_carry_the_editor_flag_which_opens_approval(app, admin_client, make_user):
    writer, editor = make_user(name="執筆 者"), make_user(name="編集 者")
    admin_client.post(f"/admin/staff/{writer.id}/grants", data={"permission": "author"})
    admin_client.post(f"/admin/staff/{editor.id}/grants", data={"permission": "author", "editor": "y"})
    admin_client.post(f"/admin/staff/{writer.id}/grants", data={"permission": "reporter", "unit_code": "P000",
                                                                 "editor": "y"})  # ignored outside author grants
    assert "(編集長)" in admin_client.get(f"/admin/staff/{editor.id}").get_data(as_text=True)
    assert "(編集長)" not in admin_client.get(f"/admin/staff/{writer.id}").get_data(as_text=True)
    for person, is_editor in ((writer, False), (editor, True)):
        studio = app.test_client()
        sign_in(studio, person)
        assert ("編集長" in studio.get("/magazine/studio/").get_data(as_text=True).split("</h1>")[0]) is is_editor


# --- course deadlines -------------------------------------------------------------------------------------------


def test_course_deadlines_are_set_changed_cleared_and_refused_when_not_dates(synced, admin_client, make_user):
    today = datetime.now(TOKYO).date()
    year, yesterday = fiscal_year(today), today - timedelta(days=1)
    with synced.app_context():
        course_id = db.session().scalar(select(Course.id).where(Course.slug == "sample-course"))

    def stored() -> dict:
        with synced.app_context():
            return deadlines.for_year(year)

    page = admin_client.get(f"/admin/deadlines?fiscal_year={year}").get_data(as_text=True)
    assert fiscal_year_label_ja(year) in page and "テスト用コース" in page and f'name="due-{course_id}"' in page
    saved = admin_client.post(f"/admin/deadlines?fiscal_year={year}", data={f"due-{course_id}": yesterday.isoformat()})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/admin/deadlines?fiscal_year={year}")
    assert stored() == {course_id: yesterday}
    shown = admin_client.get(f"/admin/deadlines?fiscal_year={year}").get_data(as_text=True)
    assert f'value="{yesterday.isoformat()}"' in shown
    # The deadline reaches the team pages: a member who has not completed is overdue.
    make_user(division="P101", name="期限 切れ")
    team = admin_client.get("/team/?status=overdue").get_data(as_text=True)
    assert "期限 切れ" in team

    refused = admin_client.post(f"/admin/deadlines?fiscal_year={year}", data={f"due-{course_id}": "2025-02-30"})
    assert refused.status_code == 400 and "日付ではありません" in refused.get_data(as_text=True)
    assert 'value="2025-02-30"' in refused.get_data(as_text=True)  # what was typed is kept
    assert stored() == {course_id: yesterday}  # nothing saved

    cleared = admin_client.post(f"/admin/deadlines?fiscal_year={year}", data={f"due-{course_id}": ""})
    assert cleared.status_code == 302 and stored() == {}
    assert "期限 切れ" not in admin_client.get("/team/?status=overdue").get_data(as_text=True)


def test_only_administrators_set_deadlines(synced, client, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")])
    sign_in(client, manager)
    assert client.get("/admin/deadlines").status_code == 403
    assert client.post("/admin/deadlines", data={}).status_code == 403
