"""Uploaded import files kept between the preview and the apply step.

Kept on disk under instance/uploads, named by the uploader's id and a random id, so one admin
cannot apply another's file; files older than a day are removed. The options the preview was made
with are kept beside the file, so the apply step does exactly what was previewed.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import NamedTuple

from flask import current_app

MAX_AGE_SECONDS = 24 * 3600


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class PendingUpload(NamedTuple):
    data: bytes
    filename: str
    options: dict[str, bool]  # what the preview was made with (e.g. deactivate_missing)


def save_pending(user_id: int, data: bytes, filename: str, options: dict[str, bool] | None = None) -> str:
    _remove_stale()
    upload_id = secrets.token_urlsafe(16)
    base = _folder() / f"{user_id}-{upload_id}"
    try:
        base.with_suffix(".bin").write_bytes(data)
        base.with_suffix(".json").write_text(json.dumps({"filename": filename, "options": options or {}}))
    except BaseException:  # a full disk, above all: no half-written file stays behind
        discard(user_id, upload_id)
        raise
    return upload_id


def load_pending(user_id: int, upload_id: str) -> PendingUpload | None:
    if not upload_id.replace("-", "").replace("_", "").isalnum():
        return None
    base = _folder() / f"{user_id}-{upload_id}"
    try:
        meta = json.loads(base.with_suffix(".json").read_text())
        options = {str(key): bool(value) for key, value in meta.get("options", {}).items()}
        return PendingUpload(base.with_suffix(".bin").read_bytes(), meta["filename"], options)
    except (OSError, ValueError, KeyError, AttributeError):
        return None


def discard(user_id: int, upload_id: str) -> None:
    base = _folder() / f"{user_id}-{upload_id}"
    for suffix in (".bin", ".json"):
        base.with_suffix(suffix).unlink(missing_ok=True)


def _remove_stale() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in _folder().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
