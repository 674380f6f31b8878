"""Seal images: checked by Pillow and re-encoded, so what is stored is a plain PNG we made."""

from __future__ import annotations

import io

from elearn.services.files.images import ImageRejected, open_upload

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4096 * 4096  # a seal is small; anything bigger is refused, not decoded
STORED_SIZE = 600  # px on the longer side: about 30 mm at 500 dpi on the certificate

SealRejected = ImageRejected  # the name the certificate pages use


def normalise_seal(data: bytes) -> bytes:
    seal = open_upload(data, MAX_BYTES, MAX_PIXELS).convert("RGBA")
    seal.thumbnail((STORED_SIZE, STORED_SIZE))
    out = io.BytesIO()
    seal.save(out, format="PNG", optimize=True)  # a new file: no EXIF, no text chunks, no trailing bytes
    return out.getvalue()
