"""Absolute links to the site, for what leaves it: mail, feeds, calendar files, certificates."""

from __future__ import annotations

from flask import current_app, request, url_for


def public_url(endpoint: str, **values: object) -> str:
    """An absolute address on ELEARN_PUBLIC_URL, never on the request's Host header (which the client
    chooses, and which differs between the proxy and the app). Needs a request context: the worker and the
    commands make one on PUBLIC_URL."""
    path = url_for(endpoint, **values)[len(request.script_root):]
    return current_app.config["PUBLIC_URL"].rstrip("/") + path
