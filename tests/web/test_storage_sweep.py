"""`elearn storage sweep` on the local stores: it lists the folders nothing owns (left by a process killed between
two steps), removes them only with --apply, and leaves everything owned or still being written."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from sqlalchemy import select
from support import PDF, add_material

from elearn import db
from elearn.models import EventMaterial, LibraryUpload, UploadState
from elearn.services.files import uploads
from elearn.services.files.stores import files_store, library_store, staging_store

TWO_DAYS = 2 * 24 * 3600


def put(store, key: str, age_seconds: int = TWO_DAYS) -> None:  # type: ignore[no-untyped-def]
    store.put_stream(key, io.BytesIO(b"x" * 10))
    when = time.time() - age_seconds
    os.utime(store.local_path(key), (when, when))


def age_folder(root: Path, seconds: int = TWO_DAYS) -> None:
    when = time.time() - seconds
    for path in [*root.rglob("*"), root]:
        os.utime(path, (when, when))


def upload_row(author_id: int, slug: str, state: UploadState) -> int:
    with db.write_session() as session:
        upload = LibraryUpload(slug=slug, title=slug, original_name=f"{slug}.mp4", size_bytes=10,
                               uploaded_by_id=author_id, state=state)
        session.add(upload)
        session.flush()
        return upload.id


def test_the_sweep_lists_then_removes_only_what_nothing_owns(app, org, make_user):
    organiser, material_address = add_material(app, org, make_user)
    author = make_user()
    with app.test_request_context():
        library, staging, files = library_store(), staging_store(), files_store()
        put(library, "talk/video.mp4")
        put(library, "talk/video.yaml")  # a whole library video
        put(library, "broken/video.mp4")  # a put cut short: no manifest
        put(library, "putting/video.mp4", age_seconds=60)  # being put right now
        checking = upload_row(author.id, "checking", UploadState.CHECKING)
        ready = upload_row(author.id, "ready", UploadState.READY)
        put(staging, f"{checking}/video.mp4")  # waits for the worker (or its retry)
        put(staging, f"{ready}/video.mp4")  # filed, but its staged copy was never removed
        put(staging, "99999/video.mp4")  # its row rolled back after the file was written
        put(staging, "notes/readme.txt")  # not a folder the sweep knows
        kept_import = uploads.save_pending(author.id, b"staff,csv", "staff.csv")
        stale_import = uploads.save_pending(author.id, b"staff,csv", "old.csv")
        age_folder(Path(staging.local_path(f"imports/{author.id}-{stale_import}")))
        put(files, "event-materials/999/0a1b2c3d/file")  # its row rolled back
        material_key = db.session().scalar(select(EventMaterial.storage_key))
        age_folder(Path(files.local_path(material_key)).parent)
        db.session().rollback()

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["storage", "sweep"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert [tuple(line.split("\t")[:2]) for line in lines[:-1]] == [
        ("library", "broken"), ("staging", str(ready)), ("staging", "99999"),
        ("staging", f"imports/{author.id}-{stale_import}"), ("files", "event-materials/999/0a1b2c3d")]
    assert lines[-1].startswith("5 orphan folders") and "nothing removed" in lines[-1]
    with app.test_request_context():
        assert library.head("broken/video.mp4") is not None and staging.head("99999/video.mp4") is not None

    removed = runner.invoke(args=["storage", "sweep", "--apply"])
    assert removed.exit_code == 0, removed.output
    assert removed.output.splitlines()[-1].startswith("removed 5 of 5 orphan folders")
    with app.test_request_context():
        assert {item.key.split("/")[0] for item in library.files()} == {"talk", "putting"}
        assert sorted(item.key for item in staging.files() if not item.key.startswith("imports/")) == [
            f"{checking}/video.mp4", "notes/readme.txt"]
        assert uploads.load_pending(author.id, kept_import) is not None
        assert uploads.load_pending(author.id, stale_import) is None
        assert [item.key for item in files.files()] == [material_key]
    with organiser.get(material_address) as download:  # still served
        assert download.data == PDF

    again = runner.invoke(args=["storage", "sweep", "--apply"])
    assert again.output.splitlines()[-1].startswith("removed 0 of 0")


def test_a_shorter_age_takes_younger_folders_but_never_a_pending_import_within_its_day(app, make_user):
    author = make_user()
    with app.test_request_context():
        put(library_store(), "broken/video.mp4", age_seconds=3 * 3600)
        pending = uploads.save_pending(author.id, b"staff,csv", "staff.csv")
        age_folder(Path(staging_store().local_path(f"imports/{author.id}-{pending}")), 3 * 3600)
    runner = app.test_cli_runner()
    assert "0 orphan folders" in runner.invoke(args=["storage", "sweep"]).output
    listed = runner.invoke(args=["storage", "sweep", "--min-age-hours", "1"]).output
    assert listed.splitlines()[0].startswith("library\tbroken\t1 files") and "1 orphan folders" in listed
    assert runner.invoke(args=["storage", "sweep", "--min-age-hours", "0"]).exit_code != 0  # at least an hour


def test_the_nightly_job_removes_the_orphans(app, make_user):
    from elearn import jobs

    with app.test_request_context():
        put(library_store(), "broken/video.mp4")
        put(library_store(), "talk/video.yaml")
    outcome = jobs.task("storage_sweep", app).call_local()
    assert outcome == {"found": 1, "removed": 1}
    with app.test_request_context():
        assert [item.key for item in library_store().files()] == ["talk/video.yaml"]


def test_work_folders_a_killed_process_left_are_removed_once_a_day_old(app):
    """A worker killed while it assembled a library folder leaves its work folder (a video's can be gigabytes)."""
    with app.test_request_context():
        library = library_store()
        library.put_stream("talk/video.yaml", io.BytesIO(b"title: x"))
        root = Path(library.local_path("talk")).parent
    left, working = root / ".building-k1ll3d", root / ".building-busy"
    for folder in (left, working):
        (folder / "tree").mkdir(parents=True)
        (folder / "tree" / "video.mp4").write_bytes(b"v" * 1000)
    age_folder(left)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["storage", "sweep"]).output.splitlines()
    assert listed[0].split("\t")[:4] == ["work", str(left), "1 files", "1,000 bytes"] and len(listed) == 2
    assert runner.invoke(args=["storage", "sweep", "--apply"]).output.splitlines()[-1].startswith("removed 1 of 1")
    assert not left.exists() and (working / "tree" / "video.mp4").exists()
    with app.test_request_context():
        assert [item.key for item in library.files()] == ["talk/video.yaml"]
