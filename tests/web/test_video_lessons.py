"""Video lessons: checked on sync, served in ranges, and done only when enough has been watched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support import SAMPLE_CONTENT, csrf_token_from, sign_in

from elearn import db
from elearn.demo.video import captions, make_test_video
from elearn.models import LessonProgress, VideoProgress

LESSON = "/courses/video-course/01-watch"
VIDEO_SECONDS = 6.0

COURSE = """---
slug: video-course
title: 動画のコース
summary: 動画の講義を一つ持つコースです。
version: 1
tiers: [all_staff]
required_for_grades: []
estimated_minutes: 10
recurrence_years: null
video_watch_percent: 80
quiz:
  bank: sample-bank
  questions: 2
  passing_score: 50
---
概要です。
"""

LESSON_FILE = """---
title: 動画で学ぶ
video:
  file: media/talk.mp4
  poster: media/talk.jpg
  captions:
    ja: media/talk.ja.vtt
    en: media/talk.en.vtt
---
補足の本文です。
"""


def write_video_course(root: Path, lesson: str = LESSON_FILE) -> Path:
    from elearn.demo.video import Slide

    folder = root / "courses" / "video-course"
    (folder / "media").mkdir(parents=True, exist_ok=True)
    (folder / "course.md").write_text(COURSE, encoding="utf-8")
    (folder / "01-watch.md").write_text(lesson, encoding="utf-8")
    make_test_video(folder / "media" / "talk.mp4", seconds=VIDEO_SECONDS)
    slides = [Slide("一", (), ("最初の字幕",), ("First caption",)), Slide("二", (), ("次の字幕",), ("Next",))]
    for language in ("ja", "en"):
        (folder / "media" / f"talk.{language}.vtt").write_text(captions(slides, VIDEO_SECONDS / 2, language),
                                                              encoding="utf-8")
    from PIL import Image

    Image.new("RGB", (160, 90), "navy").save(folder / "media" / "talk.jpg")
    return folder


@pytest.fixture(scope="module")
def video_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("video-content") / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    write_video_course(root)
    return root


@pytest.fixture
def video_app(make_app, video_root):
    app = make_app(CONTENT_ROOT=str(video_root))
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    return app


@pytest.fixture
def learner(video_app, make_user):
    return make_user()


@pytest.fixture
def client(video_app, learner):
    client = video_app.test_client()
    sign_in(client, learner)
    return client


def report(client, played, position=0.0):
    return client.post(f"{LESSON}/watched", data={"report": json.dumps({"played": played, "position": position})})


def test_the_lesson_page_plays_the_video_with_japanese_captions_on_and_a_transcript(client):
    page = client.get(LESSON).get_data(as_text=True)
    assert '<source src="/learn/assets/video-course/media/talk.mp4?v=' in page and 'type="video/mp4"' in page
    assert 'srclang="ja" label="日本語"' in page and 'src="/learn/assets/video-course/media/talk.ja.vtt?v=' in page
    japanese_track = page[page.index('srclang="ja"'):page.index('srclang="en"')]
    assert " default>" in japanese_track
    assert "最初の字幕" in page and 'data-start="3.0"' in page and "補足の本文です" in page
    assert 'aria-disabled="true"' in page  # "Done" waits for the video


def fetch(client, url, **headers):
    """The response, read and closed (a file response left open warns)."""
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


def test_the_video_is_served_in_ranges_with_its_type_and_cached_for_good_by_version(client, video_root):
    page = client.get(LESSON).get_data(as_text=True)
    url = page[page.index("/learn/assets/video-course/media/talk.mp4"):].split('"')[0]
    size = (video_root / "courses/video-course/media/talk.mp4").stat().st_size
    whole = fetch(client, url)
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    assert whole.mimetype == "video/mp4" and len(whole.data) == size
    assert whole.headers["Cache-Control"] == "private, max-age=31536000, immutable", whole.headers["Cache-Control"]
    assert "Expires" not in whole.headers
    part = fetch(client, url, Range="bytes=100-199")
    assert part.status_code == 206 and part.headers["Content-Range"] == f"bytes 100-199/{size}"
    assert part.data == whole.data[100:200]
    assert fetch(client, url, Range=f"bytes={size + 10}-").status_code == 416
    unversioned = fetch(client, "/learn/assets/video-course/media/talk.mp4")
    assert unversioned.headers["Cache-Control"] == "private, no-cache" and "Expires" not in unversioned.headers
    assert fetch(client, "/learn/assets/video-course/media/talk.ja.vtt").headers["Content-Type"] == \
        "text/vtt; charset=utf-8"
    assert fetch(client, "/learn/assets/video-course/01-watch.md").status_code == 404


def test_the_lesson_is_done_only_when_the_course_s_share_is_watched(client, video_app, learner):
    refused = client.post(f"{LESSON}/read", follow_redirects=True)
    assert "動画の80%以上を視聴してください" in refused.get_data(as_text=True)
    # A seek to the end: the first second and the last one are all that was played.
    state = report(client, [[0, 1], [VIDEO_SECONDS - 1, VIDEO_SECONDS]], position=VIDEO_SECONDS).get_json()
    assert state["percent"] == 33 and state["watched"] is False
    # The same stretch again, as a second tab would send it, adds nothing.
    assert report(client, [[0, 1]]).get_json()["percent"] == 33
    state = report(client, [[1, 4]], position=4.0).get_json()
    assert state["watched"] is True and "受講済み" in state["message"]
    with video_app.app_context():
        progress = db.session().scalar(select(VideoProgress))
        assert progress.watched == [[0.0, 4.0], [5.0, VIDEO_SECONDS]] and progress.completed_at is not None
        assert db.session().scalars(select(LessonProgress.lesson_slug)).all() == ["01-watch"]
    assert client.post(f"{LESSON}/read").status_code == 302
    assert 'aria-disabled="true"' not in client.get(LESSON).get_data(as_text=True)


def test_another_device_resumes_where_the_person_stopped(client, video_app, learner):
    report(client, [[0, 2.5]], position=2.5)
    other_device = video_app.test_client()
    sign_in(other_device, learner)
    assert 'data-resume="2.5"' in other_device.get(LESSON).get_data(as_text=True)


@pytest.mark.parametrize("body", ["not json", '{"played": [[0]]}', '{"played": [[0, "NaN"]]}', "[1, 2]"])
def test_a_garbled_report_is_refused(client, body):
    assert client.post(f"{LESSON}/watched", data={"report": body}).status_code == 400


def test_a_report_needs_the_csrf_token(make_app, video_root, learner):
    app = make_app(CONTENT_ROOT=str(video_root), WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    sign_in(client, learner, csrf_token=token)
    body = {"report": json.dumps({"played": [[0, 1]], "position": 1})}
    assert client.post(f"{LESSON}/watched", data=body).status_code == 400
    token = csrf_token_from(client.get(LESSON).get_data(as_text=True))
    assert client.post(f"{LESSON}/watched", data={**body, "csrf_token": token}).status_code == 200


def test_sync_records_the_real_length_and_the_lesson_minutes_come_from_it(video_app):
    from elearn.models import Course

    with video_app.app_context():
        course = db.session().scalar(select(Course).where(Course.slug == "video-course"))
        (lesson,) = course.current_version.lessons
        assert lesson["minutes"] == 1 and VIDEO_SECONDS - 0.1 < lesson["video_seconds"] < VIDEO_SECONDS + 0.2


def rewrite(name: str, old: str, new: str):  # type: ignore[no-untyped-def]
    return lambda folder: (folder / name).write_text((folder / name).read_text().replace(old, new))


def replace(name: str, text: str):  # type: ignore[no-untyped-def]
    return lambda folder: (folder / name).write_text(text)


@pytest.mark.parametrize(("change", "where", "words"), [
    (rewrite("01-watch.md", "    ja: media/talk.ja.vtt\n", ""), "01-watch.md:", "'ja' is required"),
    (rewrite("01-watch.md", "title: 動画で学ぶ", "title: x\nminutes: 3"), "01-watch.md:3:",
     "minutes come from the video's length"),
    (replace("media/talk.mp4", "<html><script>alert(1)</script></html>"), "01-watch.md:4:",
     "media/talk.mp4: not an MP4 or WebM video"),
    (replace("media/talk.ja.vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<script>x</script>\n"),
     "media/talk.ja.vtt:4:", "<script> is not a WebVTT cue tag"),
    (replace("media/talk.en.vtt", "WEBVTT\n\n00:00:00.000 --> 00:01:00.000\nlong\n"), "media/talk.en.vtt:3:",
     "after the video's end"),
])
def test_sync_refuses_a_bad_video_lesson_naming_file_and_line_and_changes_nothing(make_app, tmp_path, change, where,
                                                                                  words):
    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    change(write_video_course(root))
    result = make_app(CONTENT_ROOT=str(root)).test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code != 0 and "nothing was changed" in result.output
    line = next(line for line in result.output.splitlines() if where in line)
    assert words in line, result.output


def test_behind_a_proxy_that_sends_files_the_app_hands_over_the_path_and_keeps_its_headers(make_app, video_root,
                                                                                          learner):
    app = make_app(CONTENT_ROOT=str(video_root), USE_X_SENDFILE=True)
    client = app.test_client()
    sign_in(client, learner)
    page = client.get(LESSON).get_data(as_text=True)
    url = page[page.index("/learn/assets/video-course/media/talk.mp4"):].split('"')[0]
    answer = fetch(client, url)
    assert answer.headers["X-Sendfile"] == str(video_root / "courses/video-course/media/talk.mp4")
    assert answer.data == b"" and answer.mimetype == "video/mp4" and "immutable" in answer.headers["Cache-Control"]


def test_behind_nginx_the_app_checks_and_hands_over_an_internal_location(make_app, video_root, learner):
    app = make_app(CONTENT_ROOT=str(video_root),
                   X_ACCEL_REDIRECT={str(video_root / "courses"): "/_elearn/courses"})
    client = app.test_client()
    assert client.get("/learn/assets/video-course/media/talk.mp4").status_code in (302, 401)  # signed out
    sign_in(client, learner)
    page = client.get(LESSON).get_data(as_text=True)
    url = page[page.index("/learn/assets/video-course/media/talk.mp4"):].split('"')[0]
    answer = fetch(client, url, Range="bytes=0-99")
    # nginx answers the Range from the file itself: the app says 200 with no body and the location.
    assert answer.status_code == 200 and answer.data == b""
    assert answer.headers["X-Accel-Redirect"] == "/_elearn/courses/video-course/media/talk.mp4"
    assert answer.mimetype == "video/mp4" and "immutable" in answer.headers["Cache-Control"]
    # A file outside every mapped folder is still sent by the app.
    plain = make_app(CONTENT_ROOT=str(video_root), X_ACCEL_REDIRECT={"/srv/elsewhere": "/_elsewhere/"})
    plain_client = plain.test_client()
    sign_in(plain_client, learner)
    sent = fetch(plain_client, url, Range="bytes=0-99")
    assert sent.status_code == 206 and len(sent.data) == 100 and "X-Accel-Redirect" not in sent.headers


def test_a_course_without_a_quiz_completes_and_certifies_when_its_video_is_watched_once(make_app, tmp_path,
                                                                                       make_user):
    from elearn.models import Certificate, Completion

    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    folder = write_video_course(root)
    (folder / "course.md").write_text(COURSE.split("quiz:")[0] + "---\n概要です。\n", encoding="utf-8")
    app = make_app(CONTENT_ROOT=str(root))
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    client = app.test_client()
    sign_in(client, make_user())
    assert report(client, [[0, VIDEO_SECONDS]]).get_json()["watched"] is True
    assert report(client, [[0, VIDEO_SECONDS]]).get_json()["watched"] is True  # a later report: no second one
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Completion)) == 1
        assert db.session().scalar(select(func.count()).select_from(Certificate)) == 1
