"""A live server (gunicorn through `elearn serve`) on a migrated SQLite database with the demo data,
driven by Debian's Chromium through Playwright. No browser is ever downloaded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import free_port, wait_for_server

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[dict]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is not installed (apt-get install chromium); .ci/run installs it")
    folder = tmp_path_factory.mktemp("live")
    port, package_port = free_port(), free_port()
    env = {
        **os.environ,
        "ELEARN_DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}",
        "ELEARN_INSTANCE_PATH": str(folder / "instance"),
        "ELEARN_SECRET_KEY": "browser-test-secret",
        "ELEARN_CONTENT_ROOT": str(_content_with_third_party_packages(folder / "content")),
        "ELEARN_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ELEARN_SCORM_CONTENT_URL": f"http://127.0.0.1:{package_port}",
    }
    elearn = [sys.executable, "-m", "elearn"]
    subprocess.run([*elearn, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*elearn, "content", "sync"], env=env, check=True, capture_output=True)
    demo = subprocess.run([*elearn, "demo"], env=env, check=True, capture_output=True, text=True)
    log = folder / "server.log"
    with log.open("wb") as log_file:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen([*elearn, "serve", "--port", str(port), "--workers", "2"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=log_file)
    base_url = f"http://127.0.0.1:{port}"
    try:
        # The port was free when it was picked, before the demo was loaded: only the server's log says it is ours.
        wait_for_server(base_url, server, log, path="/sign-in", seconds=30)
        yield {"base_url": base_url, "accounts": _parse_accounts(demo.stdout), "database": folder / "live.sqlite3",
               "package_origin": env["ELEARN_SCORM_CONTENT_URL"]}
    finally:
        server.terminate()
        server.wait(timeout=20)


SAMPLES_COURSE = """---
slug: scorm-samples
title: SCORM教材の動作確認（テスト用）
summary: 外部の事業者が作ったSCORM 1.2と2004の教材を再生します。
version: 1
tiers: []
required_for_grades: []
estimated_minutes: 30
recurrence_years: null
---
テスト専用のコースです。
"""


def _content_with_third_party_packages(root: Path) -> Path:
    """The project's content, plus a course of SCORM packages the project did not write (tests/data/scorm)."""
    shutil.copytree(PROJECT / "courses", root / "courses")
    shutil.copytree(PROJECT / "quizzes", root / "quizzes")
    shutil.copyfile(PROJECT / "glossary.yaml", root / "glossary.yaml")
    course = root / "courses" / "scorm-samples"
    course.mkdir()
    (course / "course.md").write_text(SAMPLES_COURSE, encoding="utf-8")
    for number, name in enumerate(("golf12", "golf2004"), start=1):
        shutil.copytree(PROJECT / "tests" / "data" / "scorm" / name, course / name)
        (course / f"{number:02d}-{name}.md").write_text(
            f"---\ntitle: {name}\nminutes: 10\nscorm:\n  folder: {name}\n---\n", encoding="utf-8")
    return root


def _parse_accounts(table: str) -> list[dict]:
    lines = [line.split() for line in table.strip().splitlines()[1:]]
    return [{"permission": p, "body": b, "staff_number": n, "email": e, "password": pw}
            for p, b, n, e, pw in lines]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    yield page
    context.close()
