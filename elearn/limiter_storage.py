"""`database://`: a Flask-Limiter storage in the app's own database, so every gunicorn worker (and every
server in front of one PostgreSQL) counts the same hits without Redis. Fixed windows only, the
strategy the app uses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from limits.storage import Storage
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from elearn import db
from elearn.models.security import RateLimitCounter

SCHEME = "database"
_counters = RateLimitCounter.__table__


class DatabaseStorage(Storage):
    """Counters in `rate_limit_counters`, reached through the current app's engine."""

    STORAGE_SCHEME = [SCHEME]

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        try:
            return self._incr_once(key, expiry, amount)
        except IntegrityError:
            # Two workers raced to insert the key's first row; the second try updates it.
            return self._incr_once(key, expiry, amount)

    def _incr_once(self, key: str, expiry: int, amount: int) -> int:
        now = time.time()
        with _writing() as connection:
            row = connection.execute(
                select(_counters.c.hits, _counters.c.expires_at).where(_counters.c.key == key).with_for_update()
            ).one_or_none()
            if row is None:
                # A new key: forget windows that are over (any key), so the table stays small.
                connection.execute(delete(_counters).where(_counters.c.expires_at <= now))
                connection.execute(insert(_counters).values(key=key, hits=amount, expires_at=now + expiry))
                return amount
            if row.expires_at <= now:  # the window is over: a new one starts with this hit
                connection.execute(
                    update(_counters).where(_counters.c.key == key).values(hits=amount, expires_at=now + expiry)
                )
                return amount
            connection.execute(update(_counters).where(_counters.c.key == key).values(hits=row.hits + amount))
            return row.hits + amount

    def get(self, key: str) -> int:
        with db.engine().connect() as connection:
            hits = connection.scalar(
                select(_counters.c.hits).where(_counters.c.key == key, _counters.c.expires_at > time.time())
            )
        return hits or 0

    def get_expiry(self, key: str) -> float:
        with db.engine().connect() as connection:
            expires_at = connection.scalar(select(_counters.c.expires_at).where(_counters.c.key == key))
        return expires_at if expires_at is not None else time.time()

    def check(self) -> bool:
        try:
            with db.engine().connect() as connection:
                connection.scalar(select(func.count()).select_from(_counters))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with _writing() as connection:
            return connection.execute(delete(_counters)).rowcount

    def clear(self, key: str) -> None:
        with _writing() as connection:
            connection.execute(delete(_counters).where(_counters.c.key == key))


@contextmanager
def _writing() -> Iterator[Connection]:
    """A transaction that reads then writes: BEGIN IMMEDIATE on SQLite (see elearn.db), commit on success."""
    with db.writer_turn(), db.engine().connect() as connection:
        connection.execution_options(**{db._BEGIN_MODE: "IMMEDIATE"})
        with connection.begin():
            yield connection


def is_per_process(storage_uri: str) -> bool:
    """Whether each process keeps its own counts (so N workers allow N times the limit)."""
    return storage_uri.split("://", 1)[0].removeprefix("async+") == "memory"
