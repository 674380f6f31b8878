"""The video library: uploads checked by the worker and re-muxed, or refused with nothing kept."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from support import SAMPLE_CONTENT, csrf_token_from, run_queued, sign_in

from elearn import db
from elearn.demo.video import make_test_video
from elearn.domain.people import Permission
from elearn.models import LibraryUpload, UploadState

CAPTIONS = "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n最初の字幕\n\n00:00:01.500 --> 00:00:03.000\n次の字幕\n"


@pytest.fixture(scope="module")
def video_bytes(tmp_path_factory) -> bytes:
    """As many cameras and editors write it: the index (moov) after the media data (mdat)."""
    path = tmp_path_factory.mktemp("upload") / "talk.mp4"
    make_test_video(path, seconds=3, index_first=False)
    data = path.read_bytes()
    assert data.find(b"mdat") < data.find(b"moov")
    return data


@pytest.fixture
def library_app(make_app, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    return make_app(CONTENT_ROOT=str(root), QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}")


@pytest.fixture
def author(library_app, make_user):
    return make_user(permissions=[(Permission.AUTHOR, None)])


@pytest.fixture
def client(library_app, author):
    client = library_app.test_client()
    sign_in(client, author)
    return client




def upload(client, video: bytes, captions: str = CAPTIONS, slug: str = "talk", **extra):
    data = {"title": "話し方の基本", "slug": slug, "video": (io.BytesIO(video), "talk.mp4"),
            "captions_ja": (io.BytesIO(captions.encode()), "talk.ja.vtt"), **extra}
    return client.post("/media/", data=data, content_type="multipart/form-data")


def stored(app) -> list[LibraryUpload]:
    with app.app_context():
        return list(db.session().scalars(select(LibraryUpload)))


def leftovers(app) -> list[str]:
    instance = Path(app.instance_path)
    return sorted(str(p.relative_to(instance)) for folder in ("media-staging", "media-library")
                  for p in (instance / folder).rglob("*") if p.is_file())


def test_an_upload_is_checked_by_the_worker_re_muxed_and_then_a_lesson_plays_it(client, library_app, video_bytes):
    answer = upload(client, video_bytes, captions_en=(io.BytesIO(b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHi\n"),
                                                       "talk.en.vtt"))
    assert answer.status_code == 302
    (row,) = stored(library_app)
    assert row.state == UploadState.CHECKING and row.size_bytes == len(video_bytes)
    assert "確認中" in client.get("/media/").get_data(as_text=True)
    assert client.get(f"/media/{row.id}.json").get_json() == {"state": "checking", "checking": True}
    assert run_queued(library_app) == ["check_video_upload"]
    (row,) = stored(library_app)
    assert row.state == UploadState.READY and 2.9 < row.duration < 3.2
    assert leftovers(library_app) == ["media-library/talk/en.vtt", "media-library/talk/ja.vtt",
                                      "media-library/talk/video.mp4", "media-library/talk/video.yaml"]
    kept = Path(library_app.instance_path) / "media-library/talk/video.mp4"
    data = kept.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")  # re-muxed with the index first: playing starts at once
    page = client.get("/media/").get_data(as_text=True)
    assert "使用できます" in page and "video: {library: talk}" in page

    lesson_file = Path(library_app.config["CONTENT_ROOT"]) / "courses/sample-course/03-talk.md"
    lesson_file.write_text("---\ntitle: 話し方\nvideo:\n  library: talk\n---\n", encoding="utf-8")
    sync = library_app.test_cli_runner().invoke(args=["content", "sync"])
    assert sync.exit_code == 0, sync.output
    lesson = client.get("/courses/sample-course/03-talk").get_data(as_text=True)
    assert '<source src="/learn/library/talk/video.mp4?v=' in lesson and "最初の字幕" in lesson
    served = client.get("/learn/library/talk/video.mp4", headers={"Range": "bytes=0-99"})
    assert served.status_code == 206 and served.mimetype == "video/mp4" and len(served.data) == 100
    served.close()
    assert client.get("/learn/library/talk/video.yaml").status_code == 404


def test_a_failure_of_the_store_while_checking_leaves_the_upload_for_the_retry(client, library_app, video_bytes):
    """The disk's fault, not the upload's: the upload stays staged and checking, and the retry files it."""
    from elearn.services import media

    upload(client, video_bytes)
    (row,) = stored(library_app)
    library = Path(library_app.instance_path) / "media-library"
    library.write_text("a file where the library's folder belongs")
    with library_app.app_context(), pytest.raises(OSError):
        media.check(row.id)
    assert stored(library_app)[0].state == UploadState.CHECKING
    assert f"media-staging/{row.id}/video.mp4" in leftovers(library_app)
    library.unlink()
    with library_app.app_context():
        assert media.check(row.id) == UploadState.READY
    assert not [name for name in leftovers(library_app) if name.startswith("media-staging/")]


@pytest.mark.parametrize(("video", "captions", "words"), [
    (b"<!doctype html><script>alert(document.cookie)</script>", CAPTIONS, "MP4 または WebM の動画ではありません"),
    (None, "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<script>alert(1)</script>\n", "line 4: &lt;script&gt; is not"),
    (None, "1\n00:00:00,000 --> 00:00:01,000\nSRT, not WebVTT\n", "must start with a line &#39;WEBVTT&#39;"),
])
def test_a_hostile_or_wrong_file_is_refused_in_the_form_and_nothing_is_stored(client, library_app, video_bytes,
                                                                             video, captions, words):
    answer = upload(client, video or video_bytes, captions)
    assert answer.status_code == 400 and words in answer.get_data(as_text=True)
    assert stored(library_app) == [] and leftovers(library_app) == [] and run_queued(library_app) == []


def test_a_video_cut_short_or_captions_past_its_end_are_refused_by_the_check_and_nothing_is_kept(
        client, library_app, tmp_path):
    make_test_video(tmp_path / "long.mp4", seconds=10)
    data = (tmp_path / "long.mp4").read_bytes()
    upload(client, data[: len(data) // 2], slug="cut")
    upload(client, data, CAPTIONS.replace("00:00:03.000", "00:00:30.000"), slug="late")
    run_queued(library_app)
    reasons = {row.slug: (row.state, row.reason) for row in stored(library_app)}
    assert reasons["cut"][0] == UploadState.REFUSED and "cut short" in reasons["cut"][1]
    assert reasons["late"][0] == UploadState.REFUSED and "ja captions, line 6" in reasons["late"][1]
    assert leftovers(library_app) == []
    assert "cut short" in client.get("/media/").get_data(as_text=True)


def test_an_upload_over_the_limit_is_refused_with_the_limit_named(make_app, tmp_path, author, video_bytes):
    app = make_app(QUEUE_URL=f"sqlite:///{tmp_path / 'q.sqlite3'}", VIDEO_UPLOAD_LIMIT=len(video_bytes) // 2)
    client = app.test_client()
    sign_in(client, author)
    answer = upload(client, video_bytes)
    assert answer.status_code == 413 and "MB" in answer.get_data(as_text=True)
    assert "何も保存していません" in answer.get_data(as_text=True) and stored(app) == []


def test_only_authors_and_administrators_upload_and_a_post_needs_its_csrf_token(make_app, library_app, make_user,
                                                                               author, video_bytes):
    learner = make_user()
    learner_client = library_app.test_client()
    sign_in(learner_client, learner)
    assert learner_client.get("/media/").status_code == 403
    assert upload(learner_client, video_bytes).status_code == 403
    assert "/media/" not in learner_client.get("/").get_data(as_text=True)
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    sign_in(guarded, author, csrf_token=csrf_token_from(guarded.get("/sign-in").get_data(as_text=True)))
    assert upload(guarded, video_bytes).status_code == 400
    assert stored(library_app) == []


def test_a_taken_name_is_refused(client, library_app, video_bytes):
    upload(client, video_bytes)
    answer = upload(client, video_bytes)
    assert answer.status_code == 400 and "talk" in answer.get_data(as_text=True)
    assert len(stored(library_app)) == 1


def scorm_zip(members: dict[str, str]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def upload_scorm(client, data: bytes, slug: str = "self-check"):
    return client.post("/media/scorm", data={"slug": slug, "package": (io.BytesIO(data), "package.zip")},
                       content_type="multipart/form-data")


def test_a_scorm_package_uploaded_on_the_web_is_unpacked_by_the_worker_and_a_lesson_names_it(
        client, library_app):
    from support import MANIFEST_12

    good = scorm_zip({"imsmanifest.xml": MANIFEST_12, "intro.html": "<p>i</p>", "check/index.html": "<p>c</p>"})
    assert upload_scorm(client, good).status_code == 302
    (row,) = stored(library_app)
    assert (row.kind, row.state, row.title) == ("scorm", UploadState.CHECKING, "セキュリティ自己点検")
    assert run_queued(library_app) == ["import_scorm_upload"]
    assert stored(library_app)[0].state == UploadState.READY
    assert "scorm: {package: self-check}" in client.get("/media/").get_data(as_text=True)
    assert "media-library/self-check/content/check/index.html" in leftovers(library_app)
    lesson_file = Path(library_app.config["CONTENT_ROOT"]) / "courses/sample-course/03-package.md"
    lesson_file.write_text("---\ntitle: 点検\nminutes: 5\nscorm:\n  package: self-check\n---\n", encoding="utf-8")
    assert library_app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    assert 'class="scorm-frame"' in client.get("/courses/sample-course/03-package").get_data(as_text=True)


@pytest.mark.parametrize(("members", "words"), [
    ({"imsmanifest.xml": "x", "../../evil.html": "x"}, "leading outside the package"),
    ({"imsmanifest.xml": '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                         "<manifest>&x;</manifest>"}, "DTD or entities"),
    ({"index.html": "no manifest"}, "imsmanifest.xml is missing"),
])
def test_a_hostile_scorm_zip_is_refused_in_the_form_and_nothing_is_stored(client, library_app, members, words):
    answer = upload_scorm(client, scorm_zip(members))
    assert answer.status_code == 400 and words in answer.get_data(as_text=True)
    assert stored(library_app) == [] and leftovers(library_app) == [] and run_queued(library_app) == []


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, library_app):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", "<manifest/>")
        archive.writestr("zeros.bin", b"\0" * (30 * 1024 * 1024))
    answer = upload_scorm(client, buffer.getvalue())
    assert answer.status_code == 400 and "a zip bomb" in answer.get_data(as_text=True)
    assert stored(library_app) == [] and leftovers(library_app) == []
