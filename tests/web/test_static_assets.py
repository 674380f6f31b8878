"""Static files: addresses name their content, and such an address may be cached for a year."""

from __future__ import annotations

import hashlib
import re

from elearn.config import PROJECT_ROOT


def fetch(client, url):  # type: ignore[no-untyped-def]
    """The response, read and closed (a file response left open warns)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def test_pages_link_static_files_by_their_content_and_those_are_cached_for_good(client):
    page = client.get("/sign-in").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]{12})"', page)
    assert "/static/css/app.css" in {path for path, _ in links}
    for path, version in links:
        content = (PROJECT_ROOT / path.removeprefix("/")).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:12]
        answer = fetch(client, f"{path}?v={version}")
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_an_address_without_the_current_version_is_not_cached_for_good(client):
    for query in ("", "?v=000000000000"):
        answer = fetch(client, f"/static/css/app.css{query}")
        assert answer.status_code == 200 and "immutable" not in answer.headers.get("Cache-Control", "")


def test_a_changed_file_gets_a_new_address(app, tmp_path):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "x.css").write_text("a{}")
    app.static_folder = str(static)
    with app.test_request_context():
        from flask import url_for

        first = url_for("static", filename="css/x.css")
        (static / "css" / "x.css").write_text("a{color:red}")
        second = url_for("static", filename="css/x.css")
    assert first != second and second.endswith(hashlib.sha256(b"a{color:red}").hexdigest()[:12])
