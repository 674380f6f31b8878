"""One handler for the error pages in templates/errors/.

Flask hands unhandled exceptions to this handler as InternalServerError (outside testing).
"""

from __future__ import annotations

import errno
import logging

from flask import Flask, render_template
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from elearn import db
from elearn.storage import StoreError

ERROR_PAGES = {403, 404, 413, 429, 500, 503}
RETRY_AFTER_SECONDS = 30
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
    app.register_error_handler(OSError, _storage_error)
    app.register_error_handler(StoreError, _store_unavailable)


STORAGE_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _storage_error(error: OSError):  # type: ignore[no-untyped-def]
    """A full disk (or quota) while storing an upload: 507 with a page that says nothing was saved (the code that
    writes removes what it had written). Any other OSError is a bug: the usual 500."""
    if error.errno not in STORAGE_FULL:
        raise error
    log.error("storage full: %s", error)
    db.session().rollback()
    return render_template("errors/storage_full.html"), 507


def _store_unavailable(error: StoreError):  # type: ignore[no-untyped-def]
    """The object store is down or refused us: nothing was kept (the code that writes deletes what it had put)."""
    log.error("file store unavailable: %s", str(error)[:300])
    db.session().rollback()
    return render_template("errors/storage_unavailable.html"), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _database_unavailable(error: Exception):  # type: ignore[no-untyped-def]
    """The database is down, restarting or locked: say so in a page that needs no database (the usual layout
    reads the signed-in person), and let the next request try again (pool_pre_ping replaces dead connections)."""
    # One line per request: during an outage every request lands here, and a traceback each would flood the log.
    log.error("database unavailable: %s", str(getattr(error, "orig", error))[:200])
    try:
        db.session().rollback()
    except Exception:  # the connection is gone: nothing to roll back
        log.debug("rollback after a database error failed", exc_info=True)
    return render_template("errors/database_unavailable.html"), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _render_http_error(error: HTTPException):  # type: ignore[no-untyped-def]
    code = error.code or 500
    if code not in ERROR_PAGES:
        return error
    if code == 500:
        db.session().rollback()
    return render_template(f"errors/{code}.html", error=error), code
