"""Faults: a full disk while an upload is stored, and a web worker killed in the middle of a quiz submission.

(The database going away and Redis going down are in test_health.py.)

The full disk is real: the upload folders are tmpfs mounts of a few kilobytes, made in a mount namespace of
the test's own (`unshare --user --map-root-user --mount`, util-linux; no root needed), where a small script
drives the app through Flask's test client. The killed worker is a real gunicorn worker: a `sitecustomize`
module on the server's PYTHONPATH holds the submission, after its rows are flushed and before they are
committed, until the test kills that worker with SIGKILL.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from support import PASSWORD, SAMPLE_CONTENT, answer_form, free_port, wait_for_server

from elearn import db
from elearn.demo.video import make_test_video
from elearn.domain.people import Permission
from elearn.models import Certificate, Completion, LibraryUpload, QuizAttempt

TESTS = Path(__file__).resolve().parent.parent

FULL_DISK_SCRIPT = r'''
import io, json, sys, zipfile
from pathlib import Path

config, staff_number, video_path = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path.insert(0, sys.argv[4])
from support import MANIFEST_12, PASSWORD
from elearn import create_app

app = create_app(config)
client = app.test_client()
assert client.post("/sign-in", data={"body": "P000", "sign_in_name": staff_number,
                                     "password": PASSWORD}).status_code == 302
answers = {}
captions = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n字幕\n".encode()
video = client.post("/media/", content_type="multipart/form-data", data={
    "title": "話し方の基本", "slug": "talk", "video": (io.BytesIO(Path(video_path).read_bytes()), "talk.mp4"),
    "captions_ja": (io.BytesIO(captions), "talk.ja.vtt")})
answers["video"] = [video.status_code, video.get_data(as_text=True)]
package = io.BytesIO()
with zipfile.ZipFile(package, "w") as archive:
    archive.writestr("imsmanifest.xml", MANIFEST_12)
    archive.writestr("intro.html", "<p>はじめに</p>" * 4000)
    archive.writestr("check/index.html", "<p>確認</p>")
scorm = client.post("/media/scorm", content_type="multipart/form-data",
                    data={"slug": "self-check", "package": (io.BytesIO(package.getvalue()), "package.zip")})
answers["scorm"] = [scorm.status_code, scorm.get_data(as_text=True)]
rows = "".join(f"77{n:04d},職員{n},しょくいん,u{n}@example.lg.jp,P101,,\n" for n in range(600))
staff = ("職員番号,氏名,ふりがな,メール,所属コード,職位,研修区分\n" + rows).encode()
imported = client.post("/admin/import/staff", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(staff), "staff.csv")})
answers["import"] = [imported.status_code, imported.get_data(as_text=True)]
instance = Path(app.instance_path)
answers["files"] = sorted(str(path.relative_to(instance)) for folder in ("media-staging", "media-library")
                          for path in (instance / folder).rglob("*") if path.is_file())
print(json.dumps(answers))
'''


def test_a_full_disk_on_upload_gives_a_clear_error_and_keeps_no_file(app_config, synced, make_user, tmp_path):
    if shutil.which("unshare") is None:
        pytest.fail("util-linux's unshare is needed to make a small disk (apt-get install util-linux)")
    staff = make_user(permissions=[(Permission.ADMIN, None), (Permission.AUTHOR, None)])
    video = tmp_path / "talk.mp4"
    make_test_video(video, seconds=2, index_first=True)
    instance = Path(app_config["INSTANCE_PATH"])
    folders = [instance / "media-staging"]  # uploads waiting for the worker, and imports waiting to be applied
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    script = tmp_path / "full_disk.py"
    script.write_text(FULL_DISK_SCRIPT, encoding="utf-8")
    config = {**app_config, "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}"}
    mounts = " && ".join(f"mount -t tmpfs -o size=8k elearn-full '{folder}'" for folder in folders)
    finished = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         f'{mounts} && exec "$0" "$@"', sys.executable, str(script), json.dumps(config), staff.staff_number,
         str(video), str(TESTS)],
        capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-3000:]
    answers = json.loads(finished.stdout.strip().splitlines()[-1])

    assert video.stat().st_size > 8192  # bigger than the little disk
    for kind in ("video", "scorm", "import"):
        status, page = answers[kind]
        assert status == 507, (kind, status, page[-800:])
        assert "保存先の空き容量が足りません" in page and "何も保存されていません" in page
        assert re.search(r"お問い合わせ番号：[0-9a-f]{32}", page)
    assert answers["files"] == []  # no half-written file on the full disk
    with synced.app_context():
        assert db.session().scalar(select(func.count()).select_from(LibraryUpload)) == 0


STALL_HOOK = '''
"""Holds a quiz submission after its rows are flushed, before they are committed, once (tests/web/test_faults.py)."""
import os
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

MARKER = Path(os.environ["ELEARN_FAULT_TEST_MARKER"])


@event.listens_for(Session, "after_flush")
def _hold(session, context):
    from elearn.models import Completion

    if not MARKER.exists() and any(isinstance(row, Completion) for row in session.new):
        MARKER.write_text(str(os.getpid()))
        time.sleep(300)
'''


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_a_worker_killed_in_the_middle_of_a_quiz_submission_leaves_no_half_written_attempt(
        synced, database_url, make_user, tmp_path):
    learner = make_user()
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(STALL_HOOK, encoding="utf-8")
    marker = tmp_path / "held-by"
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(hook), "ELEARN_FAULT_TEST_MARKER": str(marker),
           "ELEARN_DATABASE_URL": database_url, "ELEARN_INSTANCE_PATH": str(tmp_path / "instance"),
           "ELEARN_SECRET_KEY": "faults-secret", "ELEARN_CONTENT_ROOT": str(SAMPLE_CONTENT),
           "ELEARN_SCORM_CONTENT_URL": "http://scorm.invalid"}
    log = tmp_path / "server.log"
    with log.open("wb") as log_file:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen([sys.executable, "-m", "elearn", "serve", "--host", "127.0.0.1", "--port",
                                   str(port), "--workers", "2", "--threads", "2"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=log_file)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(base, server, log)
        browser = requests.Session()
        token = _csrf(browser.get(f"{base}/sign-in").text)
        assert browser.post(f"{base}/sign-in", allow_redirects=False, data={
            "csrf_token": token, "body": "P000", "sign_in_name": learner.staff_number,
            "password": PASSWORD}).status_code == 302
        for lesson in ("01-first", "02-second"):
            page = browser.get(f"{base}/courses/sample-course/{lesson}")
            browser.post(f"{base}/courses/sample-course/{lesson}/read", data={"csrf_token": _csrf(page.text)})
        course = browser.get(f"{base}/courses/sample-course/")
        started = browser.post(f"{base}/courses/sample-course/quiz/start", allow_redirects=False,
                               data={"csrf_token": _csrf(course.text)})
        attempt_path = re.search(r"/quiz/attempts/\d+$", started.headers["Location"]).group(0)
        attempt_page = browser.get(f"{base}{attempt_path}").text
        with synced.app_context():
            attempt = db.session().scalars(select(QuizAttempt)).one()
            form = {**answer_form(attempt.questions), "sequence": attempt.sequence, "action": "submit",
                    "csrf_token": _csrf(attempt_page)}

        outcome: list[object] = []

        def submit() -> None:
            try:
                outcome.append(browser.post(f"{base}{attempt_path}", data=form, allow_redirects=False, timeout=60))
            except requests.RequestException as error:
                outcome.append(error)

        held = threading.Thread(target=submit)
        held.start()
        deadline = time.monotonic() + 30
        while not marker.exists() or not marker.read_text():
            assert time.monotonic() < deadline, "the submission never reached its commit"
            time.sleep(0.05)
        with synced.app_context():  # flushed but not committed: nothing shows yet
            assert db.session().scalar(select(func.count()).select_from(Completion)) == 0
        os.kill(int(marker.read_text()), signal.SIGKILL)
        held.join(timeout=30)
        assert outcome and isinstance(outcome[0], requests.RequestException), outcome  # the person saw it fail

        with synced.app_context():
            attempt = db.session().scalars(select(QuizAttempt)).one()
            assert attempt.submitted_at is None and attempt.score is None
            assert db.session().scalar(select(func.count()).select_from(Completion)) == 0
            assert db.session().scalar(select(func.count()).select_from(Certificate)) == 0

        # The person submits again (gunicorn has replaced the worker): graded once, completed once.
        again = browser.post(f"{base}{attempt_path}", data=form, allow_redirects=False, timeout=60)
        assert again.status_code == 302, again.text[-800:]
        assert 'class="verdict">合格<' in browser.get(f"{base}{again.headers['Location']}").text
        with synced.app_context():
            assert db.session().scalars(select(QuizAttempt)).one().submitted_at is not None
            assert db.session().scalar(select(func.count()).select_from(Completion)) == 1
            assert db.session().scalar(select(func.count()).select_from(Certificate)) == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
