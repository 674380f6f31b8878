"""Large import files applied by the worker: the preview says so, the apply step queues a run, its page follows it."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from support import sign_in
from test_history_import import completions, history_file, staff  # noqa: F401 (staff: a fixture, used by name)
from test_import import GOOD_ROWS, staff_count, staff_csv
from test_initial_passwords import passwords_on_page, signs_in_to_change

from elearn import db, jobs
from elearn.domain.notices import NoticeKind
from elearn.domain.people import Permission
from elearn.models import AuditEntry, ImportRun, ImportRunState, Notice, OutboxMessage, User

NEW_NUMBERS = ("10001", "10002", "20001")


@pytest.fixture
def app(make_app):
    # Three rows are "large" here; the default is 20,000.
    return make_app(IMPORT_QUEUED_ROWS=2)


@pytest.fixture
def admin(make_user):
    return make_user(division="P102", permissions=[(Permission.ADMIN, None)], staff_number="900001", name="管理 者")


def preview(client, rows=GOOD_ROWS) -> tuple[str, str]:
    page = client.post("/admin/import/staff", data={"file": (io.BytesIO(staff_csv(rows)), "職員.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    return page, page.split('name="upload_id" type="hidden" value="')[1].split('"')[0]


def queue_run(client) -> int:
    _page, upload_id = preview(client)
    response = client.post("/admin/import/staff/apply", data={"upload_id": upload_id})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def run_worker(app, run_id: int) -> str:
    return jobs.task("apply_import", app).call_local(run_id)


def run_of(app, run_id: int) -> ImportRun:
    with app.app_context():
        return db.session().get(ImportRun, run_id)


def test_a_large_staff_file_is_queued_applied_by_the_worker_and_followed_on_its_page(app, client, org, admin):
    sign_in(client, admin)
    page, upload_id = preview(client)
    assert "バックグラウンドで反映します" in page and "この内容でバックグラウンド反映" in page
    assert "初期パスワードを発行しません" in page  # said before the button, not after
    assert "data-busy" not in page.split('action="/admin/import/staff/apply"', 1)[1].split(">", 1)[0]

    response = client.post("/admin/import/staff/apply", data={"upload_id": upload_id})
    assert response.status_code == 302 and "/admin/import/runs/" in response.headers["Location"]
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert staff_count(app) == 1  # nothing applied in the request
    assert [(task.name, task.args) for task in jobs.queue(app).pending()] == [("apply_import", (run_id,))]
    waiting = client.get(f"/admin/import/runs/{run_id}").get_data(as_text=True)
    assert "処理待ち" in waiting and f'data-checking="/admin/import/runs/{run_id}/state"' in waiting
    assert client.get(f"/admin/import/runs/{run_id}/state").json == {"checking": True, "state": "queued"}
    listed = client.get("/admin/import/staff").get_data(as_text=True)
    assert "バックグラウンドで反映した大きなファイル" in listed and "職員.csv" in listed and "処理待ち" in listed
    assert "data-checking" not in listed  # a reload would drop a file being sent

    assert run_worker(app, run_id) == "done"
    assert staff_count(app) == 4
    with app.app_context():
        created = db.session().scalars(select(User).where(User.staff_number.in_(NEW_NUMBERS))).all()
        assert len(created) == 3 and all(user.password_hash is None for user in created)
        audit = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "import.staff")).one()
        assert audit.actor_id == admin.id and audit.details["create"] == 3 and audit.details["issue_passwords"] is False
    assert client.get(f"/admin/import/runs/{run_id}/state").json == {"checking": False, "state": "done"}
    done = client.get(f"/admin/import/runs/{run_id}").get_data(as_text=True)
    assert "反映済み" in done and "data-checking" not in done
    assert "<strong>3</strong>登録" in done
    client.set_cookie("elearn_lang", "en")  # the same process, now in English: the labels follow
    assert "<strong>3</strong>created" in client.get(f"/admin/import/runs/{run_id}").get_data(as_text=True)
    client.set_cookie("elearn_lang", "ja")
    assert "新しい 3 件のアカウントにはまだ初期パスワードがなく" in done and 'href="/admin/initial-passwords"' in done

    # The stored file went with the run: the same upload cannot be applied twice.
    again = client.post("/admin/import/staff/apply", data={"upload_id": upload_id})
    assert again.status_code == 302 and "/admin/import/staff" in again.headers["Location"]


def test_the_new_accounts_get_their_passwords_from_the_reissue_page(app, client, org, admin):
    sign_in(client, admin)
    run_worker(app, queue_run(client))
    confirm = client.get("/admin/initial-passwords?unit=P100").get_data(as_text=True)
    assert "一度もサインインしていないアカウント: 2件" in confirm  # 総務部's two new accounts
    page = client.post("/admin/initial-passwords", data={"unit_code": "P100", "confirmed_count": "2",
                                                          "confirm": "y"}).get_data(as_text=True)
    shown = passwords_on_page(page)
    assert set(shown) == {"10001", "10002"}
    assert signs_in_to_change(app, "10001", shown["10001"])


def test_a_large_past_training_file_is_applied_in_the_background(app, client, admin, staff):  # noqa: F811
    sign_in(client, admin)
    page = client.post("/admin/import/history", data={"file": (io.BytesIO(history_file(staff)), "履歴.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "バックグラウンドで反映します" in page and "初期パスワード" not in page
    upload_id = page.split('name="upload_id" type="hidden" value="')[1].split('"')[0]
    run_id = int(client.post("/admin/import/history/apply", data={"upload_id": upload_id})
                 .headers["Location"].rsplit("/", 1)[1])
    assert completions(app) == 0
    assert run_worker(app, run_id) == "done"
    assert completions(app) == 1000
    done = client.get(f"/admin/import/runs/{run_id}").get_data(as_text=True)
    assert "<strong>1000</strong>" in done and 'href="/admin/history-imports/"' in done
    assert "履歴.csv" in client.get("/admin/history-imports/").get_data(as_text=True)


def test_a_small_file_is_still_applied_in_the_request(make_app, org, make_user):
    app = make_app()  # the default threshold
    admin = make_user(division="P102", permissions=[(Permission.ADMIN, None)], staff_number="900001")
    client = app.test_client()
    sign_in(client, admin)
    page, upload_id = preview(client)
    assert "バックグラウンド" not in page
    done = client.post("/admin/import/staff/apply", data={"upload_id": upload_id})
    assert done.status_code == 200 and "初期パスワード" in done.get_data(as_text=True)
    assert staff_count(app) == 4 and list(jobs.queue(app).pending()) == []


def test_a_file_that_no_longer_fits_when_the_worker_takes_it_changes_nothing_and_says_why(app, client, org, admin,
                                                                                          make_user):
    sign_in(client, admin)
    run_id = queue_run(client)
    # Between the preview and the worker, someone else takes an address the file gives a new person.
    make_user(division="P201", email="hanako@city.example.lg.jp", staff_number="777")
    assert run_worker(app, run_id) == "rejected"
    assert staff_count(app) == 2
    page = client.get(f"/admin/import/runs/{run_id}").get_data(as_text=True)
    assert "未反映（データが変わったため）" in page and "何も変更していません" in page
    assert "hanako@city.example.lg.jp" in page.split("import-errors", 1)[1]
    assert 'href="/admin/import/staff"' in page
    assert run_of(app, run_id).error_count == 1


def test_a_finished_run_delivered_again_is_left_alone(app, client, org, admin):
    sign_in(client, admin)
    run_id = queue_run(client)
    assert run_worker(app, run_id) == "done"
    summary = run_of(app, run_id).summary
    assert run_worker(app, run_id) == "done"
    assert run_of(app, run_id).summary == summary and staff_count(app) == 4
    with app.app_context():
        applied = db.session().scalar(select(func.count()).select_from(AuditEntry)
                                      .where(AuditEntry.action == "import.staff"))
    assert applied == 1


def test_a_worker_that_died_mid_run_leaves_nothing_and_the_run_is_applied_again(app, client, org, admin):
    sign_in(client, admin)
    run_id = queue_run(client)
    with app.app_context(), db.write_session() as session:
        session.get(ImportRun, run_id).state = ImportRunState.RUNNING
    assert run_worker(app, run_id) == "done"
    assert staff_count(app) == 4


def test_an_unreachable_queue_is_said_at_once_and_the_file_can_be_applied_again(make_app, org, make_user):
    app = make_app(IMPORT_QUEUED_ROWS=2, QUEUE_URL="redis://127.0.0.1:1/0")
    admin = make_user(division="P102", permissions=[(Permission.ADMIN, None)], staff_number="900001")
    client = app.test_client()
    sign_in(client, admin)
    _page, upload_id = preview(client)
    response = client.post("/admin/import/staff/apply", data={"upload_id": upload_id})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "未反映（エラー）" in page and "the job queue could not be reached" in page
    assert staff_count(app) == 1
    assert notices_of(app, admin.id) == ([], [])  # the page it was sent to says so: no notice repeats it
    # The stored file is kept: applying it again makes a new run rather than asking for the file again.
    again = client.post("/admin/import/staff/apply", data={"upload_id": upload_id})
    location = again.headers["Location"]
    assert "/admin/import/runs/" in location and location != response.headers["Location"]


def test_only_administrators_see_runs(app, client, org, admin, make_user):
    sign_in(client, admin)
    run_id = queue_run(client)
    for permissions in ([], [(Permission.MANAGER, "P100")]):
        other = app.test_client()
        sign_in(other, make_user(division="P101", permissions=permissions))
        assert other.get(f"/admin/import/runs/{run_id}").status_code == 403
        assert other.get(f"/admin/import/runs/{run_id}/state").status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(f"/admin/import/runs/{run_id}").status_code == 302
    assert client.get("/admin/import/runs/999999").status_code == 404


def notices_of(app, user_id: int) -> list[tuple[str, str | None]]:
    """(kind, key) of the person's notices, and the subjects of their mails."""
    with app.app_context():
        told = db.session().execute(select(Notice.kind, Notice.key).where(Notice.user_id == user_id)
                                    .order_by(Notice.id)).all()
        mailed = db.session().scalars(select(OutboxMessage.subject).where(OutboxMessage.user_id == user_id)).all()
    return [tuple(row) for row in told], list(mailed)


