"""Magazine page uploads: accepted formats re-encoded to WebP renditions; everything else refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from elearn.services.files.images import ImageRejected
from elearn.services.magazine.page_images import RENDITION_WIDTHS, THUMBNAIL_WIDTH, process_page


def encoded(fmt: str, size: tuple[int, int] = (1200, 1700), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (250, 250, 245)).save(out, format=fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_accepted_formats_become_webp_renditions_and_a_thumbnail(fmt):
    page = process_page(encoded(fmt))
    assert (page.width, page.height) == (1200, 1700)
    assert sorted(page.renditions) == [w for w in RENDITION_WIDTHS if w < 1200]
    for data, width in [(page.full, 1200), *((d, w) for w, d in page.renditions.items()),
                        (page.thumbnail, THUMBNAIL_WIDTH)]:
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "WEBP" and image.width == width


def test_exif_orientation_is_applied_and_metadata_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "Camera maker"
    page = process_page(encoded("JPEG", (800, 600), exif=exif.tobytes()))
    assert (page.width, page.height) == (600, 800)
    with Image.open(io.BytesIO(page.full)) as image:
        assert not image.getexif() and "xmp" not in image.info and "icc_profile" not in image.info


def _truncated() -> bytes:
    data = encoded("PNG")
    return data[: len(data) // 2]


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not_an_image"),
    (b"<!doctype html><html><script>alert(1)</script></html>", "not_an_image"),
    (b"#!/bin/sh\nrm -rf /\n", "not_an_image"),  # a script renamed page.png
    (encoded("GIF", (10, 10)), "not_an_image"),  # a real image, but not a format we take
    (encoded("BMP", (10, 10)), "not_an_image"),
])
def test_other_files_are_refused(data, reason):
    with pytest.raises(ImageRejected) as refused:
        process_page(data)
    assert refused.value.args[0] == reason


def test_a_truncated_image_is_refused():
    with pytest.raises(ImageRejected) as refused:
        process_page(_truncated())
    assert refused.value.args[0] == "damaged"


def test_a_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(ImageRejected) as refused:
        process_page(encoded("PNG", (10_000, 6_000)))  # 60 million pixels of nothing, a small file
    assert refused.value.args[0] == "too_many_pixels"
