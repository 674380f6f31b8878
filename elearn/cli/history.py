"""`elearn import-history`, `history-imports` and `undo-history-import`: past training records from a file."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from elearn.cli.people import _read_file, _run_import
from elearn.cli.schema import needs_current_schema


@click.command("import-history", help="Import past training records (研修履歴) from CSV or XLSX (all or nothing).")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would be added and every bad row; change nothing.")
@with_appcontext
@needs_current_schema
def import_history(file: str, dry_run: bool) -> None:
    from elearn.domain.fiscal import fiscal_year_label
    from elearn.services.learning import history_import

    data = _read_file(file)
    plan = history_import.preview(data, file)
    for year, tier, count in plan.by_year_and_tier():
        click.echo(f"FY{year} ({fiscal_year_label(year)}) {tier.value}: {count}")
    result = _run_import(lambda: plan, lambda: history_import.apply(data, file, None), dry_run)
    if result is not None:
        click.echo(f"import {result[1]}: {len(result[0].rows)} record(s) of {result[0].people} people; "
                   f"undo with: elearn undo-history-import {result[1]}")


@click.command("history-imports", help="List the past-training files imported, newest first.")
@with_appcontext
@needs_current_schema
def history_imports() -> None:
    from elearn.services.learning import history_import

    for batch in history_import.imports():
        state = f"undone {batch.undone_at:%Y-%m-%d %H:%M} UTC" if batch.undone_at else "in force"
        click.echo(f"{batch.id}\t{batch.imported_at:%Y-%m-%d %H:%M} UTC\t{batch.records} record(s)\t"
                   f"{batch.people} people\t{state}\t{batch.filename}")


@click.command("undo-history-import", help="Remove every record one past-training import added.")
@click.argument("import_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
@needs_current_schema
def undo_history_import(import_id: int, yes: bool) -> None:
    from elearn.services.learning import history_import

    batch = history_import.get(import_id)
    if batch is None:
        raise click.ClickException(f"no history import {import_id}")
    certificates = history_import.certificates_of(import_id)
    if not yes:
        click.confirm(f"remove {batch.records} record(s) from {batch.filename}"
                      + (f" and withdraw {len(certificates)} certificate(s)" if certificates else "") + "?",
                      abort=True)
    try:
        removed = history_import.undo(None, import_id)
    except history_import.UndoRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"removed {removed} record(s)")
