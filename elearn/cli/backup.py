"""`elearn backup` and `elearn restore`: the database and the media library in one archive (elearn.backup)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from elearn import backup, db
from elearn.services.files.stores import backed_up_stores


@click.command("backup", help="Write the database and the stored files to one archive (safe while the app runs).")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The archive to write, e.g. /var/backups/elearn/elearn-20261204.tar")
@with_appcontext
def backup_command(output: Path) -> None:
    if not output.parent.is_dir():
        raise click.ClickException(f"no folder {output.parent}")
    try:
        summary = backup.write_backup(db.engine(), backed_up_stores(), output)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = summary.manifest
    click.echo(f"backup written: {output} ({summary.archive_bytes:,} bytes; {manifest.dialect} database at schema "
               f"{', '.join(manifest.schema) or '(none)'}; {manifest.files} files, {manifest.file_bytes:,} bytes)")


@click.command("restore", help="Restore an archive of `elearn backup` into an empty database and empty file stores.")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    try:
        summary = backup.restore_backup(archive, db.engine(), backed_up_stores())
    except backup.BackupError as error:
        raise click.ClickException(f"nothing was restored: {error}") from None
    manifest = summary.manifest
    click.echo(f"restored: {archive} (made {manifest.created_at}; schema {', '.join(manifest.schema)}; "
               f"{manifest.files} files)")
    if summary.upgraded_to:
        click.echo(f"schema upgraded to {', '.join(summary.upgraded_to)}")
