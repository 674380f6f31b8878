"""The media library and upload staging in an S3-compatible bucket (ELEARN_FILE_STORE=s3).

No S3 server installs on these machines: moto's standalone server (`python -m moto.server`) runs on loopback
and speaks the S3 protocol over HTTP, so boto3 here makes the same requests it makes to a real store.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from sqlalchemy import func, select
from support import (
    MANIFEST_12,
    PDF,
    SAMPLE_CONTENT,
    WERKZEUG_LISTENING,
    add_material,
    free_port,
    run_queued,
    sign_in,
    wait_for_server,
)

from elearn import db
from elearn.clock import utcnow
from elearn.demo.video import make_test_video
from elearn.domain.people import Permission
from elearn.models import LibraryUpload, UploadState
from elearn.storage.local import LocalStore
from elearn.storage.s3 import S3Store

CAPTIONS = "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n最初の字幕\n\n00:00:01.500 --> 00:00:03.000\n次の字幕\n"
PACKAGES = "http://scorm.localhost"


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory) -> str:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "elearn-test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "elearn-test")
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as log_file:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                  stdout=log_file, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(endpoint, server, log, path="/", listening=WERKZEUG_LISTENING, seconds=30)
        yield endpoint
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def bucket(s3_endpoint) -> str:
    name = f"elearn-{uuid.uuid4().hex[:12]}"
    client(s3_endpoint).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    return name


def client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("s3", endpoint_url=endpoint)


def keys(endpoint: str, bucket: str) -> list[str]:
    listed = client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def s3_config(endpoint: str, bucket: str, prefix: str = "pref") -> dict:
    return {"FILE_STORE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, "S3_PREFIX": prefix}


@pytest.fixture
def s3_app(make_app, tmp_path, s3_endpoint, bucket):
    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    return make_app(CONTENT_ROOT=str(root), QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
                    SCORM_CONTENT_URL=PACKAGES, **s3_config(s3_endpoint, bucket))


@pytest.fixture
def author_client(s3_app, make_user):
    author = make_user(permissions=[(Permission.AUTHOR, None)])
    test_client = s3_app.test_client()
    sign_in(test_client, author)
    return test_client




def local_files(app) -> list[str]:
    instance = Path(app.instance_path)
    return sorted(str(p.relative_to(instance)) for folder in ("media-staging", "media-library", "media-work")
                  for p in (instance / folder).rglob("*") if p.is_file())


def upload_video(test_client, video: bytes, slug: str = "talk"):
    return test_client.post("/media/", content_type="multipart/form-data", data={
        "title": "話し方の基本", "slug": slug, "video": (io.BytesIO(video), "talk.mp4"),
        "captions_ja": (io.BytesIO(CAPTIONS.encode()), "talk.ja.vtt")})


@pytest.fixture(scope="module")
def video_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("s3-upload") / "talk.mp4"
    make_test_video(path, seconds=3, index_first=False)
    return path.read_bytes()


def test_a_video_is_staged_checked_and_filed_in_the_bucket_and_a_lesson_plays_it_in_ranges(
        s3_app, author_client, video_bytes, s3_endpoint, bucket):
    assert upload_video(author_client, video_bytes).status_code == 302
    with s3_app.app_context():
        (row,) = db.session().scalars(select(LibraryUpload))
    assert keys(s3_endpoint, bucket) == [f"pref/staging/{row.id}/ja.vtt", f"pref/staging/{row.id}/video.mp4"]
    assert row.size_bytes == len(video_bytes)
    assert run_queued(s3_app) == ["check_video_upload"]
    assert keys(s3_endpoint, bucket) == ["pref/library/talk/ja.vtt", "pref/library/talk/video.mp4",
                                         "pref/library/talk/video.yaml"]
    assert local_files(s3_app) == []  # nothing of it on this server's disk: another server sees it all
    kept = client(s3_endpoint).get_object(Bucket=bucket, Key="pref/library/talk/video.mp4")["Body"].read()
    assert 0 < kept.find(b"moov") < kept.find(b"mdat")  # re-muxed by the worker, index first

    lesson_file = Path(s3_app.config["CONTENT_ROOT"]) / "courses/sample-course/03-talk.md"
    lesson_file.write_text("---\ntitle: 話し方\nvideo:\n  library: talk\n---\n", encoding="utf-8")
    sync = s3_app.test_cli_runner().invoke(args=["content", "sync"])
    assert sync.exit_code == 0, sync.output
    lesson = author_client.get("/courses/sample-course/03-talk").get_data(as_text=True)
    source = re.search(r'<source src="(/learn/library/talk/video.mp4\?v=[^"]+)"', lesson)[1]
    assert source.endswith(f"?v=u{row.id}") and "最初の字幕" in lesson

    whole = author_client.get(source)
    assert whole.status_code == 200 and whole.data == kept and whole.mimetype == "video/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes" and "immutable" in whole.headers["Cache-Control"]
    assert "private" in whole.headers["Cache-Control"]
    part = author_client.get(source, headers={"Range": "bytes=1000-1099"})
    assert part.status_code == 206 and part.data == kept[1000:1100]
    assert part.headers["Content-Range"] == f"bytes 1000-1099/{len(kept)}"
    tail = author_client.get(source, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == kept[-10:]
    assert author_client.get(source, headers={"Range": f"bytes={len(kept)}-"}).status_code == 416
    stale = author_client.get(source, headers={"Range": "bytes=0-9", "If-Range": '"another"'})
    assert stale.status_code == 200 and stale.data == kept  # not the file the browser had a part of
    again = author_client.get(source, headers={"If-None-Match": whole.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    unversioned = author_client.get("/learn/library/talk/video.mp4")
    assert "no-cache" in unversioned.headers["Cache-Control"]
    assert author_client.get("/learn/library/talk/video.yaml").status_code == 404
    assert author_client.get("/learn/library/talk/missing.mp4").status_code == 404
    anonymous = s3_app.test_client().get(source)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]


def test_a_refused_video_leaves_nothing_in_the_bucket(s3_app, author_client, video_bytes, s3_endpoint, bucket):
    cut = video_bytes[: len(video_bytes) // 2]
    assert upload_video(author_client, cut, slug="cut").status_code == 302
    run_queued(s3_app)
    with s3_app.app_context():
        (row,) = db.session().scalars(select(LibraryUpload))
    assert row.state == UploadState.REFUSED and row.reason
    assert keys(s3_endpoint, bucket) == [] and local_files(s3_app) == []


def test_a_scorm_package_is_unpacked_into_the_bucket_and_served_on_the_package_origin(
        s3_app, author_client, s3_endpoint, bucket, make_user):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("imsmanifest.xml", MANIFEST_12)
        package.writestr("intro.html", "<p>はじめに</p>")
        package.writestr("check/index.html", "<script>API.LMSInitialize('')</script>")
    answer = author_client.post("/media/scorm", content_type="multipart/form-data", data={
        "slug": "self-check", "package": (io.BytesIO(archive.getvalue()), "package.zip")})
    assert answer.status_code == 302
    assert run_queued(s3_app) == ["import_scorm_upload"]
    assert keys(s3_endpoint, bucket) == [
        "pref/library/self-check/content/check/index.html", "pref/library/self-check/content/imsmanifest.xml",
        "pref/library/self-check/content/intro.html", "pref/library/self-check/package.yaml"]
    assert local_files(s3_app) == []
    lesson_file = Path(s3_app.config["CONTENT_ROOT"]) / "courses/sample-course/03-package.md"
    lesson_file.write_text("---\ntitle: 点検\nminutes: 5\nscorm:\n  package: self-check\n---\n", encoding="utf-8")
    assert s3_app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0

    learner = s3_app.test_client()
    sign_in(learner, make_user())
    page = learner.get("/courses/sample-course/03-package?item=i2").get_data(as_text=True)
    player = re.search(r'<iframe class="scorm-frame" src="([^"]+)"', page)[1].removeprefix(PACKAGES)
    served = learner.get(player + "p/check/index.html", base_url=PACKAGES)
    assert served.status_code == 200 and b"LMSInitialize" in served.data
    assert served.headers["Cache-Control"] == "no-store" and "Expires" not in served.headers
    assert learner.get(player + "p/../package.yaml", base_url=PACKAGES).status_code == 404
    assert learner.get(player + "p/missing.html", base_url=PACKAGES).status_code == 404


def test_an_event_material_goes_to_the_bucket_and_goes_with_its_row(s3_app, org, make_user, s3_endpoint, bucket):
    organiser, address = add_material(s3_app, org, make_user)
    (key,) = keys(s3_endpoint, bucket)
    assert key.startswith("pref/files/event-materials/") and local_files(s3_app) == []
    download = organiser.get(address)
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    organiser.post(address.replace("/events/materials/", "/events/manage/materials/") + "/delete")
    assert keys(s3_endpoint, bucket) == [] and organiser.get(address).status_code == 404


def test_backup_and_restore_carry_the_bucket_files(s3_app, author_client, video_bytes, s3_endpoint, bucket,
                                                   make_app, empty_database_url, tmp_path, org, make_user):
    upload_video(author_client, video_bytes)
    run_queued(s3_app)
    add_material(s3_app, org, make_user)
    with s3_app.app_context():
        before_rows = db.session().scalar(select(func.count()).select_from(LibraryUpload))
    archive = tmp_path / "elearn.tar"
    made = s3_app.test_cli_runner().invoke(args=["backup", "-o", str(archive)])
    assert made.exit_code == 0 and "4 files" in made.output, made.output

    restored_app = make_app(DATABASE_URL=empty_database_url, INSTANCE_PATH=str(tmp_path / "restored-instance"),
                            **s3_config(s3_endpoint, bucket, "other"))
    done = restored_app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert done.exit_code == 0, done.output
    original = {key.removeprefix("pref/"): client(s3_endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()
                for key in keys(s3_endpoint, bucket) if key.startswith("pref/")}
    copied = {key.removeprefix("other/"): client(s3_endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()
              for key in keys(s3_endpoint, bucket) if key.startswith("other/")}
    assert copied == original and len(copied) == 4
    with restored_app.app_context():
        assert db.session().scalar(select(func.count()).select_from(LibraryUpload)) == before_rows
    refused = restored_app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert refused.exit_code == 1 and "the file store is not empty (it holds media-library/talk/" in refused.output


def test_an_unreachable_store_answers_503_and_keeps_no_upload(make_app, make_user, tmp_path, video_bytes):
    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    app = make_app(CONTENT_ROOT=str(root), QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
                   **s3_config(f"http://127.0.0.1:{free_port()}", "gone"))
    author = app.test_client()
    sign_in(author, make_user(permissions=[(Permission.AUTHOR, None)]))
    answer = upload_video(author, video_bytes)
    assert answer.status_code == 503 and "ファイルの保管場所" in answer.get_data(as_text=True)
    assert answer.headers["Retry-After"] == "30"
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(LibraryUpload)) == 0
    assert run_queued(app) == []
    assert author.get("/learn/library/talk/video.mp4").status_code == 503


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path, s3_endpoint):
    if request.param == "local":
        return LocalStore(tmp_path / "library")
    name = f"elearn-{uuid.uuid4().hex[:12]}"
    client(s3_endpoint).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    return S3Store.from_config(s3_config(s3_endpoint, name), "library", tmp_path / "work")


def test_both_stores_keep_the_same_contract(store, tmp_path):
    assert store.work_folders() == []
    with store.building() as folder:
        (folder / "content").mkdir(parents=True)
        (folder / "content/a.html").write_bytes(b"0123456789")
        (folder / "package.yaml").write_text("title: x\n")
        assert [folder.parent] == store.work_folders()  # what a killed process would leave, for the sweep
        store.put_tree(folder, "pkg", last="package.yaml")
    assert store.work_folders() == []
    assert [stored.key for stored in store.files()] == ["pkg/content/a.html", "pkg/package.yaml"]
    assert store.has_prefix("pkg") and not store.has_prefix("pk") and not store.has_prefix("other")
    assert store.read_bytes("pkg/package.yaml") == b"title: x\n"
    assert b"".join(store.read_range("pkg/content/a.html", 2, 5)) == b"234"
    assert store.head("pkg/content/a.html").size == 10 and store.head("pkg/nothing") is None
    with pytest.raises(FileNotFoundError):
        store.read_bytes("pkg/nothing")
    with store.building() as folder:
        folder.mkdir()
        (folder / "x").write_bytes(b"x")
        with pytest.raises(FileExistsError):
            store.put_tree(folder, "pkg")
    for hostile in ("../outside", "pkg/../../x", "/etc/passwd", "pkg//a"):
        with pytest.raises(ValueError):
            store.read_bytes(hostile)
    assert store.put_stream("up/1/video.mp4", io.BytesIO(b"v" * 70_000)) == 70_000
    with store.local_tree("up/1") as local:
        assert (local / "video.mp4").read_bytes() == b"v" * 70_000
        # The bucket's copy is a download on this machine's disk; local disk hands out the folder itself.
        assert store.work_folders() == ([local] if isinstance(store, S3Store) else [])
    assert store.work_folders() == []
    store.delete_prefix("up/1")
    assert not store.has_prefix("up") or not list(store.files("up"))
    assert [stored.key for stored in store.files()] == ["pkg/content/a.html", "pkg/package.yaml"]


@pytest.mark.parametrize(("settings", "words"), [
    ({"FILE_STORE": "nfs"}, "ELEARN_FILE_STORE must be local or s3"),
    ({"FILE_STORE": "S3", "S3_BUCKET": None}, "ELEARN_S3_BUCKET must be set"),
])
def test_a_misconfigured_store_stops_the_app_at_start_not_at_the_first_file(make_app, settings, words):
    from elearn.config import ConfigError

    with pytest.raises(ConfigError, match=words):
        make_app(**settings)


def test_the_sweep_finds_and_removes_folders_nothing_owns_in_the_bucket(s3_app, org, make_user, s3_endpoint, bucket):
    from elearn.services.files import sweep
    from elearn.services.files.stores import files_store, library_store

    add_material(s3_app, org, make_user)  # owned by its row
    with s3_app.test_request_context():
        library_store().put_stream("broken/video.mp4", io.BytesIO(b"cut short"))  # no manifest
        library_store().put_stream("talk/video.yaml", io.BytesIO(b"title: whole"))
        files_store().put_stream("event-materials/999/0a1b2c3d/file", io.BytesIO(PDF))  # no row
        download = Path(s3_app.instance_path) / "media-work" / "download-k1ll3d"  # a check's copy, left behind
        download.mkdir(parents=True)
        (download / "video.mp4").write_bytes(b"v" * 100)
        # The objects were written just now: seen from two days on, they are old enough.
        later = utcnow() + timedelta(days=2)
        assert sweep.find(utcnow()) == []
        orphans = sweep.find(later)
        assert [(orphan.area, orphan.folder) for orphan in orphans] == [
            ("library", "broken"), ("files", "event-materials/999/0a1b2c3d"), ("work", str(download))]
        assert sweep.remove(orphans) == 3 and not download.exists()
    left = keys(s3_endpoint, bucket)
    assert "pref/library/talk/video.yaml" in left and len(left) == 2
    assert all("broken" not in key and "0a1b2c3d" not in key for key in left)


def test_while_the_bucket_cannot_be_read_content_pages_answer_at_once_and_come_back_with_it(
        make_app, make_user, tmp_path, s3_endpoint, video_bytes, monkeypatch):
    """The content names a library video, so loading it reads the bucket. Unreadable, it answers 503; for the next
    half-minute pages are answered at once instead of each waiting for the store's timeouts; then it is read again."""
    from elearn.services.learning import content

    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    name = f"elearn-{uuid.uuid4().hex[:12]}"  # not made yet: the store refuses every read
    app = make_app(CONTENT_ROOT=str(root), QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
                   **s3_config(s3_endpoint, name))
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    (root / "courses/sample-course/03-talk.md").write_text("---\ntitle: 話し方\nvideo:\n  library: talk\n---\n",
                                                           encoding="utf-8")
    reads = []
    read_bytes = S3Store.read_bytes

    def counted(self, key):  # type: ignore[no-untyped-def]
        reads.append(key)
        return read_bytes(self, key)

    monkeypatch.setattr(S3Store, "read_bytes", counted)
    learner = app.test_client()
    sign_in(learner, make_user())
    first = learner.get("/courses/sample-course/")
    assert first.status_code == 503 and "ファイルの保管場所" in first.get_data(as_text=True)
    assert reads == ["talk/video.yaml"]
    assert learner.get("/").status_code == 503 and learner.get("/courses/sample-course/").status_code == 503
    assert reads == ["talk/video.yaml"]  # answered at once: the store was not asked again

    client(s3_endpoint).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    monkeypatch.setattr(content, "LOAD_RETRY_SECONDS", 0)  # the half-minute has passed
    author = app.test_client()
    sign_in(author, make_user(permissions=[(Permission.AUTHOR, None)]))
    assert upload_video(author, video_bytes).status_code == 302 and run_queued(app) == ["check_video_upload"]
    page = learner.get("/courses/sample-course/")
    assert page.status_code == 200 and "話し方" in page.get_data(as_text=True)
