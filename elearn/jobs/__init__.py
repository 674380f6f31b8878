"""Background jobs on Huey: one queue per app, configured by ELEARN_QUEUE_URL (a SQLite file in instance/ by
default, Redis in production). `elearn worker` runs the consumer; the web app only enqueues.

Every task here works from the database, not from what it was handed: the outbox, the reminder log and
the announcements say what is left to do. A worker killed in the middle of a task therefore loses nothing:
the periodic ticks pick the work up again, and the interrupted run is re-enqueued when a worker starts."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey

log = logging.getLogger(__name__)

QUEUE_NAME = "elearn"


def make_queue(url: str) -> Huey:
    """A Huey for `url`: sqlite:///path/to/file or redis://host:port/db."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=path, results=False, utc=True)
    if scheme in {"redis", "rediss"}:
        return RedisHuey(QUEUE_NAME, url=url, results=False, utc=True)
    raise ValueError(f"ELEARN_QUEUE_URL: unknown scheme {scheme!r} (use sqlite:///file or redis://host/db)")


def init_app(app: Flask) -> None:
    from elearn.jobs import runs, tasks

    url = app.config.get("QUEUE_URL") or f"sqlite:///{Path(app.instance_path) / 'queue.sqlite3'}"
    queue = make_queue(url)
    app.extensions["elearn.queue"] = queue
    app.extensions["elearn.tasks"] = tasks.register(queue, app)
    runs.watch(queue, app)


def queue(app: Flask | None = None) -> Huey:
    return (app or current_app).extensions["elearn.queue"]


def task(name: str, app: Flask | None = None):  # type: ignore[no-untyped-def]
    return (app or current_app).extensions["elearn.tasks"][name]


def enqueue(name: str, *args: object, app: Flask | None = None) -> bool:
    """Put a task on the queue; False (logged) if the queue cannot be reached. Callers never depend on it:
    the periodic ticks do the same work a little later."""
    try:
        task(name, app)(*args)
    except Exception:  # the queue's storage is down or locked: the tick will do it
        log.exception("could not enqueue %s", name)
        return False
    return True


def enqueue_once(key: str, name: str, *args: object, app: Flask | None = None,
                 stale_after: float = 600.0) -> bool:
    """Put a task on the queue unless one for the same `key` is waiting or running: a page polling for
    progress asks every second, and the work must be queued once. A claim older than `stale_after` seconds
    is taken to belong to a worker that died, and the task is queued again. The task calls `release`."""
    slot = f"once:{key}"
    try:
        store = queue(app)
        moment = time.time()
        if not store.put_if_empty(slot, moment):
            claimed = store.get(slot, peek=True)
            if claimed is not None and moment - float(claimed) < stale_after:
                return False
            store.put(slot, moment)
        task(name, app)(*args)
    except Exception:
        log.exception("could not enqueue %s", name)
        return False
    return True


def release(key: str, app: Flask | None = None) -> None:
    queue(app).delete(f"once:{key}")


MAIL_KEY = "send_mail"


def wake_mail(app: Flask) -> None:
    """One waiting send at a time: the task frees the slot as it starts, so mail queued while it runs wakes
    the next one."""
    enqueue_once(MAIL_KEY, "send_mail", app=app, stale_after=300)
