"""Uploaded import files kept between the preview and the apply step.

Kept in the staging store (elearn.storage: instance/media-staging/imports/ on local disk, or the bucket),
so the apply may reach another app server than the preview did; named by the uploader's id and a random id,
so one admin cannot apply another's file; files older than a day are removed. The options the preview was
made with are kept beside the file, so the apply step does exactly what was previewed.
"""

from __future__ import annotations

import io
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from elearn.services.files.stores import staging_store

MAX_AGE = timedelta(days=1)
FOLDER = "imports"


class PendingUpload(NamedTuple):
    data: bytes
    filename: str
    options: dict[str, bool]  # what the preview was made with (e.g. deactivate_missing)


def save_pending(user_id: int, data: bytes, filename: str, options: dict[str, bool] | None = None) -> str:
    _remove_stale()
    upload_id = secrets.token_urlsafe(16)
    base, store = f"{FOLDER}/{user_id}-{upload_id}", staging_store()
    try:
        store.put_stream(f"{base}/file.bin", io.BytesIO(data))
        # Written last: a pending upload with its options is a whole one.
        store.put_stream(f"{base}/options.json", io.BytesIO(json.dumps(
            {"filename": filename, "options": options or {}}).encode()))
    except BaseException:  # a full disk, above all: no half-written file stays behind
        discard(user_id, upload_id)
        raise
    return upload_id


def load_pending(user_id: int, upload_id: str) -> PendingUpload | None:
    if not upload_id.replace("-", "").replace("_", "").isalnum():
        return None
    base, store = f"{FOLDER}/{user_id}-{upload_id}", staging_store()
    try:
        meta = json.loads(store.read_bytes(f"{base}/options.json"))
        options = {str(key): bool(value) for key, value in meta.get("options", {}).items()}
        return PendingUpload(store.read_bytes(f"{base}/file.bin"), meta["filename"], options)
    except (OSError, ValueError, KeyError, AttributeError):
        return None


def discard(user_id: int, upload_id: str) -> None:
    staging_store().delete_prefix(f"{FOLDER}/{user_id}-{upload_id}")


def _remove_stale() -> None:
    cutoff = datetime.now(UTC) - MAX_AGE
    store = staging_store()
    stale = {stored.key.split("/")[1] for stored in store.files(FOLDER) if stored.modified < cutoff}
    for name in stale:
        store.delete_prefix(f"{FOLDER}/{name}")
