"""Locust scenario: the week the all-staff course opens (run by bench/learner_week.py, which sets the environment).

Each simulated learner signs in through the form, opens My learning and the course, reads every lesson (the
page, then 読んだ), takes the quiz and answers it rightly, opens the result, downloads the certificate PDF,
reads the newest magazine issue and signs out; then the same locust user goes on as the next bench learner.
Between pages a learner pauses THINK_MIN..THINK_MAX seconds. The answers come from the attempt's stored
snapshot in the database (the load generator plays a person who knows them); the page itself never carries them.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
from pathlib import Path

import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_load import answers  # noqa: E402  (the attempt page's form fields, as the bench of the submit builds them)

HOSTS = os.environ["WEEK_HOSTS"].split(",")
ACCOUNTS = os.environ["WEEK_ACCOUNTS"].split(",")  # staff numbers of the bench learners, each used once
BODY, PASSWORD, COURSE = os.environ["WEEK_BODY"], os.environ["WEEK_PASSWORD"], os.environ["WEEK_COURSE"]
LESSONS = os.environ["WEEK_LESSONS"].split(",")
THINK_MIN, THINK_MAX = float(os.environ.get("WEEK_THINK_MIN", "1")), float(os.environ.get("WEEK_THINK_MAX", "3"))
_next_account = itertools.count()
_user_numbers = itertools.count()
_engine = create_engine(os.environ["WEEK_DATABASE_URL"], pool_size=4)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSED = 'class="verdict">合格<'


def _csrf(page: str) -> str:
    found = CSRF.search(page)
    if not found:
        raise ValueError("no CSRF token on the page")
    return found.group(1)


class Learner(HttpUser):
    host = HOSTS[0]

    def on_start(self) -> None:
        # Learners alternate between the app servers, as behind nginx.
        self.base = HOSTS[next(_user_numbers) % len(HOSTS)]

    def think(self) -> None:
        gevent.sleep(random.uniform(THINK_MIN, THINK_MAX))

    def page(self, path: str, name: str, expect: int = 200, method: str = "GET", **kwargs):  # type: ignore[no-untyped-def]
        with self.client.request(method, f"{self.base}{path}", name=name, allow_redirects=False,
                                 catch_response=True, **kwargs) as response:
            if response.status_code != expect:
                said = re.search(r'<div class="flash flash-error"[^>]*>([^<]+)<', response.text or "")
                why = f" ({said.group(1)})" if said else f" ({type(response.error).__name__})" if response.error else ""
                response.failure(f"{method} {name}: {response.status_code}, expected {expect}{why}")
                raise StopUser()
            response.success()
            return response

    @task
    def one_learner(self) -> None:
        index = next(_next_account)
        if index >= len(ACCOUNTS):
            raise StopUser()
        self.client.cookies.clear()
        form = self.page("/sign-in", "sign-in page")
        self.page("/sign-in", "sign in", 302, "POST", data={
            "csrf_token": _csrf(form.text), "body": BODY, "sign_in_name": ACCOUNTS[index], "password": PASSWORD})
        self.page("/", "my learning")
        self.think()
        self.page(f"/courses/{COURSE}/", "course page")
        for lesson in LESSONS:
            self.think()
            shown = self.page(f"/courses/{COURSE}/{lesson}", "lesson")
            self.page(f"/courses/{COURSE}/{lesson}/read", "lesson read", 302, "POST",
                      data={"csrf_token": _csrf(shown.text)})
        course = self.page(f"/courses/{COURSE}/", "course page")
        started = self.page(f"/courses/{COURSE}/quiz/start", "quiz start", 302, "POST",
                            data={"csrf_token": _csrf(course.text)})
        attempt_path = started.headers["Location"]
        attempt_page = self.page(attempt_path, "quiz attempt page")
        attempt_id = int(attempt_path.rstrip("/").rsplit("/", 1)[1])
        with _engine.connect() as connection:
            questions, sequence = connection.execute(text(
                "SELECT questions, sequence FROM quiz_attempts WHERE id = :id"), {"id": attempt_id}).one()
        self.think()
        submitted = self.page(attempt_path, "quiz submit", 302, "POST", data={
            "csrf_token": _csrf(attempt_page.text), "sequence": str(sequence), "action": "submit",
            **answers(questions if isinstance(questions, list) else json.loads(questions), True)})
        result = self.page(submitted.headers["Location"], "quiz result")
        if PASSED not in result.text:
            events.request.fire(request_type="CHECK", name="passed", response_time=0, response_length=0,
                                exception=AssertionError(f"attempt {attempt_id} did not pass"))
        self.think()
        mine = self.page("/certificates/", "my certificates")
        pdf_path = re.search(r'href="(/certificates/\d+\.pdf)"', mine.text)
        if pdf_path is None:
            events.request.fire(request_type="CHECK", name="certificate link", response_time=0, response_length=0,
                                exception=AssertionError("no certificate to download"))
        else:
            self.page(pdf_path.group(1), "certificate pdf")
        self.think()
        magazine = self.page("/magazine/", "magazine")
        issue = re.search(r'href="(/magazine/\d+/)"', magazine.text)
        if issue:
            self.page(issue.group(1), "magazine issue")
        home = self.page("/", "my learning")
        self.page("/sign-out", "sign out", 302, "POST", data={"csrf_token": _csrf(home.text)})
