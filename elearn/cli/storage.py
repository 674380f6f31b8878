"""`elearn storage sweep`: stored folders nothing owns any more (elearn.services.files.sweep)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from elearn.clock import utcnow
from elearn.services.files import sweep
from elearn.storage import StoreError


@click.group("storage", help="The stored files (media library, staging, event materials).")
def storage_group() -> None:
    pass


@storage_group.command("sweep", help="List stored folders that nothing owns any more (left by a process killed "
                                     "between two steps); remove them with --apply.")
@click.option("--apply", "apply_", is_flag=True, help="Remove them (without it, only list them).")
@click.option("--min-age-hours", type=click.IntRange(min=1), default=24, show_default=True,
              help="Leave folders written to more recently than this (work in progress).")
@with_appcontext
def sweep_command(apply_: bool, min_age_hours: int) -> None:
    try:
        orphans = sweep.find(utcnow(), timedelta(hours=min_age_hours))
        for orphan in orphans:
            click.echo(f"{orphan.area}\t{orphan.folder}\t{orphan.files} files\t{orphan.size:,} bytes\t"
                       f"last written {orphan.newest:%Y-%m-%d %H:%M} UTC")
        size = sum(orphan.size for orphan in orphans)
        if not apply_:
            click.echo(f"{len(orphans)} orphan folders ({size:,} bytes); nothing removed (--apply removes them)")
            return
        removed = sweep.remove(orphans)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"removed {removed} of {len(orphans)} orphan folders ({size:,} bytes listed)")
