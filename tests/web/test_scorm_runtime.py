"""SCORM at run time: the package origin kept apart from the app's, commits judged, lessons done, resume."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from support import MANIFEST_12, SAMPLE_CONTENT, sign_in

from elearn import db
from elearn.models import LessonProgress, ScormAttempt

APP = "http://localhost"
PACKAGES = "http://scorm.localhost"
LESSON = "/courses/sample-course/03-self-check"


@pytest.fixture(scope="module")
def scorm_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scorm-content") / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    package = root / "courses/sample-course/scorm/self-check"
    (package / "check").mkdir(parents=True)
    (package / "imsmanifest.xml").write_text(MANIFEST_12, encoding="utf-8")
    (package / "intro.html").write_text("<p>はじめに</p>", encoding="utf-8")
    (package / "check/index.html").write_text("<script>API.LMSInitialize('')</script>", encoding="utf-8")
    (root / "courses/sample-course/03-self-check.md").write_text(
        "---\ntitle: セルフチェック\nminutes: 5\nscorm:\n  folder: scorm/self-check\n---\n", encoding="utf-8")
    return root


@pytest.fixture
def scorm_app(make_app, scorm_root):
    app = make_app(CONTENT_ROOT=str(scorm_root), SCORM_CONTENT_URL=PACKAGES, PUBLIC_URL=APP)
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    return app


@pytest.fixture
def learner(scorm_app, make_user):
    return make_user(name="山本\u3000明美")


@pytest.fixture
def client(scorm_app, learner):
    client = scorm_app.test_client()
    sign_in(client, learner)
    return client


def player_of(client, item: str = "i2") -> str:
    """The player's address on the package origin, as the lesson page frames it."""
    page = client.get(f"{LESSON}?item={item}")
    assert page.status_code == 200
    return re.search(r'<iframe class="scorm-frame" src="([^"]+)"', page.get_data(as_text=True))[1]


def on_packages(client, url: str, method: str = "GET", **kwargs):
    path = url.removeprefix(PACKAGES)
    return client.open(path, method=method, base_url=PACKAGES, **kwargs)


def commit(client, player: str, cmi: dict):
    return on_packages(client, player + "commit", "POST", data=json.dumps({"cmi": cmi}),
                       content_type="text/plain;charset=UTF-8")  # as sendBeacon sends it


def test_the_lesson_frames_the_player_from_the_package_origin_only(client):
    page = client.get(LESSON)
    assert page.headers["Content-Security-Policy"].endswith(f"frame-src {PACKAGES}")
    player = player_of(client)
    assert player.startswith(f"{PACKAGES}/scorm/run/")
    answer = on_packages(client, player)
    assert answer.status_code == 200 and "X-Frame-Options" not in answer.headers
    assert f"frame-ancestors {APP}" in answer.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in answer.headers
    launch = json.loads(re.search(r'<script type="application/json" id="launch">(.*?)</script>',
                                  answer.get_data(as_text=True), re.S)[1])
    assert launch["version"] == "1.2" and launch["contentUrl"].endswith("/p/check/index.html?part=2")
    assert launch["resume"]["core"]["student_name"] == "山本, 明美"
    package_file = on_packages(client, launch["contentUrl"].split("?")[0])
    body = package_file.data
    package_file.close()
    assert package_file.status_code == 200 and b"LMSInitialize" in body
    # Reached through a person's launch token: nothing keeps it, and no Expires says otherwise.
    assert package_file.headers["Cache-Control"] == "no-store" and "Expires" not in package_file.headers


def test_the_two_origins_serve_nothing_of_each_other(client):
    player = player_of(client)
    assert on_packages(client, "/").status_code == 404  # the app's pages are not on the package origin
    assert on_packages(client, f"{PACKAGES}/account/password").status_code == 404
    assert client.get(player.removeprefix(PACKAGES)).status_code == 404  # the player is not on the app's
    assert on_packages(client, player + "p/../../../../etc/passwd").status_code == 404
    assert on_packages(client, player.replace("/run/", "/run/x")).status_code == 404  # a forged token
    # The package's files are never among the course files the app's origin serves.
    assert client.get("/learn/assets/sample-course/scorm/self-check/check/index.html").status_code == 404


def test_commits_are_judged_by_the_mastery_score_and_the_lesson_is_done_when_every_item_is(client, scorm_app):
    assert client.post(f"{LESSON}/read", follow_redirects=True).status_code == 200
    player = player_of(client, "i1")  # the asset: done once opened
    player = player_of(client, "i2")
    answer = commit(client, player, {"core": {"lesson_status": "passed", "score": {"raw": "70"}}})
    assert answer.get_json() == {"result": True, "errorCode": 0, "complete": False}  # mastery is 80
    state = client.get(f"{LESSON}/scorm-state").get_json()
    assert state == {"items": {"i1": "終了", "i2": "まだ合格していません（70点）"}, "done": False}
    answer = commit(client, player, {"core": {"lesson_status": "completed", "score": {"raw": "85"},
                                              "lesson_location": "3", "exit": "suspend"},
                                     "suspend_data": "q1=a"})
    assert answer.get_json()["complete"] is True
    assert client.get(f"{LESSON}/scorm-state").get_json()["done"] is True
    with scorm_app.app_context():
        attempt = db.session().scalar(select(ScormAttempt).where(ScormAttempt.sco == "i2"))
        assert (attempt.score, attempt.passed, attempt.commits) == (85.0, True, 2)
        assert db.session().scalar(select(LessonProgress.lesson_slug)) == "03-self-check"
    # Relaunched (on any device): the package gets back what it saved, told it resumes.
    again = on_packages(client, player_of(client, "i2")).get_data(as_text=True)
    resume = json.loads(re.search(r'id="launch">(.*?)</script>', again, re.S)[1])["resume"]
    assert resume["suspend_data"] == "q1=a" and resume["core"]["lesson_location"] == "3"
    assert resume["core"]["entry"] == "resume"


@pytest.mark.parametrize(("body", "status"), [("not json", 400), ('{"cmi": "x"}', 400), ("[]", 400),
                                              ('{"cmi": {"suspend_data": "' + "x" * 300_000 + '"}}', 413)])
def test_a_bad_commit_is_refused_and_changes_nothing(client, scorm_app, body, status):
    player = player_of(client)
    assert on_packages(client, player + "commit", "POST", data=body).status_code == status
    with scorm_app.app_context():
        assert db.session().scalar(select(ScormAttempt.commits).where(ScormAttempt.sco == "i2")) == 0


def test_the_app_refuses_to_start_with_packages_on_its_own_origin(make_app):
    from elearn.config import ConfigError

    with pytest.raises(ConfigError, match="origin of its own"):
        make_app(SCORM_CONTENT_URL="http://localhost/", PUBLIC_URL="http://localhost")
