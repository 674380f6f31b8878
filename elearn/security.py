"""Response headers and session lifetime rules applied to every request."""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
REMEMBERED = "remembered"


def init_app(app: Flask) -> None:
    app.after_request(_add_security_headers)
    app.before_request(_enforce_session_timeouts)


def _add_security_headers(response: Response) -> Response:
    if g.get("package_origin"):
        # The SCORM package origin (elearn.scorm) sets its own policy: packages are framed by the app there.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def start_session_clock(remembered: bool) -> None:
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now
    session[REMEMBERED] = remembered


# The idle limit counts in minutes: the clock moves at most once a minute, so most answers carry no new cookie
# (re-signing the session on every request cost a share of each page, and a Set-Cookie each time).
LAST_SEEN_STEP_SECONDS = 60


def _enforce_session_timeouts() -> Response | None:
    if request.endpoint == "static" or g.get("package_origin") or not current_user.is_authenticated:
        return None
    now = int(time.time())
    if SIGNED_IN_AT not in session:
        # Restored from a remember-me cookie (which the session token can revoke).
        start_session_clock(remembered=True)
        return None
    config = current_app.config
    if session.get(REMEMBERED):
        # "Keep me signed in" skips the idle limit; the remember-me duration bounds it instead.
        idle = False
        too_old = now - session[SIGNED_IN_AT] > config["REMEMBER_COOKIE_DURATION"].total_seconds()
    else:
        idle = now - session.get(LAST_SEEN_AT, 0) > config["SESSION_IDLE_MINUTES"] * 60
        too_old = now - session[SIGNED_IN_AT] > config["SESSION_ABSOLUTE_HOURS"] * 3600
    if idle or too_old:
        logout_user()
        session.clear()
        flash(_("Your session has expired. Please sign in again."), "info")
        return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))
    if now - session.get(LAST_SEEN_AT, 0) >= LAST_SEEN_STEP_SECONDS:
        session[LAST_SEEN_AT] = now
    return None

