"""Organisation and staff import through the service, the command line and the web pages."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select
from support import sign_in

from elearn import db
from elearn.domain.people import Permission, Tier
from elearn.models import AuditEntry, OrgUnit, User
from elearn.services.people import importer

HEADER = ["職員番号", "氏名", "ふりがな", "メール", "所属コード", "職位", "研修区分"]
GOOD_ROWS = [
    ["１０００１", "髙橋 﨑子", "たかはし さきこ", "Takahashi@Example.lg.jp", "P101", "課長級",
     "DXマネージャー、デジタル化リーダー"],
    ["10002", "佐藤 一郎", "さとう いちろう", "", "P102", "主任・主事級", "dx_specialist"],
    ["20001", "市 花子", "いち はなこ", "hanako@city.example.lg.jp", "M110", "新規採用", ""],
]


def staff_csv(rows: list[list[str]], encoding: str = "utf-8", header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def staff_count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(User))


@pytest.fixture
def admin(make_user):
    return make_user(division="P102", permissions=[(Permission.ADMIN, None)], staff_number="900001")


def test_a_cp932_staff_list_is_imported_with_names_exactly_as_written(app, org):
    with app.app_context():
        result = importer.apply_staff_import(staff_csv(GOOD_ROWS, "cp932"), "staff.csv", None)
        assert result.plan.summary()["create"] == 3
        user = db.session().scalars(select(User).where(User.staff_number == "10001")).one()
        assert user.name == "髙橋 﨑子"
        assert user.email == "takahashi@example.lg.jp"
        assert user.tiers == {Tier.ALL_STAFF, Tier.DX_MANAGER, Tier.DIGITAL_LEADER}
        assert user.must_change_password and user.password_expires_at is not None
        municipal = db.session().scalars(select(User).where(User.staff_number == "20001")).one()
        assert municipal.body.code == "M100"
        assert [p.staff_number for p in result.initial_passwords] == ["10001", "10002", "20001"]
        audit = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "import.staff")).one()
        assert audit.details["create"] == 3


def test_imported_accounts_sign_in_with_their_initial_password_and_must_change_it(app, client, org):
    with app.app_context():
        result = importer.apply_staff_import(staff_csv(GOOD_ROWS), "staff.csv", None)
    first = result.initial_passwords[0]
    response = client.post("/sign-in", data={"body": "P000", "sign_in_name": first.staff_number,
                                             "password": first.password})
    assert response.headers["Location"].endswith("/account/password")


def test_reimporting_the_same_file_changes_nothing(app, org):
    data = staff_csv(GOOD_ROWS, "utf-8-sig")
    with app.app_context():
        importer.apply_staff_import(data, "staff.csv", None)
        before = {u.id: (u.updated_at, u.session_token) for u in db.session().scalars(select(User))}
    with app.app_context():
        again = importer.apply_staff_import(data, "staff.csv", None)
        assert not again.plan.has_changes
        assert again.plan.unchanged == 3
        assert again.initial_passwords == []
        after = {u.id: (u.updated_at, u.session_token) for u in db.session().scalars(select(User))}
        assert after == before
        assert db.session().scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_a_file_with_one_bad_row_changes_nothing(app, org):
    rows = [*GOOD_ROWS, ["10003", "山田 太郎", "", "", "NOPE", "課長級", ""]]
    with app.app_context():
        with pytest.raises(importer.ImportRejected) as rejected:
            importer.apply_staff_import(staff_csv(rows), "staff.csv", None)
        assert [(e.line, "NOPE" in e.message) for e in rejected.value.plan.errors] == [(5, True)]
    assert staff_count(app) == 0


def test_moves_and_deactivation_only_within_the_bodies_the_file_covers(app, org, make_user):
    with app.app_context():
        importer.apply_staff_import(staff_csv(GOOD_ROWS), "staff.csv", None)
    leaver = make_user(division="P201", staff_number="10009")
    municipal_colleague = make_user(division="M110", staff_number="20009")
    moved = [row[:] for row in GOOD_ROWS[:2]]
    moved[1][4] = "P201"  # 佐藤 moves to 健康政策課
    with app.app_context():
        plan = importer.preview_staff_import(staff_csv(moved), "april.csv", deactivate_missing=True)
        assert [u.row.staff_number for u in plan.moves] == ["10002"]
        assert {s.staff_number for s in plan.deactivations} == {leaver.staff_number}
        importer.apply_staff_import(staff_csv(moved), "april.csv", None, deactivate_missing=True)
        session = db.session()
        assert session.get(User, leaver.id).is_active is False
        assert session.get(User, municipal_colleague.id).is_active is True
        sato = session.scalars(select(User).where(User.staff_number == "10002")).one()
        assert sato.division.code == "P201"


def test_without_deactivate_missing_nobody_is_deactivated(app, org, make_user):
    stays = make_user(division="P201")
    with app.app_context():
        importer.apply_staff_import(staff_csv(GOOD_ROWS[:1]), "partial.csv", None)
        assert db.session().get(User, stays.id).is_active is True


def test_org_import_creates_the_tree_and_a_rename_keeps_the_code(app):
    tree = (
        "所属コード,所属名,上位所属コード,種別\r\n"
        "X000,やまなみ町,,市区町村\r\nX110,総務課,X100,課室\r\nX100,町長部局,X000,部局\r\n"
    )
    with app.app_context():
        plan = importer.apply_org_import(tree.encode("cp932"), "orgs.csv", None)
        assert plan.summary()["create"] == 3
        unit_id = db.session().scalars(select(OrgUnit.id).where(OrgUnit.code == "X110")).one()
    renamed = tree.replace("X110,総務課", "X110,総務企画課")
    with app.app_context():
        plan = importer.apply_org_import(renamed.encode("utf-8"), "orgs.csv", None)
        assert [r.new_name for r in plan.renames] == ["総務企画課"]
        unit = db.session().get(OrgUnit, unit_id)
        assert unit.name == "総務企画課" and unit.parent.code == "X100"


def test_many_initial_passwords_are_hashed_outside_the_write_transaction(app, client, org, monkeypatch):
    """Half a millisecond each, minutes for a whole prefecture: under the write transaction (SQLite's one write lock)
    every quiz submit of the site would wait. A few are hashed inside it; past the limit, outside."""
    in_transaction = []
    real_hash = importer.hash_random_password

    def recording_hash(password: str) -> str:
        in_transaction.append(db.session().in_transaction())
        return real_hash(password)

    monkeypatch.setattr(importer, "hash_random_password", recording_hash)
    monkeypatch.setattr(importer, "HASHED_IN_TRANSACTION", 2)
    with app.app_context():
        result = importer.apply_staff_import(staff_csv(GOOD_ROWS), "staff.csv", None)
    assert in_transaction == [False, False, False] and len(result.initial_passwords) == 3
    first = result.initial_passwords[0]
    signed_in = client.post("/sign-in", data={"body": "P000", "sign_in_name": first.staff_number,
                                              "password": first.password})
    assert signed_in.headers["Location"].endswith("/account/password")

    in_transaction.clear()
    with app.app_context():  # two new people: within the limit, hashed in the transaction, the file planned once
        rows = [["30001", "新人 一", "しんじん はじめ", "", "P101", "", ""],
                ["30002", "新人 二", "しんじん ふたば", "", "P101", "", ""]]
        assert len(importer.apply_staff_import(staff_csv(rows), "staff.csv", None).initial_passwords) == 2
    assert in_transaction == [True, True]


def test_command_line_dry_run_shows_the_plan_and_changes_nothing(app, runner, org, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(staff_csv(GOOD_ROWS, "cp932"))
    result = runner.invoke(args=["import-staff", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "create: 3" in result.output and "dry run" in result.output
    assert staff_count(app) == 0
    out = tmp_path / "passwords.csv"
    applied = runner.invoke(args=["import-staff", str(path), "--passwords-out", str(out)])
    assert applied.exit_code == 0, applied.output
    assert staff_count(app) == 3
    assert "髙橋 﨑子" in out.read_text(encoding="utf-8-sig")
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    again = runner.invoke(args=["import-staff", str(path)])
    assert "nothing to change" in again.output


def test_command_line_reports_bad_rows_by_line_and_exits_non_zero(app, runner, org, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(staff_csv([*GOOD_ROWS, ["", "名無し", "", "", "P101", "", ""]]))
    result = runner.invoke(args=["import-staff", str(path)])
    assert result.exit_code != 0
    assert "5行目" in result.output
    assert staff_count(app) == 0


def test_web_import_shows_the_plan_then_applies_it_once(app, client, org, admin):
    sign_in(client, admin)
    upload = client.post("/admin/import/staff", data={
        "file": (io.BytesIO(staff_csv(GOOD_ROWS, "utf-8-sig")), "staff.csv")},
        content_type="multipart/form-data")
    page = upload.get_data(as_text=True)
    assert upload.status_code == 200
    assert "髙橋 﨑子" in page
    assert staff_count(app) == 1  # only the admin
    upload_id = page.split('name="upload_id" type="hidden" value="')[1].split('"')[0]
    applied = client.post("/admin/import/staff/apply", data={"upload_id": upload_id, "deactivate_missing": ""})
    assert applied.status_code == 200
    assert "初期パスワード" in applied.get_data(as_text=True)
    assert staff_count(app) == 4
    replay = client.post("/admin/import/staff/apply", data={"upload_id": upload_id, "deactivate_missing": ""})
    assert replay.status_code == 302  # the pending file is gone: nothing applied twice
    assert staff_count(app) == 4


def test_web_import_lists_bad_rows_and_offers_no_apply_button(app, client, org, admin):
    sign_in(client, admin)
    rows = [*GOOD_ROWS, ["10004", "鈴木 次郎", "", "bad-email", "P101", "大臣級", "宇宙飛行士"]]
    upload = client.post("/admin/import/staff", data={"file": (io.BytesIO(staff_csv(rows)), "staff.csv")},
                         content_type="multipart/form-data")
    page = upload.get_data(as_text=True)
    assert "大臣級" in page and "宇宙飛行士" in page and "bad-email" in page
    assert "/admin/import/staff/apply" not in page
    assert staff_count(app) == 1


def test_a_file_with_the_same_mistake_in_every_row_reads_as_one_problem_with_a_short_list(app, client, org, admin):
    """A whole prefecture's file with a wrong column would list 300,000 rows (85 MB of HTML): each kind of problem
    is said once with its count, and the row-by-row list stops at 500."""
    sign_in(client, admin)
    wrong_tier = [[f"3{i:05d}", f"試験 {i}", "しけん", "", "P101", "", "4"] for i in range(600)]
    unknown_units = [[f"4{i:05d}", f"試験 {i}", "しけん", "", f"X{i}", "", ""] for i in range(3)]
    upload = client.post("/admin/import/staff", data={
        "file": (io.BytesIO(staff_csv([*wrong_tier, *GOOD_ROWS, *unknown_units])), "staff.csv")},
        content_type="multipart/form-data")
    page = upload.get_data(as_text=True)
    kinds = page.split('class="data stack import-error-kinds"', 1)[1].split("</table>", 1)[0]
    rows = [row for row in kinds.split("<tr>")[2:]]
    assert len(rows) == 2
    assert "研修区分「4」" in rows[0] and ">600<" in rows[0] and "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …" in rows[0]
    assert "X0" in rows[1] and ">3<" in rows[1] and "605, 606, 607<" in rows[1]
    by_row = page.split('class="data stack import-errors"', 1)[1].split("</table>", 1)[0]
    assert by_row.count("<tr>") == 1 + 500  # the header and the first 500 rows
    assert "ほかに 103 行に問題があります" in page
    assert "/admin/import/staff/apply" not in page and staff_count(app) == 1


def test_a_few_bad_rows_are_listed_without_the_kinds(client, org, admin):
    sign_in(client, admin)
    rows = [*GOOD_ROWS, ["10004", "鈴木 次郎", "", "", "P101", "", "宇宙飛行士"]]
    page = client.post("/admin/import/staff", data={"file": (io.BytesIO(staff_csv(rows)), "staff.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "import-errors" in page and "import-error-kinds" not in page and "ほかに" not in page


def test_web_import_refuses_other_file_types_clearly(client, org, admin):
    sign_in(client, admin)
    upload = client.post("/admin/import/staff", data={"file": (io.BytesIO(b"%PDF-1.4"), "staff.pdf")},
                         content_type="multipart/form-data")
    page = upload.get_data(as_text=True)
    assert "CSVまたはXLSXファイルを選択してください。" in page  # the field's error, not the page's hints
    assert "/admin/import/staff/apply" not in page


def test_another_admin_cannot_apply_my_pending_upload(app, client, org, admin, make_user):
    sign_in(client, admin)
    upload = client.post("/admin/import/staff", data={"file": (io.BytesIO(staff_csv(GOOD_ROWS)), "s.csv")},
                         content_type="multipart/form-data")
    upload_id = upload.get_data(as_text=True).split('name="upload_id" type="hidden" value="')[1].split('"')[0]
    other_admin = make_user(division="P101", permissions=[(Permission.ADMIN, None)])
    other = app.test_client()
    sign_in(other, other_admin)
    response = other.post("/admin/import/staff/apply", data={"upload_id": upload_id})
    assert response.status_code == 302
    assert staff_count(app) == 2


def test_web_org_import_previews_and_applies_the_tree(app, client, org, admin):
    sign_in(client, admin)
    tree = "code,name,parent_code,kind\r\nP300,デジタル戦略部,P000,department\r\nP301,DX推進課,P300,division\r\n"
    upload = client.post("/admin/import/orgs", data={"file": (io.BytesIO(tree.encode()), "orgs.csv")},
                         content_type="multipart/form-data")
    page = upload.get_data(as_text=True)
    assert "デジタル戦略部" in page and "みどり県" in page  # the parent is shown by name
    upload_id = page.split('name="upload_id" type="hidden" value="')[1].split('"')[0]
    done = client.post("/admin/import/orgs/apply", data={"upload_id": upload_id})
    assert done.status_code == 200
    with app.app_context():
        unit = db.session().scalars(select(OrgUnit).where(OrgUnit.code == "P301")).one()
        assert unit.parent.name == "デジタル戦略部"


def test_an_oversized_upload_gets_a_clear_japanese_error(app, client, org, admin):
    app.config["IMPORT_UPLOAD_LIMIT"] = 1024  # the import route's own limit (64 MB in production)
    sign_in(client, admin)
    response = client.post("/admin/import/staff", data={"file": (io.BytesIO(b"x" * 4096), "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "大きすぎます" in response.get_data(as_text=True)


def test_an_unreadable_file_is_explained_and_changes_nothing(app, client, org, admin):
    sign_in(client, admin)
    upload = client.post("/admin/import/staff", data={"file": (io.BytesIO(b"\xff\xfe\x00garbage\x81"), "s.csv")},
                         content_type="multipart/form-data")
    page = upload.get_data(as_text=True)
    assert "/admin/import/staff/apply" not in page
    assert "UTF-16 には対応していません" in page  # the file's problem, in the plan's list of bad rows
    assert staff_count(app) == 1


def upload_id_of(page: str) -> str:
    return page.split('name="upload_id" type="hidden" value="')[1].split('"')[0]


@pytest.mark.parametrize("previewed", [False, True])
def test_web_apply_does_exactly_what_was_previewed_whatever_is_posted(app, client, org, admin, make_user,
                                                                        previewed):
    not_in_file = make_user(division="P201", staff_number="10009")
    sign_in(client, admin)
    form = {"file": (io.BytesIO(staff_csv(GOOD_ROWS)), "staff.csv")}
    if previewed:
        form["deactivate_missing"] = "y"
    page = client.post("/admin/import/staff", data=form, content_type="multipart/form-data").get_data(as_text=True)
    assert (not_in_file.name in page) is previewed  # listed under "deactivated" only when asked for
    assert ("この一覧にない職員は利用停止になります" in page) is previewed
    assert "deactivate_missing" not in page.split("<form")[-1]  # the apply form does not carry the option
    # A tampered or stale apply form says the opposite of the preview; the stored preview wins.
    applied = client.post("/admin/import/staff/apply", data={
        "upload_id": upload_id_of(page), "deactivate_missing": "" if previewed else "1"})
    assert applied.status_code == 200
    with app.app_context():
        assert db.session().get(User, not_in_file.id).is_active is (not previewed)
        assert db.session().get(User, admin.id).is_active is (not previewed)  # P102, not in the file either


def test_the_initial_passwords_csv_keeps_formula_like_names_as_text(app, runner, org, tmp_path):
    hostile = ['=HYPERLINK("http://evil.example/","開く")', "+1+2", "-3", "@SUM(A1)", "＝危険"]
    rows = [[f"3000{i}", name, "", "", "P101", "", ""] for i, name in enumerate(hostile)]
    rows.append(["30009", "普通 太郎", "", "", "P101", "", ""])
    path, out = tmp_path / "staff.csv", tmp_path / "passwords.csv"
    path.write_bytes(staff_csv(rows))
    result = runner.invoke(args=["import-staff", str(path), "--passwords-out", str(out)])
    assert result.exit_code == 0, result.output
    written = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    names = {row[1]: row[2] for row in written[1:]}
    assert names == {**{f"3000{i}": "'" + name for i, name in enumerate(hostile)}, "30009": "普通 太郎"}
    with app.app_context():  # the names themselves are stored as written
        stored = set(db.session().scalars(select(User.name).where(User.staff_number.like("3000%"))))
    assert stored == {*hostile, "普通 太郎"}
    passwords = [row[4] for row in written[1:]]
    assert all(password.isalnum() and not password.startswith("'") for password in passwords)


@pytest.mark.parametrize("flag", [True, False])
def test_command_line_deactivates_staff_missing_from_the_file_only_when_asked(app, runner, org, make_user,
                                                                              tmp_path, flag):
    with app.app_context():
        importer.apply_staff_import(staff_csv(GOOD_ROWS), "staff.csv", None)
    leaver = make_user(division="P201", staff_number="10009")
    municipal_colleague = make_user(division="M110", staff_number="20009")  # a body the file does not cover
    path = tmp_path / "april.csv"
    path.write_bytes(staff_csv(GOOD_ROWS[:2]))  # the prefecture's full list, without the leaver
    result = runner.invoke(args=["import-staff", str(path), *(["--deactivate-missing"] if flag else [])])
    assert result.exit_code == 0, result.output
    assert f"deactivate: {1 if flag else 0}" in result.output
    with app.app_context():
        session = db.session()
        assert session.get(User, leaver.id).is_active is (not flag)
        assert session.get(User, municipal_colleague.id).is_active is True
        assert session.scalars(select(User).where(User.staff_number == "10001")).one().is_active is True


def test_a_database_failure_in_the_middle_of_an_apply_keeps_nothing(app, org, make_user):
    from sqlalchemy import event

    with app.app_context():
        importer.apply_staff_import(staff_csv(GOOD_ROWS), "staff.csv", None)
    leaver = make_user(division="P201", staff_number="10009")
    changed = [row[:] for row in GOOD_ROWS[:2]]
    changed[0][1] = "髙橋 﨑子（改姓）"  # an update
    changed[1][4] = "P201"  # a move
    changed.append(["10005", "新人 一号", "", "", "P101", "", "dx_specialist"])  # a create, with a tier
    before = import_state(app)
    statements: list[str] = []
    written_before_the_failure: list[tuple] = []

    def fail_on_the_audit_entry(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement.split("(")[0].strip())
        if statement.startswith("INSERT INTO audit_entries"):
            # The new account and its tier went in by a path of the driver's own on PostgreSQL (COPY), which
            # this hook does not see: read them back in the same transaction.
            written_before_the_failure.append(tuple(cursor.connection.execute(
                "SELECT users.name, staff_tiers.tier FROM users JOIN staff_tiers ON staff_tiers.user_id = users.id"
                " WHERE users.staff_number = '10005'").fetchall()))
            raise RuntimeError("the database went away")

    engine = app.extensions["elearn.engine"]
    event.listen(engine, "before_cursor_execute", fail_on_the_audit_entry)
    try:
        with app.app_context(), pytest.raises(RuntimeError, match="went away"):
            importer.apply_staff_import(staff_csv(changed), "april.csv", None, deactivate_missing=True)
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_the_audit_entry)
    # It failed last: the updates, the deactivation, the new account and its tier had been written.
    assert "UPDATE users SET" in " ".join(statements)
    assert written_before_the_failure == [(("新人 一号", "dx_specialist"),)]
    assert import_state(app) == before
    with app.app_context():
        assert db.session().get(User, leaver.id).is_active is True


def import_state(app) -> tuple:
    """Everything an import may change: staff, their tiers and the audit log."""
    from elearn.models import StaffTier

    with app.app_context():
        session = db.session()
        staff = sorted(session.execute(select(User.staff_number, User.name, User.division_id, User.is_active,
                                              User.session_token)).all())
        tiers = sorted(session.execute(select(StaffTier.user_id, StaffTier.tier)).all())
        audit = session.scalar(select(func.count()).select_from(AuditEntry))
    return staff, tiers, audit


def test_an_administrator_may_upload_a_file_of_a_whole_prefecture_larger_than_other_requests(make_app, org, admin):
    from support import sign_in

    # Scaled down (20 MB and 64 MB in production): a 10 kB file is over every other request's limit.
    app = make_app(MAX_CONTENT_LENGTH=2_000, IMPORT_UPLOAD_LIMIT=50_000)
    client = app.test_client()
    sign_in(client, admin)
    rows = [[f"{30000 + n}", f"職員 {n}", "", "", "P101", "", ""] for n in range(200)]
    answer = client.post("/admin/import/staff", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(staff_csv(rows)), "staff.csv")})
    assert answer.status_code == 200 and "200" in answer.get_data(as_text=True)
    too_big = staff_csv(rows * 10)
    assert len(too_big) > 50_000
    assert client.post("/admin/import/staff", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(too_big), "staff.csv")}).status_code == 413
