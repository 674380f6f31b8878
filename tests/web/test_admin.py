"""Administrators: password resets, deactivation, permissions and the audit log."""

from __future__ import annotations

import re

import pytest
from support import PASSWORD, sign_in

from elearn.domain.people import Permission


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


def test_granting_manager_needs_a_real_unit_and_shows_in_the_audit_log(admin_client, make_user):
    member = make_user(name="新任 課長")
    bad = admin_client.post(f"/admin/staff/{member.id}/grants", data={"permission": "manager", "unit_code": "ZZZ"},
                            follow_redirects=True)
    assert "コード" in bad.get_data(as_text=True)
    admin_client.post(f"/admin/staff/{member.id}/grants", data={"permission": "manager", "unit_code": "P100"})
    detail = admin_client.get(f"/admin/staff/{member.id}").get_data(as_text=True)
    assert "総務部" in detail
    audit = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "grant.add" in audit and "管理 者" in audit


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
    assert "(マガジン編集者)" in admin_client.get(f"/admin/staff/{editor.id}").get_data(as_text=True)
    assert "(マガジン編集者)" not in admin_client.get(f"/admin/staff/{writer.id}").get_data(as_text=True)
    for person, is_editor in ((writer, False), (editor, True)):
        studio = app.test_client()
        sign_in(studio, person)
        assert ("編集者" in studio.get("/magazine/studio/").get_data(as_text=True).split("</h1>")[0]) is is_editor
