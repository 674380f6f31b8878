"""CSRF, cookies and response headers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from support import PASSWORD, csrf_token_from

from elearn import create_app, db
from elearn.config import ConfigError
from elearn.models import User


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


# The SCORM commit carries no session: its credential is the signed launch token in its address, and it
# answers only on the package origin (tests/web/test_scorm_runtime.py); on the app's origin it is not found.
NOT_A_SESSION_ENDPOINT = {"scorm.commit"}


def test_every_post_endpoint_refuses_a_request_without_csrf_token(csrf_app):
    client = csrf_app.test_client()
    post_rules = [rule for rule in csrf_app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(post_rules) >= 8
    for rule in post_rules:
        path = re.sub(r"<int:[a-z_]+>", "1", rule.rule.replace("<kind>", "staff"))
        path = re.sub(r"<(?:path:)?[a-z_]+>", "x", path)
        response = client.post(path, data={})
        expected = 404 if rule.endpoint in NOT_A_SESSION_ENDPOINT else 400
        assert response.status_code == expected, rule.rule


def test_sign_in_with_csrf_token_works_and_without_it_is_refused(csrf_app, make_user):
    user = make_user()
    client = csrf_app.test_client()
    form = {"body": "P000", "sign_in_name": user.staff_number, "password": PASSWORD}
    assert client.post("/sign-in", data=form).status_code == 400
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    assert client.post("/sign-in", data={**form, "csrf_token": token}).status_code == 302


def test_cookies_are_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    response = client.post("/sign-in", data={"body": "P000", "sign_in_name": user.staff_number,
                                             "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_secure_cookies_when_configured(make_app, make_user):
    secure_app = make_app(SESSION_COOKIE_SECURE="true")
    user = make_user()
    response = secure_app.test_client().post(
        "/sign-in", data={"body": "P000", "sign_in_name": user.staff_number, "password": PASSWORD})
    assert all("Secure" in cookie for cookie in response.headers.getlist("Set-Cookie"))


def test_pages_carry_a_self_only_content_security_policy(client):
    response = client.get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "http" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_production_refuses_to_start_without_a_secret_key(app_config):
    with pytest.raises(ConfigError):
        create_app({**app_config, "SECRET_KEY": None, "ENV_NAME": "production"})


@pytest.mark.parametrize("target", ["/x%0d%0aSet-Cookie:%20a=b", "/x%0aLocation:%20//evil.example", "/%09x",
                                    "/x%7f", "//[evil", "/x\\\\evil.example"])
def test_a_next_parameter_with_control_characters_redirects_home_instead_of_failing(client, make_user, target):
    assert client.get(f"/language/en?next={target}").headers["Location"] == "/"
    user = make_user()
    response = client.post(f"/sign-in?next={target}",
                           data={"body": "P000", "sign_in_name": user.staff_number, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_same_site_next_parameter_is_still_followed(client):
    assert client.get("/language/en?next=/courses%3Fq%3D%E8%AA%B2").headers["Location"].startswith("/courses?q=")


def test_no_form_control_on_the_sign_in_page_says_autocomplete_none(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'autocomplete="None"' not in page
    assert 'autocomplete="username"' in page
    assert re.search(r"<select[^>]*>", page) and "autocomplete" not in re.search(r"<select[^>]*>", page).group(0)


def _staff_count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(User))


def test_demo_refuses_a_database_with_real_staff_unless_forced(app, make_user):
    make_user(name="本物 職員")
    refused = app.test_cli_runner().invoke(args=["demo"])
    assert refused.exit_code != 0
    assert "1 staff who are not demo staff" in refused.output
    assert _staff_count(app) == 1
    forced = app.test_cli_runner().invoke(args=["demo", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _staff_count(app) > 500
    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code != 0  # the real person is still there


def test_demo_is_never_loaded_in_production(make_app):
    production = make_app(ENV_NAME="production", PUBLIC_URL="https://elearn.pref.example.lg.jp")
    for args in (["demo"], ["demo", "--force"]):
        result = production.test_cli_runner().invoke(args=args)
        assert result.exit_code != 0
        assert "never loaded in production" in result.output
    assert _staff_count(production) == 0
