"""Writers of one SQLite file take turns: threads of a process, and processes, including ones forked from it."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from elearn.db import SqliteWriterQueue


def _take_a_turn(queue_or_path: SqliteWriterQueue | str, entered) -> None:  # type: ignore[no-untyped-def]
    queue = SqliteWriterQueue(queue_or_path) if isinstance(queue_or_path, str) else queue_or_path
    with queue.turn():
        entered.set()


# "spawn": another worker process with its own queue on the same file. "fork": a worker forked, as gunicorn forks
# them, from a process that took turns before and here even holds one; it must neither share the parent's flock
# nor think itself inside the parent's turn.
@pytest.mark.parametrize("start", ["spawn", "fork"])
def test_another_process_waits_for_the_turn_in_progress(tmp_path, start):
    database = str(tmp_path / "app.sqlite3")
    queue = SqliteWriterQueue(database)
    with queue.turn():
        pass
    context = multiprocessing.get_context(start)
    entered = context.Event()
    with queue.turn():
        other = context.Process(target=_take_a_turn, args=(database if start == "spawn" else queue, entered))
        other.start()
        assert not entered.wait(timeout=1.0)
    assert entered.wait(timeout=20)
    other.join(timeout=20)
    assert other.exitcode == 0


def test_threads_take_turns_and_a_turn_inside_a_turn_goes_straight_in(tmp_path):
    queue = SqliteWriterQueue(str(tmp_path / "app.sqlite3"))
    entered = threading.Event()
    with queue.turn():
        with queue.turn():  # the same thread again: no wait for itself
            pass
        other = threading.Thread(target=_take_a_turn, args=(queue, entered))
        other.start()
        assert not entered.wait(timeout=0.5)
    assert entered.wait(timeout=10)
    other.join()


def _hold_the_turn(database: str, holding, release) -> None:  # type: ignore[no-untyped-def]
    with SqliteWriterQueue(database).turn():
        holding.set()
        release.wait(timeout=30)


def test_a_writer_that_waits_longer_than_the_busy_timeout_fails_as_sqlite_would(tmp_path):
    from sqlalchemy.exc import OperationalError

    database = str(tmp_path / "app.sqlite3")
    context = multiprocessing.get_context("spawn")
    holding, release = context.Event(), context.Event()
    stuck = context.Process(target=_hold_the_turn, args=(database, holding, release))
    stuck.start()
    try:
        assert holding.wait(timeout=20)
        with pytest.raises(OperationalError, match="database is locked"), SqliteWriterQueue(database).turn(timeout=0.3):
            pass
    finally:
        release.set()
        stuck.join(timeout=20)
    with SqliteWriterQueue(database).turn(timeout=5):  # free again once the other writer is done
        pass
