"""Backups: the database and the stored files in one tar archive, and their restore into an empty installation.

An archive holds, in this order: `elearn-backup.json` (what it is: format, database kind, schema revision,
file count), the database (`database.sqlite3`, a copy made through SQLite's online backup API, or
`database.pgdump`, `pg_dump --format=custom`), then the stored files, each store under its own folder
(`files/media-library/`, `files/stored-files/`), read through the store (local disk or an object store). The
database is copied before the files: a file is stored before the row that names it, so every row in a backup
finds its files.

Restore is all or nothing: the archive is checked whole (manifest, schema, member names) and the files are
unpacked beside the library before the database is touched; the files move into place only once the
database is in. It refuses a backup from a newer schema than this code knows (upgrade elearn first) and a
target that already holds data. Not in a backup: the job queue (jobs are redone or expire) and imports
waiting between preview and apply (in the staging store, kept a day).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path, PurePosixPath

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect
from sqlalchemy.engine import URL, Engine

from elearn import migrate
from elearn.storage import FileStore, StoredFile

FORMAT = 1
MANIFEST = "elearn-backup.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
FILES_PREFIX = "files"


class BackupError(RuntimeError):
    """Said to the operator as it is; nothing was written or changed."""


@dataclass(frozen=True)
class Manifest:
    format: int
    created_at: str
    dialect: str
    schema: list[str]
    files: int
    file_bytes: int

    @property
    def database_member(self) -> str:
        return SQLITE_MEMBER if self.dialect == "sqlite" else POSTGRES_MEMBER


@dataclass(frozen=True)
class Summary:
    manifest: Manifest
    archive_bytes: int
    upgraded_to: list[str]


def restore_problems(manifest: Manifest, known_revisions: set[str], target_dialect: str,
                     target_tables: Iterable[str], stored_entries: Iterable[str]) -> list[str]:
    """Why the archive cannot be restored here (none: it can). Plain data in, sentences out."""
    problems = []
    if manifest.format != FORMAT:
        problems.append(f"unknown backup format {manifest.format} (this elearn reads format {FORMAT})")
    unknown = sorted(set(manifest.schema) - known_revisions)
    if unknown:
        problems.append(f"the backup is from a newer schema ({', '.join(unknown)}) than this elearn knows: "
                        "install the elearn version that made it, or a newer one, and restore with that")
    if manifest.dialect != target_dialect:
        problems.append(f"the backup is of a {manifest.dialect} database and the target is {target_dialect}: "
                        "restore into the same kind of database")
    tables = sorted(target_tables)
    if tables:
        problems.append(f"the target database is not empty (it has {len(tables)} tables, e.g. {tables[0]}): "
                        "restore into a new, empty database")
    entries = sorted(stored_entries)
    if entries:
        problems.append(f"the file store is not empty (it holds {entries[0]}): "
                        "restore into an empty or missing folder, or an empty bucket prefix")
    return problems


def write_backup(engine: Engine, stores: dict[str, FileStore], out: Path) -> Summary:
    """Write the archive to `out` (through a temporary name: a failed backup leaves no file)."""
    out = out.resolve()
    partial = out.with_name(f".{out.name}.partial")
    url = engine.url
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".elearn-backup-") as work:
        database_file = Path(work) / "database"
        schema = sorted(migrate.current_heads(engine))
        if url.get_backend_name() == "sqlite":
            _copy_sqlite(_sqlite_path(url), database_file)
        elif url.get_backend_name() == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={database_file}"],
                 url, "pg_dump")
        else:
            raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")
        # Finished files only: a library folder being filed is not yet part of the library.
        files = [(folder, stored) for folder, store in stores.items() for stored in store.files()]
        manifest = Manifest(FORMAT, datetime.now(UTC).isoformat(timespec="seconds"), url.get_backend_name(),
                            schema, len(files), sum(stored.size for _, stored in files))
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
                _add_bytes(archive, MANIFEST, json.dumps(manifest.__dict__, indent=1).encode())
                archive.add(database_file, arcname=manifest.database_member, recursive=False)
                for folder, stored in files:
                    _add_stored(archive, f"{FILES_PREFIX}/{folder}/{stored.key}", stores[folder], stored)
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    return Summary(manifest, out.stat().st_size, [])


def read_manifest(archive_path: Path) -> Manifest:
    try:
        with tarfile.open(archive_path, "r:") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupError(f"{archive_path} is not an elearn backup (it does not begin with {MANIFEST})")
            raw = json.loads(archive.extractfile(first).read())
        return Manifest(int(raw["format"]), str(raw["created_at"]), str(raw["dialect"]),
                        [str(revision) for revision in raw["schema"]], int(raw["files"]), int(raw["file_bytes"]))
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"cannot read {archive_path}: {error}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{archive_path}: its {MANIFEST} is damaged ({error!r})") from None


def restore_backup(archive_path: Path, engine: Engine, stores: dict[str, FileStore]) -> Summary:
    """Restore the archive into the empty database of `engine` and the empty file stores `stores`."""
    manifest = read_manifest(archive_path)
    held = [f"{folder}/{stored.key}" for folder, store in stores.items() for stored in islice(store.files(), 1)]
    problems = restore_problems(manifest, _known_revisions(), engine.url.get_backend_name(), _tables(engine), held)
    if problems:
        raise BackupError("; ".join(problems))
    engine.dispose()
    library = stores["media-library"]
    # Unpacked where the library can take it in one rename per folder (local disk), or put from (a bucket).
    with library.building() as work:
        work.mkdir()
        unpacked = work / "files"
        database_file = work / "database"
        _unpack(archive_path, manifest, set(stores), unpacked, database_file)
        if manifest.dialect == "sqlite":
            _restore_sqlite(database_file, _sqlite_path(engine.url))
        else:
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  f"--dbname={engine.url.database}", str(database_file)], engine.url, "pg_restore")
        engine.dispose()
        for folder, store in stores.items():
            for entry in sorted((unpacked / folder).iterdir()) if (unpacked / folder).is_dir() else []:
                if entry.is_dir():
                    store.put_tree(entry, entry.name)
                else:
                    with entry.open("rb") as stream:
                        store.put_stream(entry.name, stream)
    upgraded = []
    if set(manifest.schema) != migrate.heads():
        migrate.upgrade(engine.url.render_as_string(hide_password=False))
        upgraded = sorted(migrate.heads())
    return Summary(manifest, archive_path.stat().st_size, upgraded)


def _unpack(archive_path: Path, manifest: Manifest, folders: set[str], files_folder: Path,
            database_file: Path) -> None:
    """Every member checked before any is written; the database to `database_file`, files under `files_folder`,
    one folder per store."""
    with tarfile.open(archive_path, "r:") as archive:
        members = archive.getmembers()
        database = [member for member in members if member.name == manifest.database_member]
        files = [member for member in members if member.name not in (MANIFEST, manifest.database_member)]
        if len(database) != 1 or not database[0].isfile():
            raise BackupError(f"{archive_path} holds no {manifest.database_member}")
        for member in files:
            relative = _stored_path(member)
            if relative is None or relative.parts[0] not in folders or len(relative.parts) < 2:
                raise BackupError(f"{archive_path}: unexpected member {member.name!r}; nothing was restored")
        if len(files) != manifest.files:
            raise BackupError(f"{archive_path} holds {len(files)} files, its manifest says {manifest.files}: "
                              "the archive is incomplete")
        with archive.extractfile(database[0]) as source, database_file.open("wb") as target:
            shutil.copyfileobj(source, target)
        files_folder.mkdir()
        for member in files:
            target_path = files_folder.joinpath(*_stored_path(member).parts)
            target_path.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, target_path.open("wb") as target:
                shutil.copyfileobj(source, target)


def _stored_path(member: tarfile.TarInfo) -> PurePosixPath | None:
    """The member's path under files/ (its store's folder first), or None when it is anything but a plain
    file there."""
    path = PurePosixPath(member.name)
    prefix = PurePosixPath(FILES_PREFIX)
    if not member.isfile() or path.is_absolute() or ".." in path.parts or prefix not in path.parents:
        return None
    return path.relative_to(prefix)


def _copy_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"no database at {source}")
    _sqlite_backup(f"{source.as_uri()}?mode=ro", target)


def _restore_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_backup(source.as_uri(), target)


def _sqlite_backup(source_uri: str, target: Path) -> None:
    """SQLite's online backup API: a consistent copy while other connections read and write the source."""
    reading = sqlite3.connect(source_uri, uri=True)
    writing = sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        writing.close()
        reading.close()


