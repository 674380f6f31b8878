"""Template helpers that keep per-process or per-request results: built addresses and the translation catalogue."""

from __future__ import annotations

import hashlib

from flask import render_template_string, url_for
from flask_babel import force_locale


def test_template_addresses_are_built_once_and_match_url_for(app):
    built = []
    app.url_defaults(lambda endpoint, values: built.append(endpoint))
    page = ("{{ url_for('learn.course', slug='a') }} {{ url_for('learn.course', slug='b') }} "
            "{{ url_for('learn.home', page=1) }} {{ url_for('learn.home', page=True) }} "
            "{{ url_for('learn.home', _anchor='top') }}")
    with app.test_request_context("/"):
        first = render_template_string(page)
        expected = " ".join([url_for("learn.course", slug="a"), url_for("learn.course", slug="b"),
                             url_for("learn.home", page=1), url_for("learn.home", page=True),
                             url_for("learn.home", _anchor="top")])
    assert first == expected
    assert "page=1" in first and "page=True" in first  # 1 and True hash alike but are different addresses
    built.clear()
    with app.test_request_context("/"):
        assert render_template_string(page) == first
    assert built == ["learn.home"]  # only the anchored address is built again


def test_a_relative_endpoint_is_kept_per_blueprint(app):
    # '.index' names a different page in each blueprint: the first one built must not answer for the others.
    for path, endpoint in (("/admin/", "admin.index"), ("/events/", "events.index"), ("/admin/", "admin.index")):
        with app.test_request_context(path):
            assert render_template_string("{{ url_for('.index') }}") == url_for(endpoint) == path


def test_a_changed_static_file_gets_a_new_address_in_debug_mode(app, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "x.css").write_text("a{}")
    app.static_folder = str(static)
    app.debug = True
    with app.test_request_context("/"):
        first = render_template_string("{{ url_for('static', filename='x.css') }}")
        (static / "x.css").write_text("a{color:red}")
        second = render_template_string("{{ url_for('static', filename='x.css') }}")
    assert first != second and second.endswith(hashlib.sha256(b"a{color:red}").hexdigest()[:12])


def test_templates_follow_a_forced_locale_inside_a_request(app):
    page = "{{ _('Sign out') }}"
    with app.test_request_context("/"):
        before = render_template_string(page)
        with force_locale("en"):
            forced = render_template_string(page)
        after = render_template_string(page)
    assert before == after == "サインアウト"
    assert forced == "Sign out"
