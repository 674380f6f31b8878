"""Magazine page images: an upload checked and decoded by `images.open_upload`, then re-encoded as
WebP at full size, at a few narrower widths for srcset, and as a thumbnail. Nothing of the uploaded
file is kept but its pixels."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from elearn.services.files.images import open_upload

MAX_BYTES = 20 * 1024 * 1024
# A two-page spread scanned at 600 dpi is about 40 million pixels; beyond that we refuse to decode.
MAX_PIXELS = 50_000_000
WEBP_LIMIT = 16_383  # the largest side WebP can hold
RENDITION_WIDTHS = (480, 960, 1600)
THUMBNAIL_WIDTH = 240
QUALITY = 85
# A rendition almost as wide as the page saves nothing over the full image (960 of a 1000-px page).
NEAR_FULL_WIDTH = 1.15
# libwebp's effort: 2 encodes in about half the time of 4 for 1-2 % larger files.
ENCODING_EFFORT = 2


@dataclass(frozen=True)
class ProcessedPage:
    width: int
    height: int
    full: bytes  # WebP at the original size (capped at WebP's limit)
    renditions: dict[int, bytes]  # width -> WebP, only widths narrower than the page
    thumbnail: bytes


def process_page(data: bytes) -> ProcessedPage:
    image = open_upload(data, MAX_BYTES, MAX_PIXELS)
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    if max(image.size) > WEBP_LIMIT:
        image.thumbnail((WEBP_LIMIT, WEBP_LIMIT))
    return ProcessedPage(
        width=image.width,
        height=image.height,
        full=_webp(image),
        renditions={width: _webp(_narrowed(image, width)) for width in RENDITION_WIDTHS
                    if width * NEAR_FULL_WIDTH < image.width},
        thumbnail=_webp(_narrowed(image, THUMBNAIL_WIDTH)),
    )


def _narrowed(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image
    return image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)


def _webp(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=QUALITY, method=ENCODING_EFFORT)  # a new file: no EXIF, XMP or ICC
    return out.getvalue()
