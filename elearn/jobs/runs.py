"""What the worker did: each run of a task is recorded from Huey's signals (running, complete, retrying,
failed), so `elearn jobs` and the administrators' page can show failures with their error. A run left
"running" by a worker that died is marked interrupted, and re-enqueued, when a worker starts on that host."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from huey import Huey
from huey import signals as S
from sqlalchemy import delete, func, select

from elearn import db
from elearn.clock import utcnow
from elearn.models import JobRun, OutboxMessage
from elearn.services.notices.mail import release_claims_of, worker_name

log = logging.getLogger(__name__)

# The minute ticks would fill the table with nothing; their runs are recorded only when they fail.
QUIET = frozenset({"mail_tick", "kpi_warm"})
KEEP_FINISHED = timedelta(days=14)


def watch(queue: Huey, app: Flask) -> None:
    def record(task, state: str, error: str = "") -> None:  # type: ignore[no-untyped-def]
        if task.name in QUIET and state in {"running", "complete"}:
            return
        try:
            with app.app_context(), db.write_session() as session:
                run = session.scalar(select(JobRun).where(JobRun.task_id == task.id)
                                     .order_by(JobRun.id.desc()).limit(1))
                if state == "running" or run is None or run.state not in {"running", "retrying"}:
                    attempt = (run.attempt + 1) if run is not None and run.state == "retrying" else 1
                    run = JobRun(task_id=task.id, name=task.name, args=_plain(task.args), state=state,
                                 attempt=attempt, worker=worker_name(), started_at=utcnow())
                    session.add(run)
                run.state = state
                run.error = error[:4000]
                if state != "running":
                    run.finished_at = utcnow()
        except Exception:  # the record is a convenience; the task itself must not fail for it
            log.exception("could not record %s %s", task.name, state)

    @queue.signal(S.SIGNAL_EXECUTING)
    def executing(signal, task) -> None:  # type: ignore[no-untyped-def]
        record(task, "running")

    @queue.signal(S.SIGNAL_COMPLETE)
    def complete(signal, task) -> None:  # type: ignore[no-untyped-def]
        record(task, "complete")

    @queue.signal(S.SIGNAL_ERROR)
    def error(signal, task, exc=None) -> None:  # type: ignore[no-untyped-def]
        # Huey retries while task.retries is above zero; at zero this was the last attempt.
        record(task, "retrying" if task.retries else "failed", f"{type(exc).__name__}: {exc}")

    @queue.signal(S.SIGNAL_INTERRUPTED)
    def interrupted(signal, task) -> None:  # type: ignore[no-untyped-def]
        record(task, "interrupted", "the worker was stopped during the task")


def _plain(args: tuple | list | None) -> list:
    return [arg if isinstance(arg, int | str | float | bool) or arg is None else repr(arg) for arg in args or ()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead(worker: str, host: str) -> bool:
    name, _colon, pid = worker.rpartition(":")
    return name == host and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid))


def recover_interrupted(app: Flask) -> list[JobRun]:
    """Runs left "running" by dead workers of this host: marked interrupted, and the resumable ones put back
    on the queue; mail those workers had claimed goes back to the outbox at once. Called by `elearn worker`
    before it starts consuming."""
    from elearn import jobs
    from elearn.jobs.tasks import RESUMABLE

    host = socket.gethostname()
    recovered: list[JobRun] = []
    with app.app_context():
        claimants = db.session().scalars(select(OutboxMessage.claimed_by).distinct()
                                         .where(OutboxMessage.state == "sending")).all()
        release_claims_of([worker for worker in claimants if worker and _dead(worker, host)])
        with db.write_session() as session:
            for run in session.scalars(select(JobRun).where(JobRun.state == "running",
                                                            JobRun.worker.like(f"{host}:%"))):
                if not _dead(run.worker, host):
                    continue
                run.state = "interrupted"
                run.error = "the worker died during the task"
                run.finished_at = utcnow()
                recovered.append(run)
        for run in recovered:
            if run.name in RESUMABLE:
                jobs.enqueue(run.name, *run.args, app=app)
    return recovered


@dataclass(frozen=True)
class Waiting:
    name: str
    args: list
    eta: datetime | None
    retries_left: int


def waiting(queue: Huey, limit: int = 100) -> list[Waiting]:
    """Queued tasks, then those scheduled (a retry waiting for its back-off, or a delayed task)."""
    found = [Waiting(task.name, _plain(task.args), None, task.retries) for task in queue.pending(limit)]
    found += [Waiting(task.name, _plain(task.args), task.eta, task.retries) for task in queue.scheduled(limit)]
    return found


def recent(states: tuple[str, ...] | None = None, limit: int = 50) -> list[JobRun]:
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if states:
        query = query.where(JobRun.state.in_(states))
    return list(db.session().scalars(query))


def counts_since(since: datetime) -> dict[str, int]:
    return dict(db.session().execute(select(JobRun.state, func.count()).where(JobRun.started_at >= since)
                                     .group_by(JobRun.state)).all())


def prune(before: datetime | None = None) -> int:
    """Forget finished runs after two weeks; failures stay until then too, for the administrators."""
    cutoff = before or utcnow() - KEEP_FINISHED
    with db.write_session() as session:
        result = session.execute(delete(JobRun).where(JobRun.finished_at.is_not(None), JobRun.finished_at < cutoff))
    return result.rowcount or 0