def test_the_administrator_is_told_when_the_worker_has_applied_the_file(app, client, org, admin):
    sign_in(client, admin)
    run_id = queue_run(client)
    assert notices_of(app, admin.id) == ([], [])  # nothing while it waits
    assert run_worker(app, run_id) == "done"
    assert run_worker(app, run_id) == "done"  # delivered again: told once
    told, mailed = notices_of(app, admin.id)
    assert told == [(NoticeKind.IMPORT_FINISHED, f"import-run-{run_id}")]
    assert mailed == ["取り込み「職員.csv」を反映しました"]
    page = client.get("/notices/").get_data(as_text=True)
    assert "取り込み「職員.csv」を反映しました" in page
    assert "新規 3件、更新 0件、移動 0件、利用再開 0件、利用停止 0件" in page
    with app.app_context():
        notice_id = db.session().scalar(select(Notice.id).where(Notice.user_id == admin.id))
    opened = client.get(f"/notices/{notice_id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/admin/import/runs/{run_id}")
    client.set_cookie("elearn_lang", "en")
    assert "Your import of 職員.csv has been applied" in client.get("/notices/").get_data(as_text=True)


def test_a_refused_run_is_told_with_its_count_of_bad_rows(app, client, org, admin, make_user):
    sign_in(client, admin)
    run_id = queue_run(client)
    make_user(division="P201", email="hanako@city.example.lg.jp", staff_number="777")
    assert run_worker(app, run_id) == "rejected"
    page = client.get("/notices/").get_data(as_text=True)
    assert "取り込み「職員.csv」は反映できませんでした（何も変更していません）" in page
    assert "1 行に問題があります。取り込みの画面に一覧があります。" in page


def test_only_administrators_choose_how_imports_are_told(app, client, org, admin, make_user):
    learner = app.test_client()
    sign_in(learner, make_user(division="P101"))
    assert 'name="imports"' not in learner.get("/notices/settings").get_data(as_text=True)
    sign_in(client, admin)
    page = client.get("/notices/settings").get_data(as_text=True)
    assert 'name="imports"' in page and "開始した取り込みの結果" in page
    assert client.post("/notices/settings", data={
        "courses": "mail", "events": "mail", "certificates": "mail", "inbox": "mail", "announcements": "mail",
        "magazine": "off", "imports": "app"}).status_code == 302
    run_worker(app, queue_run(client))
    told, mailed = notices_of(app, admin.id)
    assert [kind for kind, _key in told] == [NoticeKind.IMPORT_FINISHED] and mailed == []  # in the app only
