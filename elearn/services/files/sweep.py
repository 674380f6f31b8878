"""Stored folders that nothing owns any more: found and removed by `elearn storage sweep` and a nightly job.

Every stored folder belongs to a record or to work in progress. One is left behind only when a process dies
between two steps (a worker killed while putting a library folder, a web server between a material's file and
its row) or the store fails during a removal, which is logged where it happens. An orphan is a folder whose
owner is gone and whose newest file is older than the cut-off, so work in progress is never taken for one:

- library: a folder without its manifest (video.yaml or package.yaml, always put last). Such a folder is no
  video or package, yet it keeps its slug taken. A whole folder is never an orphan (content files name it).
- staging: a media upload's folder once its upload is no longer being checked (or its row is gone); an import
  file kept between preview and apply once it is older than the day it is kept for.
- files: an event material's folder that no material names.
- work: a folder of work in progress on this machine's disk (a library folder being assembled, an upload being
  unpacked or downloaded from the bucket to be checked) that a killed process left behind; a video's can be
  gigabytes. Each machine that runs the sweep (the worker's) clears its own.

Keys this module does not recognise are left alone.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from elearn import db
from elearn.content.scorm_lessons import PACKAGE_FILE
from elearn.content.video_lessons import LIBRARY_MANIFEST
from elearn.models import EventMaterial, LibraryUpload, UploadState
from elearn.services.files import uploads
from elearn.services.files.stores import files_store, library_store, staging_store
from elearn.storage import FileStore, StoredFile

DEFAULT_MIN_AGE = timedelta(days=1)
MATERIALS = "event-materials"


@dataclass(frozen=True)
class Orphan:
    area: str
    folder: str  # a prefix of the area, without the trailing '/'
    files: int
    size: int
    newest: datetime


def orphan_folders(area: str, stored: Iterable[StoredFile], folder_of: Callable[[str], str | None],
                   owned: Callable[[str, list[StoredFile]], bool], cutoff: datetime) -> list[Orphan]:
    """The folders of `stored` (grouped by folder_of; None: not a folder this rule knows) that are not owned and
    whose newest file is older than `cutoff`, in key order."""
    folders: dict[str, list[StoredFile]] = defaultdict(list)
    for item in stored:
        folder = folder_of(item.key)
        if folder is not None:
            folders[folder].append(item)
    orphans = []
    for folder, items in sorted(folders.items()):
        newest = max(item.modified for item in items)
        if newest < cutoff and not owned(folder, items):
            orphans.append(Orphan(area, folder, len(items), sum(item.size for item in items), newest))
    return orphans


def first_parts(count: int, under: str | None = None) -> Callable[[str], str | None]:
    """folder_of: the first `count` parts of a key (keys with no more parts than that are no folder's),
    for keys under `under` only when it is given."""
    def folder_of(key: str) -> str | None:
        parts = key.split("/")
        if len(parts) <= count or (under is not None and parts[0] != under):
            return None
        return "/".join(parts[:count])
    return folder_of


def has_manifest(folder: str, items: list[StoredFile]) -> bool:
    return any(item.key in (f"{folder}/{LIBRARY_MANIFEST}", f"{folder}/{PACKAGE_FILE}") for item in items)


def staging_folder(key: str) -> str | None:
    """An upload's folder (its id) or an import file's (imports/<user>-<id>)."""
    parts = key.split("/")
    if parts[0] == uploads.FOLDER:
        return "/".join(parts[:2]) if len(parts) > 2 else None
    return parts[0] if len(parts) > 1 and parts[0].isdigit() else None


def find(now: datetime, min_age: timedelta = DEFAULT_MIN_AGE) -> list[Orphan]:
    """Every orphan of the three stored areas and of this machine's work folders; reads the stores' listings and
    two small queries."""
    cutoff = now - min_age
    session = db.session()
    checking = {str(upload_id) for upload_id in session.scalars(
        select(LibraryUpload.id).where(LibraryUpload.state == UploadState.CHECKING))}
    materials = {key.rsplit("/", 1)[0] for key in session.scalars(
        select(EventMaterial.storage_key).where(EventMaterial.storage_key.is_not(None)))}
    session.rollback()
    imports_kept_since = now - uploads.MAX_AGE

    def staged_owned(folder: str, items: list[StoredFile]) -> bool:
        if folder.startswith(f"{uploads.FOLDER}/"):
            return max(item.modified for item in items) >= imports_kept_since
        return folder in checking

    return [
        *orphan_folders("library", library_store().files(), first_parts(1), has_manifest, cutoff),
        *orphan_folders("staging", staging_store().files(), staging_folder, staged_owned, cutoff),
        *orphan_folders("files", files_store().files(f"{MATERIALS}/"), first_parts(3, under=MATERIALS),
                        lambda folder, _items: folder in materials, cutoff),
        *(orphan for orphan in map(_left_work, _work_folders()) if orphan is not None and orphan.newest < cutoff),
    ]


def _work_folders() -> list[Path]:
    """Every store's work folders on this machine, once each (the bucket's stores share one work folder)."""
    return sorted({path for store in stores().values() for path in store.work_folders()})


def _left_work(folder: Path) -> Orphan | None:
    """The work folder as an orphan candidate; None when it went meanwhile (its work ended)."""
    try:
        stats = [path.stat() for path in folder.rglob("*") if path.is_file() and not path.is_symlink()]
        newest = max([folder.stat().st_mtime, *(stat.st_mtime for stat in stats)])
    except FileNotFoundError:
        return None
    return Orphan("work", str(folder), len(stats), sum(stat.st_size for stat in stats),
                  datetime.fromtimestamp(newest, UTC))


def stores() -> dict[str, FileStore]:
    return {"library": library_store(), "staging": staging_store(), "files": files_store()}


def remove(orphans: Iterable[Orphan]) -> int:
    """Remove the folders; how many. Each is checked again first, so a folder that came back to life since the
    listing (a material recorded after all) is kept."""
    by_area = stores()
    removed = 0
    for orphan in orphans:
        if orphan.area == "work":
            left = _left_work(Path(orphan.folder))
            if left is not None and left.newest <= orphan.newest:  # not written to since it was listed
                shutil.rmtree(orphan.folder, ignore_errors=True)
                removed += 1
        elif still_orphan(orphan):
            by_area[orphan.area].delete_prefix(orphan.folder)
            removed += 1
    return removed


def still_orphan(orphan: Orphan) -> bool:
    store = stores()[orphan.area]
    items = list(store.files(f"{orphan.folder}/"))
    if not items or max(item.modified for item in items) > orphan.newest:
        return False  # gone already, or written to since it was listed
    session = db.session()
    try:
        if orphan.area == "library":
            return not has_manifest(orphan.folder, items)
        if orphan.area == "files":
            return session.scalar(select(EventMaterial.id).where(
                EventMaterial.storage_key.startswith(f"{orphan.folder}/", autoescape=True))) is None
        if orphan.folder.isdigit():
            return session.scalar(select(LibraryUpload.id).where(
                LibraryUpload.id == int(orphan.folder), LibraryUpload.state == UploadState.CHECKING)) is None
        return True
    finally:
        session.rollback()
