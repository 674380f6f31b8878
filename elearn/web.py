"""Small helpers shared by the blueprints."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required

from elearn.domain.people import Permission


def safe_next_url(target: str | None, default: str) -> str:
    """Only same-site paths: no scheme, no host, no protocol-relative //."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def requires(permission: Permission):  # type: ignore[no-untyped-def]
    """View decorator: signed in and holding `permission`; object-level checks stay in services."""

    def decorator(view):  # type: ignore[no-untyped-def]
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            if not current_user.has_permission(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator

