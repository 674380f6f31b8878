"""Fingerprinted static files and files handed to the web server in front.

Every `url_for("static", ...)` names the file's content (`?v=<sha256 prefix>`), and an answer to such an address
may be kept for a year (`immutable`): a new release changes the address, never what an address holds. Files
read by a CSS file itself (the Noto subsets, the certificate's fonts) keep the 12-hour default.

With `ELEARN_X_ACCEL_REDIRECT` (a folder -> internal location map), course files, library videos and SCORM
package files under a mapped folder are sent by nginx (`X-Accel-Redirect`), after the app has checked who asks
and set the headers; nginx then answers Range requests from the file itself (README, "Production").
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote

from flask import Flask, Response, current_app, request, send_file

A_YEAR = 365 * 24 * 60 * 60


def init_app(app: Flask) -> None:
    app.extensions["elearn.static_versions"] = {}
    app.url_defaults(_add_version)
    app.after_request(_cache_versioned)
    mapping = app.config.get("X_ACCEL_REDIRECT") or {}
    app.config["X_ACCEL_REDIRECT"] = {str(Path(folder).resolve()): "/" + location.strip("/") + "/"
                                      for folder, location in mapping.items()}


def version(filename: str) -> str:
    """The first 12 hex digits of the file's SHA-256, worked out again only when its size or time changes."""
    path = Path(current_app.static_folder) / filename
    try:
        stat = path.stat()
    except OSError:
        return ""
    versions: dict[str, tuple[int, int, str]] = current_app.extensions["elearn.static_versions"]
    known = versions.get(filename)
    if known is None or known[:2] != (stat.st_mtime_ns, stat.st_size):
        known = (stat.st_mtime_ns, stat.st_size, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
        versions[filename] = known
    return known[2]


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        fingerprint = version(values["filename"])
        if fingerprint:
            values["v"] = fingerprint


def _cache_versioned(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    wanted = request.args.get("v")
    if wanted and wanted == version((request.view_args or {}).get("filename", "")):
        response.cache_control.public = True
        response.cache_control.max_age = A_YEAR
        response.cache_control.immutable = True
    return response


def send_stored_file(path: Path, **options: object) -> Response:
    """`send_file` for a file only its audience may read (a course's, the library's, a SCORM package's): private,
    with no Expires (send_file would add `public` and an Expires from SEND_FILE_MAX_AGE_DEFAULT); callers add a
    max-age when the address names the version. Under a folder mapped in X_ACCEL_REDIRECT, the same headers and
    an `X-Accel-Redirect` to the file's internal location with no body (nginx reads the file, Ranges included)."""
    location = accel_location(path)
    response = send_file(path, **(options if location is None else {**options, "conditional": False}))
    response.cache_control.public = False
    response.cache_control.max_age = None
    response.cache_control.private = True
    response.headers.pop("Expires", None)
    if location is not None:
        response.close()
        response.direct_passthrough = False
        response.set_data(b"")
        response.headers["X-Accel-Redirect"] = location
    return response


def accel_location(path: Path) -> str | None:
    resolved = path.resolve()
    for folder, location in current_app.config["X_ACCEL_REDIRECT"].items():
        if resolved.is_relative_to(folder):
            return location + quote(resolved.relative_to(folder).as_posix())
    return None
