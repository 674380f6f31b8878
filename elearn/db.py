"""Engine, sessions and the declarative base.

SQLite is configured for several workers: WAL, busy_timeout and foreign keys on every connection,
and transactions that read then write begin IMMEDIATE (see `write_session`), each writer in its turn
(`SqliteWriterQueue`).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TypeVar

from flask import Flask, current_app, g
from sqlalchemy import MetaData, Table, create_engine, event, insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000
_BEGIN_MODE = "elearn_sqlite_begin"


# Rows per IN (...) list: well under SQLite's bound-parameter limit, and small plans on PostgreSQL.
IN_LIST_SIZE = 500
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    """`items` in slices for IN (...) lists."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


# PostgreSQL: rows in one bulk insert from which its table's statistics are made again at once.
ANALYZE_AFTER_ROWS = 10_000


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, object]]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL, one executemany elsewhere. Every row has
    the same keys; the columns' Python defaults fill the keys left out, as `insert()` would.

    A multi-row INSERT has thousands of placeholders, which psycopg rewrites for PostgreSQL in Python and does not
    cache at that length: 90 of the 141 s of a 300,000-person first import. COPY sends the rows as they are."""
    if not rows:
        return
    # insert() would drop such a key without a word: a misspelt column would silently stay empty.
    unknown = set(rows[0]) - {column.key for column in table.columns}
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    from psycopg import sql  # only on PostgreSQL, whose driver it is

    given = [column for column in table.columns if column.key in rows[0]]
    defaulted = [column for column in table.columns
                 if column.key not in rows[0] and column.default is not None and not column.primary_key]
    for column in defaulted:
        if not (column.default.is_scalar or column.default.is_callable):
            raise ValueError(f"{table.name}.{column.name}: a default COPY cannot give")
    columns = given + defaulted
    # The dialect's own type: a plain JSON column has no processor of its own, PostgreSQL's wraps the value for psycopg.
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(column.name) for column in columns))
    driver_connection = session.connection().connection.driver_connection
    with driver_connection.cursor() as cursor:
        with cursor.copy(statement) as copy:
            for row in rows:
                values = [row[column.key] for column in given]
                values += [column.default.arg if column.default.is_scalar else column.default.arg(None)
                           for column in defaulted]
                copy.write_row([process(value) if process else value
                                for process, value in zip(processors, values, strict=True)])
        if len(rows) >= ANALYZE_AFTER_ROWS:
            # Autovacuum analyzes a table only a while after the commit; until then every plan is made for the table
            # as it was (seen: 31 s instead of 3.9 s to look up 300,000 people just imported, body by body). ANALYZE
            # samples a fixed number of rows, and its lock stops only another ANALYZE or VACUUM, not reads or writes.
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table.name)))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SqliteWriterQueue:
    """Writers of one SQLite file take turns here before BEGIN IMMEDIATE: threads on a lock, processes on an
    flock of a file beside the database, tried every millisecond. SQLite's own busy handler sleeps up to 100 ms
    between tries, so under contention a writer could sleep long after the lock came free (quiz submits had a
    p99 of a second). A writer that waits longer than SQLite's busy timeout fails as SQLite would have."""

    def __init__(self, database_path: str) -> None:
        self._lock_path = f"{database_path}.writers"
        self._start_afresh()
        _queues.add(self)

    def _start_afresh(self) -> None:
        # Also in a forked child, which must neither inherit a turn in progress nor share the parent's flock
        # (a descriptor inherited over fork shares it).
        self._threads = threading.RLock()
        self._depth = threading.local()
        self._fd: int | None = None

    @contextmanager
    def turn(self, timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000) -> Iterator[None]:
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            raise _still_locked(timeout)
        depth = getattr(self._depth, "value", 0)
        self._depth.value = depth + 1
        try:
            if depth:  # a turn inside this thread's own turn
                yield
                return
            if self._fd is None:
                self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            while True:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise _still_locked(timeout) from None
                    time.sleep(0.001)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._depth.value = depth
            self._threads.release()


def _still_locked(timeout: float) -> OperationalError:
    return OperationalError(f"waited {timeout:g} s for another writer of the database", None,
                            sqlite3.OperationalError("database is locked"))


_queues: weakref.WeakSet[SqliteWriterQueue] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for queue in list(_queues):
        if queue._fd is not None:
            os.close(queue._fd)
        queue._start_afresh()


os.register_at_fork(after_in_child=_after_fork_in_child)


def make_engine(url: str, **options: object) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
        _configure_sqlite(engine)
        return engine
    if make_url(url).get_driver_name() == "psycopg":
        # psycopg prepares a statement on the server once it has run five times on a connection, and PostgreSQL
        # then plans it once for any values (a generic plan) when that plan's estimate looks no worse. On skewed
        # data that goes badly wrong: 500 staff numbers of the prefecture (60,000 of the 300,000 staff) were
        # looked up through the body index, filtering its 60,000 rows, 600 ms a statement instead of 0.7 ms.
        # Unprepared, every statement is planned for its own values; planning costs well under a millisecond,
        # and it works behind PgBouncer's transaction pooling too.
        options = {**options, "connect_args": {"prepare_threshold": None, **options.get("connect_args", {})}}
    return create_engine(url, pool_pre_ping=True, **options)


def _limit_statements(engine: Engine, milliseconds: int) -> None:
    """PostgreSQL cancels any statement of these connections running longer. Set per transaction (SET LOCAL), not
    per connection: behind PgBouncer's transaction pooling a connection's setting would reach the job worker too."""
    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Take transaction control away from pysqlite so the "begin" hook below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        mode = connection.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    timeout = app.config.get("STATEMENT_TIMEOUT_SECONDS")
    if timeout and engine.dialect.name == "postgresql":
        _limit_statements(engine, int(float(timeout) * 1000))
    app.extensions["elearn.engine"] = engine
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    app.extensions["elearn.writer_queue"] = (
        SqliteWriterQueue(database) if database and database != ":memory:" else None)
    app.extensions["elearn.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["elearn.engine"]


def session() -> Session:
    """The session of the current app context (one per request or CLI command)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["elearn.sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def writer_turn() -> AbstractContextManager[None]:
    """Wait for this SQLite database's writers before BEGIN IMMEDIATE (nothing to wait for on PostgreSQL)."""
    queue: SqliteWriterQueue | None = current_app.extensions["elearn.writer_queue"]
    return queue.turn() if queue else nullcontext()


@contextmanager
def write_session() -> Iterator[Session]:
    """A transaction that reads then writes: BEGIN IMMEDIATE on SQLite, commit on success.

    A DEFERRED SQLite transaction that reads first cannot wait for the write lock and fails
    with "database is locked" under contention; IMMEDIATE takes the lock up front.
    """
    db_session = session()
    if db_session.in_transaction():
        db_session.commit()
    with writer_turn():
        db_session.connection(execution_options={_BEGIN_MODE: "IMMEDIATE"})
        try:
            yield db_session
            db_session.commit()
        except BaseException:
            db_session.rollback()
            raise
