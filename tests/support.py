"""Helpers shared by the web tests."""

from __future__ import annotations

import http.client
import io
import re
import socket
import subprocess
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text

from elearn import db, jobs
from elearn.clock import utcnow
from elearn.db import Base
from elearn.domain.completion import completion_fiscal_year
from elearn.domain.people import DEFAULT_GRADES, Permission, Tier
from elearn.models import (
    Certificate,
    Completion,
    Course,
    CourseVersion,
    DataGeneration,
    Grade,
    TrainingEvent,
    User,
)
from elearn.services import certificates

PASSWORD = "correct-horse-42"
# What a server writes once it holds its port: gunicorn (elearn serve) and werkzeug (moto's server).
GUNICORN_LISTENING = r"Listening at: (\S+,)?{base_url}[, ]"
WERKZEUG_LISTENING = r"Running on {base_url}\s"
SAMPLE_CONTENT = Path(__file__).resolve().parent / "data" / "content"
# A SCORM 1.2 manifest: an asset, then a SCO with a mastery score.
MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="demo" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>セキュリティ自己点検</title>
      <item identifier="i1" identifierref="r1"><title>はじめに</title></item>
      <item identifier="i2" identifierref="r2" parameters="?part=2">
        <title>確認</title><adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormtype="asset" href="intro.html"/>
    <resource identifier="r2" type="webcontent" adlcp:scormtype="sco" href="check/index.html"/>
  </resources>
