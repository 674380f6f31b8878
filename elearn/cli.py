"""The `elearn` command group (also `flask --app elearn ...`). Commands print plain lines and exit
non-zero on failure; configuration comes from ELEARN_* environment variables."""

from __future__ import annotations

import csv
import functools
import os
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from elearn import db, migrate


def main() -> None:
    from elearn import create_app

    group = FlaskGroup(
        name="elearn",
        create_app=lambda: create_app(),
        add_default_commands=False,
        add_version_option=False,
        load_dotenv=False,
        help="elearn: digital-literacy e-learning. Configure with ELEARN_* environment variables.",
    )
    group.main(prog_name="elearn")


def needs_current_schema(command):  # type: ignore[no-untyped-def]
    """Refuse, with the fix, to run a command on a database that is not migrated to the newest schema."""

    @functools.wraps(command)
    def checked(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not migrate.is_up_to_date(db.engine()):
            raise click.ClickException("the database schema is not up to date: run `elearn db upgrade` first")
        return command(*args, **kwargs)

    return checked


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(grades_group)
    app.cli.add_command(content_group)
    from elearn.cli_certificates import certificates_group
    from elearn.cli_content import import_quiz
    from elearn.cli_reports import report_group

    app.cli.add_command(certificates_group)
    app.cli.add_command(report_group)

    for command in (create_admin, import_orgs, import_staff, import_quiz, demo, serve):
        app.cli.add_command(command)


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


@click.group("content", help="Courses and quiz banks (the files under courses/ and quizzes/).")
def content_group() -> None:
    pass


@content_group.command("sync", help="Validate all content and update the database; an invalid tree changes nothing.")
@click.option("--check", is_flag=True, help="Only validate; change nothing.")
@with_appcontext
@needs_current_schema
def content_sync(check: bool) -> None:
    from elearn.content.loader import ContentInvalid, load_content
    from elearn.services import content

    root = content.content_root()
    try:
        tree = load_content(root)
    except ContentInvalid as invalid:
        for error in invalid.errors:
            click.echo(error.shown_from(root), err=True)
        raise click.ClickException(f"{len(invalid.errors)} content error(s): nothing was changed") from None
    questions = sum(len(bank.questions) for bank in tree.banks.values())
    click.echo(f"valid: {len(tree.courses)} course(s), {len(tree.banks)} bank(s), {questions} question(s)")
    if check:
        return
    try:
        report = content.sync(tree)
    except content.SyncRefused as refused:
        raise click.ClickException(f"{refused}: nothing was changed") from None
    for label, items in vars(report).items():
        click.echo(f"{label}: {len(items)}" + (f" ({', '.join(items)})" if items and label != "unchanged" else ""))


@click.group("grades", help="The list of grades (職位) staff files may use.")
def grades_group() -> None:
    pass


@grades_group.command("list", help="Print the grades in order with how many staff hold each.")
@with_appcontext
@needs_current_schema
def grades_list() -> None:
    from elearn.services.grades import all_grades

    for grade, count in all_grades():
        click.echo(f"{grade.name}\t{count}")


@grades_group.command("add", help="Add a grade at the end of the list.")
@click.argument("name")
@with_appcontext
@needs_current_schema
def grades_add(name: str) -> None:
    from elearn.services.grades import GradeError, add_grade

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
    from elearn.services.grades import GradeError, rename_grade

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
    from elearn.services.bootstrap import AdminSetupError, ensure_admin

    try:
        user, created = ensure_admin(body_code, staff_number, name, email, division_code, password)
    except AdminSetupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{'created' if created else 'granted'} admin: {body_code} {user.staff_number} {user.name}")


def _print_plan(plan) -> None:  # type: ignore[no-untyped-def]
    for key, count in plan.summary().items():
        click.echo(f"{key}: {count}")
    for error in plan.errors:
        click.echo(f"error: {error}", err=True)


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror}") from error


def _run_import(preview, apply, dry_run: bool):  # type: ignore[no-untyped-def]
    """Print the plan; unless it is a dry run or there is nothing to do, apply it. Returns apply's result."""
    from elearn.services.importer import ImportRejected

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
    except ImportRejected as rejected:
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
    from elearn.services import importer

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
    from elearn.services import importer

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
    from elearn.services.spreadsheets import neutralise

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # UTF-8 with BOM so that Excel opens the Japanese names correctly.
    with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["団体コード", "職員番号", "氏名", "メール", "初期パスワード", "有効期限"])
        for row in rows:
            # The exports' cell rule: a name like =HYPERLINK(...) stays text when Excel opens the file.
            writer.writerow([neutralise(value) if isinstance(value, str) else value for value in row])


@click.command("demo", help="Load the demo data (idempotent) and print the demo accounts.")
@click.option("--force", is_flag=True, help="Load it even though the database holds staff who are not demo staff.")
@with_appcontext
@needs_current_schema
def demo(force: bool) -> None:
    from elearn.demo import count_non_demo_staff, load_demo_data
    from elearn.demo import history as demo_history
    from elearn.demo import magazine as demo_magazine
    from elearn.models.types import utcnow

    # Demo accounts have published passwords and the demo adds fictional staff: never in production.
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("refused: the demo data is never loaded in production (ELEARN_ENV_NAME)")
    others = count_non_demo_staff()
    if others and not force:
        raise click.ClickException(
            f"refused: the database holds {others} staff who are not demo staff; "
            "use a database of its own for the demo (or --force)"
        )
    accounts = load_demo_data()
    click.echo(f"{'permission':<18} {'body':<6} {'sign-in name':<10} {'email':<28} password")
    for account in accounts:
        click.echo(
            f"{account.permission:<18} {account.body_code:<6} {account.staff_number:<10} "
            f"{account.email:<28} {account.password}"
        )
    # On stderr: scripts (the browser tests) parse the account table on stdout.
    click.echo(demo_history.summary(), err=True)
    click.echo(demo_magazine.summary(utcnow()), err=True)


@click.command("serve", help="Serve the app with gunicorn (production-grade; not the debug server).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@with_appcontext
@needs_current_schema
def serve(host: str, port: int, workers: int, threads: int) -> None:
    from elearn.config import ConfigError
    from elearn.content.loader import ContentInvalid
    from elearn.server import limiter_storage_for_workers, run_gunicorn
    from elearn.services import content

    try:
        content.tree()
    except ContentInvalid as invalid:
        raise click.ClickException(
            f"{len(invalid.errors)} content error(s): see `elearn content sync --check`"
        ) from None
    configured = current_app.config["LIMITER_STORAGE"]
    try:
        storage = limiter_storage_for_workers(configured, workers, current_app.config["ENV_NAME"])
    except ConfigError as error:
        raise click.ClickException(f"refused: {error}") from None
    if storage != configured:
        click.echo(f"rate limits: {configured} counts per worker; the {workers} workers share {storage} instead")
    click.echo(f"serving on http://{host}:{port}/ (Ctrl-C to stop)")
    sys.exit(run_gunicorn(host, port, workers, threads, {"LIMITER_STORAGE": storage}))
