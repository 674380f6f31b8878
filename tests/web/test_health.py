"""Operations: liveness and readiness probes, request ids on every answer, one JSON log line per request, and a
Japanese 503 page while the database is unreachable, from which the app recovers by itself."""

from __future__ import annotations

import json
import logging
import re
import shutil

from sqlalchemy import text
from support import sign_in

from elearn import create_app, db, migrate


def test_healthz_answers_without_a_session_or_the_database(app, client):
    from sqlalchemy import event

    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(app.extensions["elearn.engine"], "before_cursor_execute", record)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(app.extensions["elearn.engine"], "before_cursor_execute", record)
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers and statements == []


def test_readyz_checks_database_migrations_and_queue(app, client):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "queue": "ok",
                                                           "rate_limits": "ok"}}
    with app.app_context():
        [head] = migrate.heads()
        with db.engine().begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0015'"))
        try:
            behind = client.get("/readyz")
        finally:  # on PostgreSQL the database is shared with later tests, and emptying it keeps this table
            with db.engine().begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    assert behind.status_code == 503 and behind.get_json()["checks"]["migrations"] == "behind"


def test_readyz_reports_an_unreachable_queue(make_app):
    app = make_app(QUEUE_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "ok", "queue": "unreachable",
                                             "rate_limits": "ok"}


def test_every_answer_carries_a_request_id_and_error_pages_show_it(client):
    fresh = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", fresh)
    assert client.get("/healthz").headers["X-Request-ID"] != fresh
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-0123456789"}).headers["X-Request-ID"] == \
        "nginx-0123456789"
    assert client.get("/healthz", headers={"X-Request-ID": "<script>x</script>"}).headers["X-Request-ID"] != \
        "<script>x</script>"
    missing = client.get("/no-such-page", headers={"X-Request-ID": "trace-abcdef12"})
    assert missing.status_code == 404 and "お問い合わせ番号：trace-abcdef12" in missing.get_data(as_text=True)


def test_json_logs_give_one_line_per_request_with_user_route_status_duration_and_queries(make_app, make_user,
                                                                                       caplog, synced):
    app = make_app(LOG_JSON=True)
    client = app.test_client()
    user = make_user()
    sign_in(client, user)
    caplog.clear()
    requests_log = logging.getLogger("elearn.requests")  # its own handler, not propagated: attach caplog's
    requests_log.addHandler(caplog.handler)
    try:
        client.get("/courses/sample-course/", headers={"X-Request-ID": "trace-course-page"})
    finally:
        requests_log.removeHandler(caplog.handler)
    [line] = [json.loads(record.getMessage()) for record in caplog.records if record.name == "elearn.requests"]
    assert line["request_id"] == "trace-course-page" and line["user_id"] == user.id
    assert (line["method"], line["route"], line["status"]) == ("GET", "/courses/<slug>/", 200)
    assert line["duration_ms"] > 0 and line["queries"] > 0


def test_an_unreachable_database_gives_a_japanese_503_and_the_app_recovers_by_itself(tmp_path):
    folder = tmp_path / "not-mounted"  # the database's volume is missing, as when a disk or NFS mount is gone
    url = f"sqlite:///{folder / 'elearn.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "LIMITER_STORAGE": "memory://",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    client = app.test_client()
    down = client.get("/sign-in")
    page = down.get_data(as_text=True)
    assert down.status_code == 503 and down.headers["Retry-After"] == "30"
    assert "データベースに接続できません" in page and f"お問い合わせ番号：{down.headers['X-Request-ID']}" in page
    assert client.get("/readyz").get_json()["checks"]["database"] == "unreachable"
    assert client.get("/healthz").status_code == 200  # the process is up: a restart would not help

    staging = tmp_path / "staging.sqlite3"
    migrate.upgrade(f"sqlite:///{staging}")
    folder.mkdir()
    shutil.copyfile(staging, folder / "elearn.sqlite3")  # the volume is back
    assert client.get("/sign-in").status_code == 200
    assert client.get("/readyz").status_code == 200
    app.extensions["elearn.engine"].dispose()


def test_with_redis_down_pages_are_served_sign_in_stays_locked_by_the_database_and_readyz_says_so(make_app,
                                                                                               make_user, caplog):
    app = make_app(LIMITER_STORAGE="redis://127.0.0.1:1/0")  # the limiter's Redis is down
    client = app.test_client()
    person = make_user()
    assert client.get("/sign-in").status_code == 200
    with caplog.at_level(logging.WARNING):
        for _ in range(app.config["SIGN_IN_ACCOUNT_MAX_FAILURES"]):
            assert sign_in(client, person, password="wrong-password").status_code in (200, 429)  # never a 500
    assert "Rate limit storage unreachable" in caplog.text  # the outage is logged
    locked = sign_in(client, person)  # the right password, but the account is locked: in the database
    assert locked.status_code == 429
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["rate_limits"] == "unreachable"
