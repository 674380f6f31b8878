"""Probes for load balancers and monitoring: /healthz (the process answers) and /readyz (it can serve:
database reachable, schema at the newest migration, job queue and rate-limit storage reachable). Neither
needs signing in, sets a cookie or counts against a rate limit; neither says more than which check failed."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from elearn import db, jobs, migrate
from elearn.extensions import limiter

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    checks = {"database": _database(), "migrations": "skipped", "queue": _queue(), "rate_limits": _rate_limits()}
    if checks["database"] == "ok":
        checks["migrations"] = _migrations()
    ready = all(result == "ok" for result in checks.values())  # "skipped" only when the database is down
    if not ready:
        log.warning("not ready: %s", checks)
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def _database() -> str:
    try:
        with db.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error: the probe reports, it does not raise
        log.exception("readiness: database unreachable")
        return "unreachable"
    return "ok"


def _migrations() -> str:
    heads = current_app.extensions.get("elearn.migration_heads")
    if heads is None:  # read the migrations folder once per process
        heads = current_app.extensions["elearn.migration_heads"] = migrate.heads()
    try:
        return "ok" if migrate.current_heads(db.engine()) == heads else "behind"
    except Exception:
        log.exception("readiness: migration state unreadable")
        return "unreadable"


def _rate_limits() -> str:
    """The limiter's storage (Redis in production). While it is down, limits count per process."""
    try:
        reachable = limiter.storage.check()
    except Exception:
        log.exception("readiness: rate-limit storage unreachable")
        return "unreachable"
    return "ok" if reachable else "unreachable"


def _queue() -> str:
    try:
        jobs.queue().pending_count()
    except Exception:
        log.exception("readiness: job queue unreachable")
        return "unreachable"
    return "ok"
