"""The file stores of this app (elearn.storage), one per area and process, as configured."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from elearn.storage import FileStore, open_store


def library_root() -> Path:
    """The library's folder when files are on local disk (ELEARN_FILE_STORE=local)."""
    configured = current_app.config.get("MEDIA_LIBRARY")
    return Path(configured) if configured else Path(current_app.instance_path) / "media-library"


def library_store() -> FileStore:
    return _store("library", library_root())


def staging_store() -> FileStore:
    """Uploads waiting for the worker, one folder per upload id (on another machine than the web server's,
    so it is a store too)."""
    return _store("staging", Path(current_app.instance_path) / "media-staging")


def files_store() -> FileStore:
    """Files people upload to records (an event's materials): one folder per record, kept until it goes."""
    return _store("files", Path(current_app.instance_path) / "files")


def backed_up_stores() -> dict[str, FileStore]:
    """What `elearn backup` copies, by its folder in the archive (staging holds nothing that lasts)."""
    return {"media-library": library_store(), "stored-files": files_store()}


def _store(area: str, local_root: Path) -> FileStore:
    stores = current_app.extensions.setdefault("elearn.stores", {})
    if area not in stores:  # one per process: an S3 client costs tens of milliseconds to make
        stores[area] = open_store(current_app.config, area, local_root,
                                  Path(current_app.instance_path) / "media-work")
    return stores[area]
