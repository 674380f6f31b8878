"""Files in a folder on this machine (or an NFS mount every server shares)."""

from __future__ import annotations

import errno
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

from elearn.storage import StoredFile, check_key

BLOCK = 256 * 1024


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def head(self, key: str) -> StoredFile | None:
        try:
            stat = self._path(key).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not S_ISREG(stat.st_mode):
            return None
        return StoredFile(key, stat.st_size, f"{stat.st_mtime_ns:x}{stat.st_size:x}",
                          datetime.fromtimestamp(stat.st_mtime, UTC))

    def read_bytes(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def read_range(self, key: str, start: int, stop: int) -> Iterator[bytes]:
        with self._path(key).open("rb") as file:
            file.seek(start)
            left = stop - start
            while left > 0:
                block = file.read(min(BLOCK, left))
                if not block:
                    return
                left -= len(block)
                yield block

    def has_prefix(self, prefix: str) -> bool:
        return self._path(prefix.rstrip("/")).exists()

    def files(self, prefix: str = "") -> Iterator[StoredFile]:
        base = self._path(prefix.rstrip("/")) if prefix else self.root
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(self.root)
            if path.is_file() and not path.is_symlink() and not any(part.startswith(".") for part in relative.parts):
                found = self.head(relative.as_posix())
                if found is not None:
                    yield found

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("wb") as file:
                shutil.copyfileobj(stream, file, BLOCK)
        except BaseException:  # a full disk above all: keep no half-written file
            path.unlink(missing_ok=True)
            raise
        return path.stat().st_size

    def put_tree(self, folder: Path, prefix: str, last: str | None = None) -> None:
        # One rename: a reader sees the whole folder or none of it (`last` needs no ordering here).
        target = self._path(prefix)
        if target.exists():
            raise FileExistsError(prefix)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.rename(target)
        except OSError as error:
            if error.errno != errno.EXDEV:  # the folder was built on another file system
                raise
            partial = target.with_name(f".{target.name}.partial")
            shutil.rmtree(partial, ignore_errors=True)
            try:
                shutil.copytree(folder, partial)
                partial.rename(target)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise

    def work_folders(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(path for pattern in (".building-*", ".*.partial") for path in self.root.glob(pattern)
                      if path.is_dir())

    @contextmanager
    def building(self) -> Iterator[Path]:
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.root, prefix=".building-") as work:
            yield Path(work) / "tree"

    @contextmanager
    def local_tree(self, prefix: str) -> Iterator[Path]:
        yield self._path(prefix.rstrip("/"))

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def delete_prefix(self, prefix: str) -> None:
        path = self._path(prefix.rstrip("/"))
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
