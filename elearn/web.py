"""Small helpers shared by the blueprints."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from urllib.parse import quote, urlsplit

from flask import abort, g, request
from flask_login import current_user, login_required

from elearn.domain.archive_names import safe_member_name
from elearn.services import visibility
from elearn.services.visibility import Viewer


def safe_next_url(target: str | None, default: str) -> str:
    """Only same-site paths: no scheme, no host, no protocol-relative //."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    # A backslash is a slash to browsers; CR, LF and other control characters cannot go into a header.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unclosed "[" taken for an IPv6 host
        return default
    if parts.scheme or parts.netloc:
        return default
    return target


def enum_arg(name: str, enum):  # type: ignore[no-untyped-def]
    """A query argument as a member of `enum`, or None when absent or unknown: an old bookmark or a
    hand-edited link shows everything rather than fail."""
    try:
        return enum(request.args[name]) if request.args.get(name) else None
    except ValueError:
        return None


def permitted(rule: Callable[[Viewer], bool]):  # type: ignore[no-untyped-def]
    """View decorator: signed in, and the access policy's `rule` holds for the viewer (else 403)."""

    def decorator(view):  # type: ignore[no-untyped-def]
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            if not rule(viewer()):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def viewer() -> Viewer:
    """The signed-in person as the access policy sees them, worked out once per request."""
    if "viewer" not in g:
        g.viewer = visibility.viewer_of(current_user)
    return g.viewer


def content_disposition(filename: str) -> str:
    """An attachment header for a file name in the UI's language: RFC 5987 UTF-8 plus an ASCII fallback.
    Names hold staff records (a body's name), so they are made safe as archive members are: no path,
    no control character, nothing Windows refuses; the extension survives the length limit."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    stem = safe_member_name(stem, 100)
    extension = f".{safe_member_name(extension, 10)}" if extension else ""
    # Only for clients without RFC 5987 (none current): the ASCII part of the name, e.g. "8_20260404.csv".
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().replace('"', "_")
    fallback = (re.sub(r"_{2,}", "_", ascii_stem).strip("_ ") or "download") + extension
    safe = stem + extension
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"


class _Pipe(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come; not seekable, so zipfile writes
    data descriptors instead of going back to patch headers."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def, override]
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_stream(entries: Iterable[tuple[str, Callable[[], bytes]]]) -> Iterator[bytes]:
    """A ZIP archive as chunks, one file at a time; contents are made only when their turn comes.
    Stored, not deflated: the files are PDFs, already compressed."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_STORED) as archive:
        for name, make_content in entries:
            archive.writestr(name, make_content())
            yield pipe.take()
    yield pipe.take()
