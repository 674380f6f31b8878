"""Stored files behind one interface: a folder on local disk, or an S3-compatible object store.

Three areas use it: the media library (checked lesson videos and SCORM packages, one immutable folder per
slug), staging (uploads waiting for the worker, imports between preview and apply) and files (an event's
materials, one folder each). Local disk is the default and works on an NFS mount every
server shares; `ELEARN_FILE_STORE=s3` keeps all three in a bucket instead (README, "Files"), so web servers
and workers on different machines share nothing but the database, Redis and the bucket.

A folder is put whole: its files first and its manifest last, so a reader that finds the manifest finds
every file it names. Keys are '/'-separated and relative to the area; names starting with '.' are work in
progress and never listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    version: str  # changes whenever the content does: the object's ETag, or a file's mtime and size
    modified: datetime


class StoreError(RuntimeError):
    """The store could not be reached or refused the request: said to the operator as it is."""


class FileStore(Protocol):
    def head(self, key: str) -> StoredFile | None: ...

    def read_bytes(self, key: str) -> bytes:
        """The whole file (manifests and captions: small); FileNotFoundError when there is none."""

    def read_range(self, key: str, start: int, stop: int) -> Iterator[bytes]:
        """Bytes start..stop-1 in blocks, read as they are sent."""

    def has_prefix(self, prefix: str) -> bool: ...

    def files(self, prefix: str = "") -> Iterator[StoredFile]:
        """Every finished file under prefix, in key order."""

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        """Write one file from a stream; its size. A failure leaves no part of it."""

    def put_tree(self, folder: Path, prefix: str, last: str | None = None) -> None:
        """Put every file of the local `folder` under prefix (`folder` is used up), `last` after all others;
        FileExistsError when prefix already holds something. A failure leaves nothing under prefix."""

    def building(self) -> AbstractContextManager[Path]:
        """An empty local folder to assemble a tree in, removed afterwards (beside the files when local, so
        putting it is one rename)."""

    def local_tree(self, prefix: str) -> AbstractContextManager[Path]:
        """The files under prefix as a local folder: the folder itself, or a download removed afterwards."""

    def local_path(self, key: str) -> Path | None:
        """The file on this machine's disk, when the store is one (so it may be sent by nginx)."""

    def delete_prefix(self, prefix: str) -> None: ...

    def work_folders(self) -> list[Path]:
        """This machine's folders of work in progress (assembling, unpacking, downloading a tree): each is
        removed when its work ends, so one left behind belongs to a process that was killed."""


def open_store(config: dict, area: str, local_root: Path, work_root: Path) -> FileStore:
    """The store of `area` as configured: `local_root` on disk, or the area's prefix in the bucket (with
    `work_root`, a local folder for assembling and unpacking)."""
    kind = (config.get("FILE_STORE") or "local").lower()
    if kind == "local":
        from elearn.storage.local import LocalStore

        return LocalStore(local_root)
    if kind == "s3":
        from elearn.storage.s3 import S3Store

        return S3Store.from_config(config, area, work_root)
    raise StoreError(f"ELEARN_FILE_STORE must be 'local' or 's3', not {kind!r}")


def check_key(key: str) -> str:
    """A relative '/'-separated key with no empty, '.' or '..' part (nothing can leave its area)."""
    parts = key.split("/")
    if not key or any(part in ("", ".", "..") or "\\" in part or "\x00" in part for part in parts):
        raise ValueError(f"not a stored file's key: {key!r}")
    return key
