"""Two gunicorn servers (`elearn serve`) on two loopback ports share one database, one Redis and one instance
folder, as app servers behind nginx do: a person signs in on one and goes on on the other, a quiz started on one
is submitted on the other and nothing is lost, an import previewed on one is applied on the other, and the
sign-in lockout and the per-address limit count across both.

The database is the suite's (SQLite by default, PostgreSQL in the CI's second run); the rate limits count in
Redis database 12, emptied first."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import func, select
from support import PASSWORD, SAMPLE_CONTENT, answer_form, free_port, wait_for_server

from elearn import db
from elearn.models import Completion, QuizAttempt, User

# Each test empties its database, so the two test workers of `make test` each have their own.
LIMITER_REDIS = f"redis://127.0.0.1:6379/{14 if os.environ.get('PYTEST_XDIST_WORKER') == 'gw1' else 12}"
ADDRESS_LIMIT = 10


@pytest.fixture
def servers(synced, database_url, tmp_path) -> Iterator[list[str]]:
    redis.Redis.from_url(LIMITER_REDIS).flushdb()
    env = {
        **os.environ,
        "ELEARN_DATABASE_URL": database_url,
        "ELEARN_INSTANCE_PATH": str(tmp_path / "shared-instance"),  # the NFS folder every server mounts
        "ELEARN_SECRET_KEY": "two-servers-secret",
        "ELEARN_CONTENT_ROOT": str(SAMPLE_CONTENT),
        "ELEARN_LIMITER_STORAGE": LIMITER_REDIS,
        "ELEARN_SIGN_IN_ADDRESS_LIMIT": f"{ADDRESS_LIMIT} per 10 minutes",
        "ELEARN_SCORM_CONTENT_URL": "http://scorm.invalid",
    }
    started: list[tuple[subprocess.Popen, str, Path]] = []
    try:
        for number in range(2):
            port, log = free_port(), tmp_path / f"server-{number}.log"
            with log.open("wb") as log_file:  # the child keeps its own copy of the descriptor
                server = subprocess.Popen(
                    [sys.executable, "-m", "elearn", "serve", "--host", "127.0.0.1", "--port", str(port),
                     "--workers", "2", "--threads", "2"],
                    env=env, stdout=subprocess.DEVNULL, stderr=log_file)
            started.append((server, f"http://127.0.0.1:{port}", log))
        for server, base_url, log in started:
            wait_for_server(base_url, server, log)
        yield [base_url for _, base_url, _ in started]
    finally:
        for server, _, _ in started:
            server.terminate()
        for server, _, _ in started:
            server.wait(timeout=30)
        redis.Redis.from_url(LIMITER_REDIS).flushdb()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _sign_in(browser: requests.Session, base_url: str, user: User, password: str = PASSWORD) -> requests.Response:
    token = _csrf(browser.get(f"{base_url}/sign-in").text)
    return browser.post(f"{base_url}/sign-in", allow_redirects=False, data={
        "csrf_token": token, "body": "P000", "sign_in_name": user.staff_number, "password": password})


def test_a_learner_signs_in_on_one_server_and_submits_the_quiz_on_the_other(servers, synced, make_user):
    first, second = servers
    learner = make_user()
    browser = requests.Session()  # one cookie jar: the cookie of 127.0.0.1 goes to either port, as behind nginx
    assert _sign_in(browser, first, learner).status_code == 302
    home = browser.get(f"{second}/", allow_redirects=False)
    assert home.status_code == 200 and learner.name in home.text  # the session made on the first

    for number, lesson in enumerate(("01-first", "02-second")):
        server = servers[number % 2]
        page = browser.get(f"{server}/courses/sample-course/{lesson}")
        assert browser.post(f"{servers[1 - number % 2]}/courses/sample-course/{lesson}/read",
                            data={"csrf_token": _csrf(page.text)}).status_code == 200
    course = browser.get(f"{first}/courses/sample-course/")
    started = browser.post(f"{second}/courses/sample-course/quiz/start", allow_redirects=False,
                           data={"csrf_token": _csrf(course.text)})
    assert started.status_code == 302, started.text[-500:]
    attempt_path = re.search(r"/quiz/attempts/\d+$", started.headers["Location"]).group(0)
    attempt_page = browser.get(f"{first}{attempt_path}")
    assert attempt_page.status_code == 200
    with synced.app_context():
        attempt = db.session().scalars(select(QuizAttempt)).one()
        questions, sequence = attempt.questions, attempt.sequence
    submitted = browser.post(f"{second}{attempt_path}", allow_redirects=False, data={
        **answer_form(questions), "sequence": sequence, "action": "submit", "csrf_token": _csrf(attempt_page.text)})
    assert submitted.status_code == 302, submitted.text[-500:]
    result = browser.get(f"{first}{submitted.headers['Location']}")
    assert 'class="verdict">合格<' in result.text
    with synced.app_context():
        assert db.session().scalar(select(func.count()).select_from(Completion)
                                   .where(Completion.user_id == learner.id)) == 1
        assert db.session().scalars(select(QuizAttempt)).one().submitted_at is not None


def test_an_import_previewed_on_one_server_is_applied_on_the_other(servers, synced, make_user):
    from elearn.domain.people import Permission

    first, second = servers
    admin = make_user(permissions=[(Permission.ADMIN, None)])
    browser = requests.Session()
    assert _sign_in(browser, first, admin).status_code == 302
    form = browser.get(f"{first}/admin/import/staff")
    staff = ("職員番号,氏名,ふりがな,メール,所属コード,職位,研修区分\n"
             "770001,二台 太郎,にだい たろう,nidai@example.lg.jp,P101,,\n")
    preview = browser.post(f"{first}/admin/import/staff", data={"csrf_token": _csrf(form.text)},
                           files={"file": ("staff.csv", staff.encode("utf-8"), "text/csv")})
    assert preview.status_code == 200, preview.text[-500:]
    upload_id = re.search(r'name="upload_id"[^>]*value="([^"]+)"', preview.text).group(1)
    applied = browser.post(f"{second}/admin/import/staff/apply",
                           data={"csrf_token": _csrf(preview.text), "upload_id": upload_id})
    assert applied.status_code == 200 and "770001" in applied.text, applied.text[-500:]
    with synced.app_context():
        assert db.session().scalar(select(User.name).where(User.staff_number == "770001")) == "二台 太郎"


def test_the_sign_in_lockout_and_the_address_limit_count_across_both_servers(servers, make_user):
    first, second = servers
    locked, other, third = make_user(), make_user(), make_user()
    browser = requests.Session()
    # Five wrong passwords, three on one server and two on the other: the fifth locks the account, on both.
    for number in range(4):
        failed = _sign_in(browser, servers[number % 2], locked, "wrong-password")
        assert failed.status_code == 200 and "正しくありません" in failed.text
    assert _sign_in(browser, first, locked, "wrong-password").status_code == 429
    for server in servers:
        assert _sign_in(requests.Session(), server, locked).status_code == 429
    # Another account from the same address still signs in (success is not counted per address) ...
    assert _sign_in(requests.Session(), second, other).status_code == 302
    # ... until the address has failed ADDRESS_LIMIT times across both servers (7 so far, counting the two
    # refusals of the locked account); each server alone has seen fewer.
    for number in range(ADDRESS_LIMIT - 7):
        assert _sign_in(browser, servers[number % 2], third, "wrong-password").status_code == 200
    refused = _sign_in(requests.Session(), first, third)
    assert refused.status_code == 429
    assert _sign_in(requests.Session(), second, third).status_code == 429
