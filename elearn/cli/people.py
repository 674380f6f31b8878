"""`elearn create-admin`, `import-orgs`, `import-staff` and `grades ...`: the organisation and its staff."""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from elearn.cli.schema import needs_current_schema


@click.group("grades", help="The list of grades (職位) staff files may use.")
def grades_group() -> None:
    pass


@grades_group.command("list", help="Print the grades in order with how many staff hold each.")
@with_appcontext
@needs_current_schema
def grades_list() -> None:
    from elearn.services.people.grades import all_grades

    for grade, count in all_grades():
        click.echo(f"{grade.name}\t{count}")


@grades_group.command("add", help="Add a grade at the end of the list.")
@click.argument("name")
@with_appcontext
@needs_current_schema
def grades_add(name: str) -> None:
    from elearn.services.people.grades import GradeError, add_grade

    try:
        add_grade(name)
    except GradeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"added grade: {name}")


@grades_group.command("rename", help="Rename a grade; staff holding it keep it.")
@click.argument("old")
@click.argument("new")
@with_appcontext
@needs_current_schema
def grades_rename(old: str, new: str) -> None:
    from elearn.services.people.grades import GradeError, rename_grade

    try:
        rename_grade(old, new)
    except GradeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"renamed grade: {old} -> {new}")


@click.command("create-admin", help="Create an administrator, or grant admin to an existing staff member.")
@click.option("--body", "body_code", required=True, help="Code of the prefecture or municipality.")
@click.option("--staff-number", required=True)
@click.option("--name", help="Full name (for a new account).")
@click.option("--email", help="Email (for a new account).")
@click.option("--division", "division_code", help="Unit code (for a new account).")
@click.password_option("--password", help="Prompted for when not given.")
@with_appcontext
@needs_current_schema
def create_admin(body_code, staff_number, name, email, division_code, password) -> None:  # type: ignore[no-untyped-def]
    from elearn.services.people.bootstrap import AdminSetupError, ensure_admin

    try:
        user, created = ensure_admin(body_code, staff_number, name, email, division_code, password)
    except AdminSetupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{'created' if created else 'granted'} admin: {body_code} {user.staff_number} {user.name}")


def _print_plan(plan) -> None:  # type: ignore[no-untyped-def]
    for key, count in plan.summary().items():
        click.echo(f"{key}: {count}")
    from flask_babel import force_locale, gettext

    # No request, so no language cookie: row errors in the default language (Japanese), as admins read them.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for error in plan.errors:
            click.echo(f"error: {error.render(gettext, with_line=True)}", err=True)


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror}") from error


def _run_import(preview, apply, dry_run: bool):  # type: ignore[no-untyped-def]
    """Print the plan; unless it is a dry run or there is nothing to do, apply it. Returns apply's result."""
    from elearn.services.learning.history_import import HistoryImportRejected
    from elearn.services.people.importer import ImportRejected

    plan = preview()
    _print_plan(plan)
    if not plan.is_valid:
        raise click.ClickException(f"{len(plan.errors)} bad row(s): nothing was imported")
    if dry_run:
        click.echo("dry run: nothing was changed")
        return None
    if not plan.has_changes:
        click.echo("nothing to change")
        return None
    try:
        result = apply()
    except (ImportRejected, HistoryImportRejected) as rejected:
        _print_plan(rejected.plan)
        raise click.ClickException("the file no longer applies cleanly: nothing was imported") from None
    click.echo("imported")
    return result


@click.command("import-orgs", help="Import the organisation tree from CSV or XLSX (all or nothing).")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show the plan and every bad row; change nothing.")
@with_appcontext
@needs_current_schema
def import_orgs(file: str, dry_run: bool) -> None:
    from elearn.services.people import importer

    data = _read_file(file)
    _run_import(lambda: importer.preview_org_import(data, file),
                lambda: importer.apply_org_import(data, file, None), dry_run)


@click.command("import-staff", help="Import the staff list from CSV or XLSX (all or nothing).")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show the plan and every bad row; change nothing.")
@click.option("--deactivate-missing", is_flag=True,
              help="Deactivate staff of the bodies in the file who are not in it (the April full list).")
@click.option("--passwords-out", type=click.Path(dir_okay=False),
              help="CSV to write new accounts' initial passwords to (default: under instance/).")
@with_appcontext
@needs_current_schema
def import_staff(file: str, dry_run: bool, deactivate_missing: bool, passwords_out: str | None) -> None:
    from elearn.services.people import importer

    data = _read_file(file)
    result = _run_import(
        lambda: importer.preview_staff_import(data, file, deactivate_missing=deactivate_missing),
        lambda: importer.apply_staff_import(data, file, None, deactivate_missing=deactivate_missing),
        dry_run,
    )
    if result and result.initial_passwords:
        out = Path(passwords_out or Path(current_app.instance_path)
                   / f"initial-passwords-{datetime.now():%Y%m%d-%H%M%S}.csv")
        _write_private_csv(out, result.initial_passwords)
        click.echo(f"initial passwords for {len(result.initial_passwords)} new account(s): {out}")


def _write_private_csv(path: Path, rows) -> None:  # type: ignore[no-untyped-def]
    from elearn.services.reports.spreadsheets import neutralise

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # UTF-8 with BOM so that Excel opens the Japanese names correctly.
    with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["団体コード", "職員番号", "氏名", "メール", "初期パスワード", "有効期限"])
        for row in rows:
            # The exports' cell rule: a name like =HYPERLINK(...) stays text when Excel opens the file.
            writer.writerow([neutralise(value) if isinstance(value, str) else value for value in row])
