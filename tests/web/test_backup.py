"""`elearn backup` and `elearn restore`: every row and every stored file comes back in an empty installation;
a backup is taken while another connection writes; a restore refuses a newer schema, a database that holds data
and an archive with a member outside the library, and then changes nothing."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from support import complete

from elearn import backup, db, migrate
from elearn.db import Base
from elearn.domain.people import Permission
from elearn.services.files.stores import library_root

STORED_FILE = "event-materials/1/0f3a/file"  # an event's material, in the file store beside the library
LIBRARY_FILES = {"intro-video/video.mp4": b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40,
                 "intro-video/video.yaml": "title: はじめての動画\n".encode(),
                 "self-check/content/index.html": "<p>自己点検</p>".encode()}


def _rows(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = {table.name: table for table in Base.metadata.sorted_tables}
            found = {name: sorted(connection.execute(select(table)).all(), key=repr) for name, table in tables.items()}
            found["alembic_version"] = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            return found
    finally:
        engine.dispose()


def _files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def installation(app, org, make_user, synced):
    """Staff, a completion with its certificate and a few library files: something in every kind of store."""
    holder = make_user(name="髙﨑 𠮷太郎")
    make_user(division="P102", permissions=[(Permission.MANAGER, "P100")])
    complete(app, holder)
    with app.app_context():
        root = library_root()
    for name, content in LIBRARY_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    # An upload being filed (a dot-folder, renamed into place when complete) is not part of the library yet.
    (root / ".partial-video.partial").mkdir()
    (root / ".partial-video.partial" / "video.mp4").write_bytes(b"half")
    material = Path(app.instance_path) / "files" / STORED_FILE
    material.parent.mkdir(parents=True)
    material.write_bytes(b"%PDF-1.4 event material")
    return root


@pytest.fixture
def empty_target(make_app, empty_database_url, tmp_path):
    """An app on a new, empty database and instance folder."""
    return make_app(DATABASE_URL=empty_database_url, INSTANCE_PATH=str(tmp_path / "restored-instance"))


def _library_of(application) -> Path:
    with application.app_context():
        return library_root()


def test_restore_gives_back_every_row_and_file(app, installation, empty_target, tmp_path):
    archive = tmp_path / "elearn.tar"
    made = app.test_cli_runner().invoke(args=["backup", "-o", str(archive)])
    assert made.exit_code == 0, made.output
    assert "4 files" in made.output and not list(tmp_path.glob(".elearn.tar.partial"))

    restored = empty_target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output

    source, target = _rows(app.config["DATABASE_URL"]), _rows(empty_target.config["DATABASE_URL"])
    assert source == target
    assert len(target["certificates"]) == 1 and len(target["users"]) == 2
    assert _files(_library_of(empty_target)) == LIBRARY_FILES
    assert _files(Path(empty_target.instance_path) / "files") == {STORED_FILE: b"%PDF-1.4 event material"}
    # The restored installation goes on: new rows get new ids (PostgreSQL's sequences came back too).
    with empty_target.app_context():
        assert migrate.is_up_to_date(db.engine())
        with db.write_session() as session:
            session.execute(text("INSERT INTO grades (name, sort_order) VALUES ('新しい職', 99)"))


def test_backup_is_taken_while_another_connection_writes(app, installation, empty_target, tmp_path):
    writer = create_engine(app.config["DATABASE_URL"])
    with writer.connect() as connection:
        connection.execute(text("INSERT INTO grades (name, sort_order) VALUES ('書きかけ', 98)"))
        made = app.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "busy.tar")])
        connection.rollback()
    writer.dispose()
    assert made.exit_code == 0, made.output

    restored = empty_target.test_cli_runner().invoke(args=["restore", str(tmp_path / "busy.tar")])
    assert restored.exit_code == 0, restored.output
    grades = {row.name for row in _rows(empty_target.config["DATABASE_URL"])["grades"]}
    assert "書きかけ" not in grades and len(grades) > 3


def _rewritten(archive: Path, out: Path, manifest_changes: dict | None = None,
               extra: tuple[str, bytes] | None = None) -> Path:
    with tarfile.open(archive) as source, tarfile.open(out, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == backup.MANIFEST and manifest_changes:
                data = json.dumps({**json.loads(data), **manifest_changes}).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
        if extra:
            info = tarfile.TarInfo(extra[0])
            info.size = len(extra[1])
            target.addfile(info, io.BytesIO(extra[1]))
    return out


def _nothing_restored(application) -> None:
    with application.app_context():
        engine = db.engine()
        if engine.url.get_backend_name() == "sqlite":
            assert not Path(engine.url.database).exists() or inspect(engine).get_table_names() == []
        else:
            assert inspect(engine).get_table_names() == []
        library = library_root()
    assert not library.exists() or list(library.iterdir()) == []  # nothing unpacked is left behind either
    assert not (library.parent / "files").exists() or not list((library.parent / "files").rglob("*"))


def test_restore_refuses_a_backup_from_a_newer_schema(app, installation, empty_target, tmp_path):
    made = app.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "now.tar")])
    assert made.exit_code == 0, made.output
    future = _rewritten(tmp_path / "now.tar", tmp_path / "future.tar", {"schema": ["0999_from_the_future"]})

    refused = empty_target.test_cli_runner().invoke(args=["restore", str(future)])

    assert refused.exit_code == 1
    assert "nothing was restored" in refused.output and "newer schema (0999_from_the_future)" in refused.output
    _nothing_restored(empty_target)


def test_restore_refuses_a_database_that_holds_data(app, installation, tmp_path):
    made = app.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "now.tar")])
    assert made.exit_code == 0, made.output
    before = _rows(app.config["DATABASE_URL"])

    refused = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "now.tar")])

    assert refused.exit_code == 1 and "the target database is not empty" in refused.output
    assert "the file store is not empty" in refused.output
    assert _rows(app.config["DATABASE_URL"]) == before


@pytest.mark.parametrize("member", ["files/media-library/../../escaped.txt", "stray.txt", "/etc/elearn.txt",
                                    "files/another-store/x.txt", "files/media-library"])
def test_restore_refuses_an_archive_with_a_member_outside_the_library(app, installation, empty_target, tmp_path,
                                                                      member):
    app.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "now.tar")])
    tampered = _rewritten(tmp_path / "now.tar", tmp_path / "tampered.tar", extra=(member, b"x"))

    refused = empty_target.test_cli_runner().invoke(args=["restore", str(tampered)])

    assert refused.exit_code == 1 and "unexpected member" in refused.output
    _nothing_restored(empty_target)
    assert not (tmp_path / "escaped.txt").exists()


def test_restore_refuses_a_file_that_is_not_a_backup(empty_target, tmp_path):
    (tmp_path / "notes.tar").write_bytes(b"not a tar at all")
    refused = empty_target.test_cli_runner().invoke(args=["restore", str(tmp_path / "notes.tar")])
    assert refused.exit_code == 1 and "cannot read" in refused.output
    _nothing_restored(empty_target)


def test_restore_problems_name_each_reason():
    manifest = backup.Manifest(backup.FORMAT, "2026-12-04T00:00:00+00:00", "sqlite", ["0016"], 0, 0)
    assert backup.restore_problems(manifest, {"0015", "0016"}, "sqlite", [], []) == []
    problems = backup.restore_problems(
        backup.Manifest(2, "", "postgresql", ["0017"], 0, 0), {"0016"}, "sqlite", ["users"], ["video"])
    assert [problem.split(" ")[0:3] for problem in problems] == [
        ["unknown", "backup", "format"], ["the", "backup", "is"], ["the", "backup", "is"],
        ["the", "target", "database"], ["the", "file", "store"]]
