"""The job queue for real: a Huey consumer process (`elearn worker`) sending the outbox to a loopback SMTP
server, killed with SIGKILL in the middle, and a new one finishing the work; a failing task retried with
back-off and in the end shown as failed with its error; the Redis storage production uses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from elearn import db, jobs
from elearn.domain.notices import NoticeKind
from elearn.models import JobRun, OutboxMessage
from elearn.services import notices
from elearn.services.notices import Delivery


def _wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "elearn", "worker", "--threads", "1", "--no-periodic"],
                                env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def _counts(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return dict(db.session().execute(select(OutboxMessage.state, func.count())
                                         .group_by(OutboxMessage.state)).all())


def test_a_worker_killed_mid_task_loses_nothing(make_app, app_config, make_user, smtp_server, tmp_path):
    host, port, collector = smtp_server
    collector.delay = 0.05  # slow enough to kill the worker half-way through
    queue_url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    app = make_app(QUEUE_URL=queue_url, MAIL_SERVER=host, MAIL_PORT=port, MAIL_PER_MINUTE=0)
    people = [make_user(password=None) for _ in range(60)]
    with app.app_context(), db.write_session() as session:
        notices.deliver(session, [Delivery(person.id, NoticeKind.ANNOUNCEMENT,
                                           {"subject": f"お知らせ{person.id}", "text": "本文", "from": "みどり県"})
                                  for person in people])
    # Woken after the commit, as in a request: the task is on the queue before any worker runs.
    assert [task.name for task in jobs.queue(app).pending()] == ["send_mail"]

    env = {**os.environ, "ELEARN_DATABASE_URL": app.config["DATABASE_URL"], "ELEARN_SECRET_KEY": "test-secret-key",
           "ELEARN_INSTANCE_PATH": str(tmp_path / "instance"), "ELEARN_QUEUE_URL": queue_url,
           "ELEARN_MAIL_SERVER": host, "ELEARN_MAIL_PORT": str(port), "ELEARN_MAIL_PER_MINUTE": "0",
           "ELEARN_CONTENT_ROOT": app_config["CONTENT_ROOT"]}
    log = tmp_path / "worker.log"
    first = _worker(env, log)
    try:
        _wait_for(lambda: len(collector.messages) >= 10, 60, "the first worker to send ten messages")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    sent_before = len(collector.messages)
    assert sent_before < 60, "the worker finished before it could be killed"
    assert _counts(app).get("sending", 0) > 0  # killed holding a claim

    collector.delay = 0.0
    second = _worker(env, log)
    try:
        _wait_for(lambda: _counts(app) == {"sent": 60}, 60, "the second worker to finish")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(20)
    ids = [message["Message-ID"] for message in collector.parsed()]
    with app.app_context():
        stored = set(db.session().scalars(select(OutboxMessage.message_id)))
        runs = list(db.session().scalars(select(JobRun).order_by(JobRun.id)))
    assert set(ids) == stored  # nothing lost
    assert len(ids) - len(set(ids)) <= 1  # at most the one message in flight when it died, same Message-ID
    assert [run.state for run in runs] == ["interrupted", "complete"], log.read_text()
    assert runs[0].name == runs[1].name == "send_mail"


def test_a_failing_task_is_retried_with_back_off_then_shown_as_failed(make_app, tmp_path, client):
    app = make_app(QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    queue = jobs.queue(app)
    jobs.enqueue("deliver_announcement", 404, app=app)  # no such announcement: every attempt fails
    etas: list[datetime] = []
    for _attempt in range(6):
        task = queue.dequeue() or queue.scheduled()[0]
        if task.eta:
            etas.append(task.eta)
            queue.storage.flush_schedule()
        queue.execute(task, timestamp=datetime(2100, 1, 1))
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(etas, etas[1:], strict=False)]
    assert len(etas) == 5 and all(later > earlier * 1.5 for earlier, later in zip(gaps, gaps[1:], strict=False))
    with app.app_context():
        runs = list(db.session().scalars(select(JobRun).order_by(JobRun.id)))
    assert [run.state for run in runs] == ["retrying"] * 5 + ["failed"]
    assert [run.attempt for run in runs] == [1, 2, 3, 4, 5, 6]
    assert "announcement 404 does not exist" in runs[-1].error

    result = app.test_cli_runner().invoke(args=["jobs"])
    assert result.exit_code == 0 and "failed" in result.output and "announcement 404 does not exist" in result.output


def test_the_redis_queue_production_uses_carries_a_task(make_app):
    url = "redis://127.0.0.1:6379/15"
    app = make_app(QUEUE_URL=url)
    queue = jobs.queue(app)
    queue.flush()
    jobs.enqueue("send_mail", app=app)
    task = queue.dequeue()
    assert task is not None and task.name == "send_mail"
    queue.execute(task)
    with app.app_context():
        assert db.session().scalar(select(JobRun.state)) == "complete"
    queue.flush()
