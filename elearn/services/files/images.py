"""Opening images people upload: a format whitelist, a pixel limit enforced before decoding
(decompression-bomb warnings are errors), verify() and a fresh decode, EXIF orientation applied.
What comes out is pixels only; callers re-encode them, so no metadata or trailing bytes survive."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

WEB_FORMATS = ("PNG", "JPEG", "WEBP")


class ImageRejected(ValueError):
    """The upload is not a usable image. `args[0]` is a reason code the views turn into a message:
    empty, too_large, too_many_pixels, not_an_image or damaged."""


def open_upload(data: bytes, max_bytes: int, max_pixels: int, formats: tuple[str, ...] = WEB_FORMATS) -> Image.Image:
    if not data:
        raise ImageRejected("empty")
    if len(data) > max_bytes:
        raise ImageRejected("too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as probe:
                if probe.width * probe.height > max_pixels:
                    raise ImageRejected("too_many_pixels")
                probe.verify()
            # verify() leaves the image unusable; decode a fresh one.
            with Image.open(io.BytesIO(data), formats=formats) as image:
                image.load()
                return ImageOps.exif_transpose(image)
    except ImageRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("not_an_image") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRejected("damaged") from None
