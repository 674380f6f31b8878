"""A stored file as an HTTP answer: conditional (ETag, If-Modified-Since) and in byte ranges, for video seeking.

A file on local disk goes through `send_stored_file` (and nginx's X-Accel-Redirect where configured). An
object in a bucket is streamed from the store a block at a time: a Range request fetches only that range,
so seeking in a long video never reads what comes before it.
"""

from __future__ import annotations

from flask import Response, abort, request
from werkzeug.datastructures import ContentRange

from elearn.static_assets import send_stored_file
from elearn.storage import FileStore, check_key


def send_stored(store: FileStore, key: str, mimetype: str, as_attachment: bool = False) -> Response:
    """The file at key (404 when there is none), private to its audience; callers add caching."""
    try:
        check_key(key)
    except ValueError:
        abort(404)
    path = store.local_path(key)
    if path is not None:
        if not path.is_file():
            abort(404)
        return send_stored_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=None,
                                as_attachment=as_attachment)
    stored = store.head(key)
    if stored is None:
        abort(404)
    response = Response(mimetype=mimetype, direct_passthrough=True)
    response.set_etag(stored.version)
    response.last_modified = stored.modified
    response.accept_ranges = "bytes"
    response.cache_control.private = True
    if as_attachment:
        response.headers.set("Content-Disposition", "attachment", filename=key.rsplit("/", 1)[-1])
    unchanged = (stored.version in request.if_none_match if request.if_none_match
                 else request.if_modified_since is not None
                 and stored.modified.replace(microsecond=0) <= request.if_modified_since)
    if unchanged:
        response.status_code = 304
        return response
    start, stop = 0, stored.size
    wanted = request.range
    # Several ranges in one request (multipart answers) are rare in players: they get the whole file.
    if wanted is not None and len(wanted.ranges) == 1 and _if_range_holds(stored.version, stored.modified):
        span = wanted.range_for_length(stored.size)
        if span is None:
            response.status_code = 416
            response.content_range = ContentRange("bytes", None, None, stored.size)
            return response
        start, stop = span
        response.status_code = 206
        response.content_range = ContentRange("bytes", start, stop, stored.size)
    response.content_length = stop - start
    if request.method != "HEAD":
        response.response = store.read_range(key, start, stop)
    return response


def _if_range_holds(version: str, modified) -> bool:  # type: ignore[no-untyped-def]
    """A Range with If-Range applies only while the file is the one the browser has a part of."""
    condition = request.if_range
    if condition.etag is None and condition.date is None:
        return True
    if condition.etag is not None:
        return condition.etag == version
    return modified.replace(microsecond=0) <= condition.date
