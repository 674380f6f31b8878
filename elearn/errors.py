"""One handler for the error pages in templates/errors/.

Flask hands unhandled exceptions to this handler as InternalServerError (outside testing).
"""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from elearn import db

ERROR_PAGES = {403, 404, 413, 429, 500, 503}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _render_http_error)


def _render_http_error(error: HTTPException):  # type: ignore[no-untyped-def]
    code = error.code or 500
    if code not in ERROR_PAGES:
        return error
    if code == 500:
        db.session().rollback()
    return render_template(f"errors/{code}.html", error=error), code
