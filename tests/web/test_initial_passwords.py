"""Initial passwords handed out as a one-time CSV, and issued again in bulk to accounts never signed in to."""

from __future__ import annotations

import base64
import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from support import PASSWORD, csrf_token_from, sign_in

from elearn import db
from elearn.domain.people import Permission
from elearn.models import AuditEntry, User

HEADER = ["職員番号", "氏名", "メール", "所属コード"]


@pytest.fixture
def admin(make_user):
    return make_user(division="P102", permissions=[(Permission.ADMIN, None)], staff_number="900001")


@pytest.fixture
def admin_client(client, admin):
    sign_in(client, admin)
    return client


def csv_of_page(page: str) -> tuple[str, list[list[str]]]:
    """The file name and rows of the page's in-page CSV download."""
    match = re.search(r'href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)" download="([^"]+)"', page)
    assert match, "no in-page CSV download"
    data = base64.b64decode(match.group(1))
    assert data.startswith(b"\xef\xbb\xbf")
    return match.group(2), list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def passwords_on_page(page: str) -> dict[str, str]:
    """staff number -> password, from the table shown on the page."""
    pattern = r'data-label="職員番号">([^<]+)</td>\s*<td data-label="初期パスワード"><code>([^<]+)</code>'
    return dict(re.findall(pattern, page))


def signs_in_to_change(app, staff_number: str, password: str, body: str = "P000") -> bool:
    response = app.test_client().post("/sign-in", data={"body": body, "sign_in_name": staff_number,
                                                        "password": password})
    return response.status_code == 302 and response.headers["Location"].endswith("/account/password")


def test_a_web_staff_import_offers_the_new_passwords_as_a_formula_safe_csv_in_the_page(app, admin_client):
    rows = [["10001", "=HYPERLINK(\"http://evil.example\",\"x\")", "a@example.lg.jp", "P101"],
            ["10002", "@佐藤 一郎", "", "P102"], ["10003", "山田 花子", "", "P101"]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    preview = admin_client.post("/admin/import/staff", data={"file": (io.BytesIO(buffer.getvalue().encode()), "s.csv")},
                                content_type="multipart/form-data").get_data(as_text=True)
    upload_id = preview.split('name="upload_id" type="hidden" value="')[1].split('"')[0]

    done = admin_client.post("/admin/import/staff/apply", data={"upload_id": upload_id})
    page = html.unescape(done.get_data(as_text=True))

    assert done.headers["Cache-Control"] == "no-store"  # the passwords and the file live only in this response
    filename, table = csv_of_page(page)
    assert filename.startswith("初期パスワード_") and filename.endswith(".csv")
    assert table[0] == ["所属団体", "職員番号", "氏名", "メールアドレス", "初期パスワード", "有効期限"]
    by_number = {row[1]: row for row in table[1:]}
    assert by_number["10001"][2] == "'=HYPERLINK(\"http://evil.example\",\"x\")"  # text, not a formula
    assert by_number["10002"][2] == "'@佐藤 一郎"
    assert by_number["10001"][3] == "a@example.lg.jp" and by_number["10003"][2] == "山田 花子"
    shown = passwords_on_page(page)
    assert {number: row[4] for number, row in by_number.items()} == shown
    assert signs_in_to_change(app, "10003", by_number["10003"][4])
    # Nothing to fetch again: the apply is spent, and no link leads to a stored file.
    assert admin_client.post("/admin/import/staff/apply", data={"upload_id": upload_id}).status_code == 302
    assert not re.search(r'href="/admin/[^"]*(csv|password)[^"]*"', page)


@pytest.fixture
def accounts(app, make_user, admin):
    """Never signed in (prefecture and municipality), signed in once, and a leaver never signed in."""
    people = {
        "fresh": make_user(division="P101", name="未使用 一郎"),
        "municipal": make_user(division="M110", name="市 未使用"),
        "used": make_user(division="P101", name="利用 済子"),
        "leaver": make_user(division="P101", name="退職 者", is_active=False),
    }
    with app.app_context(), db.write_session() as session:
        session.get(User, people["used"].id).last_sign_in_at = datetime(2025, 4, 1, tzinfo=UTC)
    return people


def stored(app, user: User) -> User:
    with app.app_context():
        return db.session().get(User, user.id)


def test_bulk_reissue_renews_only_active_accounts_never_signed_in_and_is_audited(app, admin_client, accounts):
    before = {key: stored(app, user) for key, user in accounts.items()}
    confirm = admin_client.get("/admin/initial-passwords").get_data(as_text=True)
    assert "一度もサインインしていないアカウント: 2件" in confirm

    refused = admin_client.post("/admin/initial-passwords", data={"unit_code": ""})  # not confirmed
    assert refused.status_code == 400
    assert stored(app, accounts["fresh"]).password_hash == before["fresh"].password_hash

    done = admin_client.post("/admin/initial-passwords", data={"unit_code": "", "confirmed_count": "2", "confirm": "y"})
    page = html.unescape(done.get_data(as_text=True))
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    shown = passwords_on_page(page)
    fresh, municipal = accounts["fresh"], accounts["municipal"]
    assert set(shown) == {fresh.staff_number, municipal.staff_number}
    _name, table = csv_of_page(page)
    assert {row[1]: row[4] for row in table[1:]} == shown
    assert signs_in_to_change(app, fresh.staff_number, shown[fresh.staff_number])
    assert signs_in_to_change(app, municipal.staff_number, shown[municipal.staff_number], body="M100")
    assert sign_in(app.test_client(), fresh, PASSWORD).status_code == 200  # the old password is gone
    for key in ("used", "leaver"):
        after = stored(app, accounts[key])
        assert (after.password_hash, after.session_token) == (before[key].password_hash, before[key].session_token)
    with app.app_context():  # one entry per account whose credentials changed
        entries = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "password.reissue")).all()
        assert sorted(entry.target.split()[0] for entry in entries) == sorted(
            [f"user:{fresh.id}", f"user:{municipal.id}"])
    log = html.unescape(admin_client.get("/admin/audit").get_data(as_text=True))
    assert log.count("<strong>初期パスワードを一括再発行</strong>") == 2


