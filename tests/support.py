"""Helpers shared by the web tests."""

from __future__ import annotations

import re

from elearn.models import User

PASSWORD = "correct-horse-42"


def sign_in(client, user: User, password: str = PASSWORD, body: str = "P000", **extra):
    return client.post(
        "/sign-in",
        data={"body": body, "sign_in_name": user.staff_number, "password": password, **extra},
    )


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)
