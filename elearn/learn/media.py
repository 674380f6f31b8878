"""Course files over HTTP: videos in Range requests, cached for good once their URL names their version."""

from __future__ import annotations

import json
import math
from pathlib import Path

from flask import Response, abort, request, url_for
from flask.typing import ResponseReturnValue

from elearn.content.fields import SLUG
from elearn.content.model import Course, Video
from elearn.services.files.serving import send_stored
from elearn.services.files.stores import library_store
from elearn.services.learning import content
from elearn.static_assets import A_YEAR, send_stored_file

# Types the browser must be told: Python's mimetypes does not know .vtt on every system, and a video
# served as application/octet-stream does not play.
MEDIA_TYPES = {
    ".mp4": "video/mp4", ".webm": "video/webm", ".vtt": "text/vtt",  # werkzeug adds "; charset=utf-8" to text types
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
    ".svg": "image/svg+xml", ".gif": "image/gif",
}
# Worksheet templates of workshop assignments: always downloaded, never opened in the page.
DOCUMENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pdf": "application/pdf",
}


def version_of(path: Path) -> str:
    """Changes whenever the file does (size and modification time), without reading it."""
    stat = path.stat()
    return f"{stat.st_mtime_ns:x}{stat.st_size:x}"


def url(course: Course, video: Video | None, name: str) -> str:
    """The address of a course file, or of a library video's file, naming its version."""
    if video is not None and video.library:
        # A library folder never changes once filed: the upload that filed it is its version (no stat, and no
        # request to an object store, per address).
        return url_for("learn.library_file", slug=video.library, filename=name, v=f"u{video.library_version}")
    return url_for("learn.asset", slug=course.slug, filename=name, v=version_of(course.path / name))


def send_library_file(slug: str, name: str) -> ResponseReturnValue:
    if not SLUG.match(slug) or "/" in name or name.startswith("."):
        abort(404)
    mimetype = MEDIA_TYPES.get(Path(name).suffix.lower())
    if mimetype is None:
        abort(404)
    response = send_stored(library_store(), f"{slug}/{name}", mimetype)
    versions = {lesson.video.library_version for course in content.tree().courses for lesson in course.lessons
                if lesson.video is not None and lesson.video.library == slug}
    _cache(response, request.args.get("v") in {f"u{version}" for version in versions})
    return response


def send(folder: Path, name: str) -> ResponseReturnValue:
    path = folder / name
    if not path.is_file():
        abort(404)
    suffix = path.suffix.lower()
    mimetype = MEDIA_TYPES.get(suffix) or DOCUMENT_TYPES.get(suffix)
    if mimetype is None:
        abort(404)
    # Streamed in blocks, Range honoured (206 with Content-Range; Accept-Ranges on every answer).
    response = send_stored_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=None,
                                as_attachment=suffix in DOCUMENT_TYPES)
    _cache(response, request.args.get("v") == version_of(path))
    return response


def _cache(response: Response, names_this_version: bool) -> None:
    if names_this_version:
        # The URL names this very file: the browser may keep it for good (private: signed-in content).
        response.cache_control.max_age = A_YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True


def read_report(text: str) -> tuple[list[list[float]], float]:
    """The player's report, or 400: played stretches as pairs of finite numbers, and a position."""
    try:
        report = json.loads(text)
        played = [[float(start), float(end)] for start, end in report.get("played", [])]
        position = float(report.get("position", 0))
    except (ValueError, TypeError, AttributeError):
        abort(400)
    if not all(math.isfinite(value) for pair in played for value in pair) or not math.isfinite(position):
        abort(400)
    return played, position