def test_bulk_reissue_changes_nothing_when_the_list_changed_since_it_was_confirmed(app, admin_client, accounts,
                                                                                   make_user):
    confirm = admin_client.get("/admin/initial-passwords").get_data(as_text=True)
    assert 'name="confirmed_count" type="hidden" value="2"' in confirm
    newcomer = make_user(division="P101", name="新人 到着")  # another administrator's import, meanwhile
    with app.app_context():
        db.session().execute(update(User).where(User.id == newcomer.id).values(last_sign_in_at=None))
        db.session().commit()
    before = stored(app, accounts["fresh"]).password_hash
    answer = admin_client.post("/admin/initial-passwords", data={"unit_code": "", "confirmed_count": "2",
                                                                  "confirm": "y"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/initial-passwords")
    assert stored(app, accounts["fresh"]).password_hash == before
    again = html.unescape(admin_client.get("/admin/initial-passwords").get_data(as_text=True))
    assert "今は3件" in again and "一度もサインインしていないアカウント: 3件" in again


def test_bulk_reissue_can_be_limited_to_a_body(app, admin_client, accounts):
    confirm = admin_client.get("/admin/initial-passwords?unit=M100").get_data(as_text=True)
    assert "一度もサインインしていないアカウント: 1件" in confirm
    assert 'name="unit_code" type="hidden" value="M100"' in confirm

    page = admin_client.post("/admin/initial-passwords", data={"unit_code": "M100", "confirmed_count": "1",
                                                                "confirm": "y"}).get_data(as_text=True)

    assert set(passwords_on_page(page)) == {accounts["municipal"].staff_number}
    assert stored(app, accounts["fresh"]).must_change_password is False  # outside the body: untouched
    unknown = admin_client.get("/admin/initial-passwords?unit=NOPE").get_data(as_text=True)
    assert "そのコードの所属は存在しません。" in unknown
    assert 'action="/admin/initial-passwords"' not in unknown


def test_bulk_reissue_needs_the_csrf_token(app, make_app, admin, accounts):
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    page = guarded.get("/sign-in").get_data(as_text=True)
    sign_in(guarded, admin, csrf_token=csrf_token_from(page))
    assert guarded.post("/admin/initial-passwords", data={"confirm": "y"}).status_code == 400
    assert stored(app, accounts["fresh"]).must_change_password is False


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_administrators_reissue(client, make_user, method):
    sign_in(client, make_user(permissions=[(Permission.MANAGER, "P100")]))
    assert getattr(client, method)("/admin/initial-passwords", data={"confirm": "y"}).status_code == 403
