"""Scratch PostgreSQL databases for the benchmarks: made empty, dropped afterwards whatever happens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def postgres_databases(admin_url: str, *names: str) -> Iterator[dict[str, str]]:
    """Empty databases `names` on the server of `admin_url`; yields name -> URL (with its password)."""
    admin = make_url(admin_url)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for name in names:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                connection.execute(text(f"CREATE DATABASE {name}"))
        yield {name: admin.set(database=name).render_as_string(hide_password=False) for name in names}
    finally:
        with engine.connect() as connection:
            for name in names:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        engine.dispose()
