"""Checks shared by the commands."""

from __future__ import annotations

import functools

import click

from elearn import db, migrate


def needs_current_schema(command):  # type: ignore[no-untyped-def]
    """Refuse, with the fix, to run a command on a database that is not migrated to the newest schema."""

    @functools.wraps(command)
    def checked(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not migrate.is_up_to_date(db.engine()):
            raise click.ClickException("the database schema is not up to date: run `elearn db upgrade` first")
        return command(*args, **kwargs)

    return checked
