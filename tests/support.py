"""Helpers shared by the web tests."""

from __future__ import annotations

import re
from pathlib import Path

from elearn.models import User

PASSWORD = "correct-horse-42"
SAMPLE_CONTENT = Path(__file__).resolve().parent / "data" / "content"


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


def run_at_once(app, count: int, action) -> list:  # type: ignore[no-untyped-def]
    """Run action() in `count` threads released together, each in its own app context (as separate
    requests would be); returns their results and re-raises the first error any of them hit."""
    import threading

    barrier = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                barrier.wait()
                results.append(action())
        except BaseException as error:  # handed to the test below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