</manifest>"""


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


def answer_form(questions: list[dict], right: bool = True) -> dict:
    """Form data answering every stored question rightly (or wrongly), by display position."""
    form: dict = {}
    for number, q in enumerate(questions, start=1):
        field, order = f"q{number}", q["order"]
        if q["kind"] == "single":
            wanted = next(i for i, c in enumerate(q["choices"]) if c["correct"] == right)
            form[field] = str(order.index(wanted))
        elif q["kind"] == "multiple":
            form[field] = [str(order.index(i)) for i, c in enumerate(q["choices"]) if c["correct"] == right]
        elif q["kind"] == "true_false":
            form[field] = "true" if q["answer"] == right else "false"
        elif q["kind"] == "short_answer":
            form[field] = q["answers"][0] if right else "わからない"
        else:
            ranks = [order.index(i) for i in range(len(order))] if right else list(range(len(order)))
            for position in range(len(order)):
                form[f"{field}-{position}"] = str(ranks.index(position) + 1 if right else position + 1)
    return form


def answers_for(questions: list[dict], right: bool = True) -> dict:
    """answer_form as the quiz view hands it to the service: plain answers by question number."""
    from elearn.quiz.forms import answers_from
    from elearn.services.learning.quiz_snapshot import learner_view

    form = {k: v if isinstance(v, list) else [v] for k, v in answer_form(questions, right).items()}
    return answers_from(form, learner_view(questions))


def complete(app, user: User, when: datetime | None = None) -> Certificate:
    """A completion of the sample course with its certificate, as a passed quiz makes them."""
    when = when or utcnow()
    with app.app_context(), db.write_session() as session:
        holder = session.get(User, user.id)
        version = session.scalar(select(CourseVersion).join(Course).where(Course.slug == "sample-course")
                                 .order_by(CourseVersion.version.desc()))
        completion = Completion(user_id=holder.id, course_id=version.course_id, course_version_id=version.id,
                                completed_at=when, fiscal_year=completion_fiscal_year(when),
                                body_id=holder.body_id, division_id=holder.division_id, grade_id=holder.grade_id)
        session.add(completion)
        session.flush()
        return certificates.issue(session, completion, holder, version)


GENERATIONS = ("dx_manager", "dx_specialist", "digital_leader", "all_staff", "people", "kpi_settings")


def empty_postgres(url: str) -> None:
    """Empty the shared PostgreSQL test database back to what a fresh migration leaves."""
    engine = create_engine(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # What migration 0002 seeds, as a fresh database has it.
        connection.execute(insert(Grade), [{"name": n, "sort_order": i} for i, n in enumerate(DEFAULT_GRADES)])
        # What migration 0017 seeds: the KPI's data generations (TRUNCATE fires no trigger).
        connection.execute(insert(DataGeneration), [{"name": name, "generation": 1} for name in GENERATIONS])
    engine.dispose()


def trainees_by_sql(as_of: date, tiers, body_ids: list[int] | None = None, since: int = 2022,
                    in_year: int | None = None) -> int:
    """The KPI rule (distinct people) written out once more in plain SQL, independently of
    elearn.services.kpi, to check the report against: certificates in force, and imported records that
    have no certificate (one asked for counts through the certificate)."""
    tier_list = ", ".join(f"'{Tier(tier).value}'" for tier in tiers)
    certified = (f"SELECT user_id FROM certificates WHERE tier IN ({tier_list}) "
                 "AND superseded_at IS NULL AND fiscal_year >= :since AND completed_on <= :as_of "
                 "AND (revoked_on IS NULL OR revoked_on > :as_of)")
    recorded = (f"SELECT user_id FROM completions c WHERE history_import_id IS NOT NULL AND tier IN ({tier_list}) "
                "AND fiscal_year >= :since AND completed_on <= :as_of AND NOT EXISTS "
                "(SELECT 1 FROM certificates k WHERE k.completion_id = c.id AND k.superseded_at IS NULL)")
    parameters: dict = {"since": since, "as_of": as_of}
    if body_ids is not None:
        listed = ", ".join(str(int(body_id)) for body_id in body_ids)
        certified += f" AND body_id IN ({listed})"
        recorded += f" AND body_id IN ({listed})"
    if in_year is not None:
        certified += " AND fiscal_year = :in_year"
        recorded += " AND fiscal_year = :in_year"
        parameters["in_year"] = in_year
    sql = f"SELECT count(DISTINCT user_id) FROM ({certified} UNION ALL {recorded}) AS counted"
    return db.session().execute(text(sql), parameters).scalar_one()


def browser_sign_in(page, base_url: str, account: dict) -> None:
    """Sign in through the form in a Playwright page, as a person would."""
    page.goto(f"{base_url}/sign-in")
    page.select_option("select[name=body]", account["body"])
    page.fill("input[name=sign_in_name]", account["staff_number"])
    page.fill("input[name=password]", account["password"])
    page.click("button[type=submit]")


def queries_for(app, client, path: str) -> int:
    """How many SQL statements one GET of `path` runs (it must answer 200)."""
    return len(statements_for(app, client, path))


def statements_for(app, client, path: str) -> list[str]:
    """The SQL statements one GET of `path` runs (it must answer 200)."""
    from sqlalchemy import event

    engine = app.extensions["elearn.engine"]
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def run_queued(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Run what waits in the app's queue here, as the worker would; returns the task names."""
    queue, ran = jobs.queue(app), []
    while (task := queue.dequeue()) is not None:
        ran.append(task.name)
        queue.execute(task)
    return ran


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add_material(app, org, make_user) -> tuple:  # type: ignore[no-untyped-def]
    """An organiser's event with one PDF attached; the organiser's client and the material's address."""
    organiser = app.test_client()
    sign_in(organiser, make_user(division="P102", permissions=[(Permission.ORGANISER, "P000")]))
    created = organiser.post("/events/manage/new", data={
        "owner_body": org["P000"].id, "code": "WS-S3", "title": "データ活用ワークショップ", "description": "演習",
        "format": "workshop", "delivery": "in_person", "hours": "3", "kpi_tier": "dx_specialist",
        "target_tiers": [], "target_grades": []})
    event_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    organiser.post(f"/events/manage/{event_id}/materials", data={"file": (io.BytesIO(PDF), "資料.pdf")},
                   content_type="multipart/form-data")
    with app.app_context():
        (material,) = db.session().get(TrainingEvent, event_id).materials
        return organiser, f"/events/materials/{material.id}"


def free_port() -> int:
    """A loopback port that was free a moment ago. Another process (the other xdist worker's server) may take it
    before ours binds it, so wait with `wait_for_server`, which believes only the server's own log."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(base_url: str, server: subprocess.Popen, log: Path, path: str = "/readyz",
                    listening: str = GUNICORN_LISTENING, seconds: float = 40) -> None:
    """Until `server` says in `log` that it listens at `base_url` and `path` answers 200 there. Any request error
    (refused, or a worker still booting on a busy machine) counts as "not up yet" until the deadline."""
    said_listening = re.compile(listening.format(base_url=re.escape(base_url)))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server at {base_url} stopped: {log.read_text()[-2000:]}")
        if said_listening.search(log.read_text(errors="replace")):
            try:
                with urllib.request.urlopen(f"{base_url}{path}", timeout=10) as response:
                    if response.status == 200:
                        return
            except (OSError, http.client.HTTPException):
                pass
        time.sleep(0.3)
    raise RuntimeError(f"the server at {base_url} did not start: {log.read_text()[-2000:]}")