def _run(command: list[str], url: URL, tool: str) -> None:
    """A PostgreSQL client tool against `url`; the password goes in the environment, never on the command line."""
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    environment = {**os.environ, "PGDATABASE": url.database or "", "PGHOST": url.host or "",
                   "PGPORT": str(url.port or 5432), "PGUSER": url.username or ""}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise BackupError(f"{tool} failed: {finished.stderr.strip() or finished.returncode}")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _add_stored(archive: tarfile.TarFile, name: str, store: FileStore, stored: StoredFile) -> None:
    path = store.local_path(stored.key)
    if path is not None:
        archive.add(path, arcname=name, recursive=False)
        return
    info = tarfile.TarInfo(name)
    info.size, info.mtime = stored.size, int(stored.modified.timestamp())
    archive.addfile(info, io.BufferedReader(_Blocks(store.read_range(stored.key, 0, stored.size))))


class _Blocks(io.RawIOBase):
    """A stream over the blocks a store sends (tarfile reads a member's content from a file object)."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks, self._left = blocks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        while not self._left:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._left = block
        size = min(len(buffer), len(self._left))
        buffer[:size], self._left = self._left[:size], self._left[size:]
        return size


def _tables(engine: Engine) -> list[str]:
    if engine.url.get_backend_name() == "sqlite" and not _sqlite_path(engine.url).exists():
        return []
    return inspect(engine).get_table_names()


def _known_revisions() -> set[str]:
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    try:
        return {script.revision for script in scripts.walk_revisions()}
    except CommandError as error:
        raise BackupError(f"the migrations folder is damaged: {error}") from None


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))
