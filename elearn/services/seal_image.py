"""Seal images: checked by Pillow and re-encoded, so what is stored is a plain PNG we made."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4096 * 4096  # a seal is small; anything bigger is refused, not decoded
STORED_SIZE = 600  # px on the longer side: about 30 mm at 500 dpi on the certificate


class SealRejected(ValueError):
    """The upload is not a usable image; the message is for the person who sent it."""


def normalise_seal(data: bytes) -> bytes:
    if not data:
        raise SealRejected("empty")
    if len(data) > MAX_BYTES:
        raise SealRejected("too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise SealRejected("too_many_pixels")
                probe.verify()
            # verify() leaves the image unusable; decode a fresh one.
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except SealRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise SealRejected("not_an_image") from None
    except (OSError, SyntaxError, ValueError):
        raise SealRejected("damaged") from None
    seal = upright.convert("RGBA")
    seal.thumbnail((STORED_SIZE, STORED_SIZE))
    out = io.BytesIO()
    seal.save(out, format="PNG", optimize=True)  # a new file: no EXIF, no text chunks, no trailing bytes
    return out.getvalue()
