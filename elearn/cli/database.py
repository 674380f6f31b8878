"""`elearn db ...`: the schema, through Alembic."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from elearn import db, migrate


@click.group("db", help="Database schema (Alembic migrations).")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply all migrations (creates the database on first run).")
@with_appcontext
def db_upgrade() -> None:
    url = current_app.config["DATABASE_URL"]
    migrate.upgrade(url)
    click.echo(f"database upgraded: {db.engine().url.render_as_string(hide_password=True)}")


@db_group.command("revision", help="Autogenerate a migration from the models (developers).")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    migrate.make_revision(current_app.config["DATABASE_URL"], message)
