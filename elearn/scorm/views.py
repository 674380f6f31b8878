"""The SCORM package origin: the player (scorm-again's API object), the package's files and its commits.

A package is another provider's script. Served from the app's origin it could read the learner's pages and
their CSRF tokens and post forms as them; so it runs on an origin of its own (SCORM_CONTENT_URL), where
these routes are all there is and the app's session is never read: a signed launch token names the attempt.
The app's pages refuse to be framed by it, and the browser keeps the two origins' scripts apart.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, g, jsonify, render_template, request, url_for
from werkzeug.security import safe_join

from elearn.domain.scorm import MAX_COMMIT_BYTES
from elearn.extensions import csrf
from elearn.services.files.serving import send_stored
from elearn.services.files.stores import library_store
from elearn.services.scorm import runtime
from elearn.static_assets import send_stored_file

bp = Blueprint("scorm", __name__, url_prefix="/scorm/run")
PACKAGE_ENDPOINTS = frozenset({"scorm.player", "scorm.package_file", "scorm.commit", "static"})


def package_origin() -> str:
    parts = urlsplit(current_app.config["SCORM_CONTENT_URL"])
    return f"{parts.scheme}://{parts.netloc}"


def app_origin() -> str:
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    return f"{parts.scheme}://{parts.netloc}"


def init_app(app: Flask) -> None:
    # First of all hooks: on the package origin nothing else (sessions, sign-in) may run.
    app.before_request_funcs.setdefault(None, []).insert(0, _keep_origins_apart)


def _keep_origins_apart() -> None:
    on_package_origin = request.host == urlsplit(current_app.config["SCORM_CONTENT_URL"]).netloc
    if on_package_origin:
        g.package_origin = True
        if request.endpoint not in PACKAGE_ENDPOINTS:
            abort(404)
    elif request.endpoint in PACKAGE_ENDPOINTS - {"static"}:
        abort(404)


def _package_headers(response, frame_ancestors: str):  # type: ignore[no-untyped-def]
    """Packages need inline script and eval (written that way for two decades); they get them on this
    origin only, which holds nothing of the app's."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'self' data: blob:; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; "
        f"connect-src 'self'; form-action 'self'; object-src 'none'; frame-ancestors {frame_ancestors}")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _run(token: str) -> runtime.Launched:
    run = runtime.launched(token)
    if run is None:
        abort(404)
    return run


@bp.get("/<token>/")
def player(token: str):
    run = _run(token)
    path, question, query = run.item.launch.partition("?")  # the manifest's parameters ride along
    launch = {
        "version": run.lesson.scorm.version,
        "commitUrl": url_for("scorm.commit", token=token),
        "contentUrl": url_for("scorm.package_file", token=token, name=path) + question + query,
        "resume": runtime.resume_data(run),
        "appOrigin": app_origin(),
    }
    response = current_app.make_response(render_template(
        "scorm/player.html", launch=json.dumps(launch, ensure_ascii=False), title=run.item.title,
        version=run.lesson.scorm.version))
    return _package_headers(response, app_origin())


@bp.get("/<token>/p/<path:name>")
def package_file(token: str, name: str):
    run = _run(token)
    package = run.lesson.scorm
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if package.root is None:
        response = send_stored(library_store(), package.library_key(name), mimetype)
    else:
        path = safe_join(str(package.root), name)
        if path is None:
            abort(404)
        try:
            response = send_stored_file(Path(path), mimetype=mimetype, conditional=True)
        except (FileNotFoundError, IsADirectoryError):
            abort(404)
    return _package_headers(response, f"'self' {app_origin()}")  # every ancestor counts: the player, the lesson


@bp.post("/<token>/commit")
@csrf.exempt  # not a cookie session: the launch token in the address is the credential
def commit(token: str):
    run = _run(token)
    if (request.content_length or 0) > MAX_COMMIT_BYTES:
        abort(413)
    try:
        # scorm-again posts JSON, or text/plain JSON when it uses sendBeacon as the page goes away
        payload = json.loads(request.get_data(cache=False, as_text=True) or "null")
        standing = runtime.commit(run, payload)
    except (ValueError, runtime.CommitRefused):
        return jsonify(result=False, errorCode=101), 400
    return jsonify(result=True, errorCode=0, complete=standing.is_complete)
