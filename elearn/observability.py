"""Request ids, query counts and one JSON log line per request.

Every response carries `X-Request-ID` (the caller's, if it sent a sane one, e.g. from nginx's $request_id;
else a new one), and error pages show it, so a person can quote it and an operator find the line. With
`ELEARN_LOG_JSON` set, each request is logged as one JSON line: request id, user id, method, route, status,
duration and the number of SQL statements it ran.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import event

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

access_log = logging.getLogger("elearn.requests")


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    engine = app.extensions["elearn.engine"]
    event.listen(engine, "before_cursor_execute", _count_query)
    if app.config.get("LOG_JSON") and not access_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False


def request_id() -> str:
    """This request's id ('' outside a request)."""
    if not has_request_context():
        return ""
    if "request_id" not in g:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = sent if _SANE_ID.match(sent) else uuid.uuid4().hex
    return g.request_id


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _count_query(*_args: object) -> None:
    if has_request_context():
        g.query_count = g.get("query_count", 0) + 1


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    if current_app.config.get("LOG_JSON"):
        started = g.get("request_started", time.perf_counter())
        # The person only if the request already loaded them: logging never adds a query (/healthz has none).
        user = g.get("_login_user")
        access_log.info(json.dumps({
            "request_id": request_id(), "user_id": getattr(user, "id", None), "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None, "path": request.path,
            "status": response.status_code, "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "queries": g.get("query_count", 0),
        }, ensure_ascii=False))
    return response
