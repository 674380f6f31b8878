"""`elearn demo` and `elearn serve`."""

from __future__ import annotations

import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from elearn.cli.schema import needs_current_schema


@click.command("demo", help="Load the demo data (idempotent) and print the demo accounts.")
@click.option("--force", is_flag=True, help="Load it even though the database holds staff who are not demo staff.")
@with_appcontext
@needs_current_schema
def demo(force: bool) -> None:
    from elearn.clock import utcnow
    from elearn.demo import count_non_demo_staff, load_demo_data
    from elearn.demo import history as demo_history
    from elearn.demo import magazine as demo_magazine
    from elearn.demo import notices as demo_notices
    from elearn.services.notices import mail_context

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
    with mail_context():
        demo_notices.load(utcnow())
    click.echo(demo_notices.summary(), err=True)


@click.command("serve", help="Serve the app with gunicorn (production-grade; not the debug server).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.option("--keep-alive", "keep_alive", default=5, show_default=True, type=int,
              help="Seconds an idle connection is kept. Behind nginx, longer than its upstream keepalive_timeout "
                   "(deploy/: 75 and 60), or nginx may reuse a connection the app has just closed.")
@click.option("--with-worker", is_flag=True,
              help="Also run the background worker (`elearn worker`) beside the server, as `make demo` does.")
@with_appcontext
@needs_current_schema
def serve(host: str, port: int, workers: int, threads: int, keep_alive: int, with_worker: bool) -> None:
    from elearn.config import ConfigError
    from elearn.content.loader import ContentInvalid
    from elearn.server import limiter_storage_for_workers, package_origin_bind, run_gunicorn
    from elearn.services.learning import content

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
    package_bind = package_origin_bind(current_app.config["SCORM_CONTENT_URL"], host, port)
    if package_bind:
        click.echo(f"SCORM packages on their own origin: http://{package_bind}/")
    worker = subprocess.Popen([sys.executable, "-m", "elearn", "worker"]) if with_worker else None
    try:
        code = run_gunicorn(host, port, workers, threads, {"LIMITER_STORAGE": storage},
                            also_bind=(package_bind,) if package_bind else (), keep_alive=keep_alive)
    finally:
        if worker is not None:
            worker.terminate()  # the consumer finishes the task in hand on SIGTERM
            worker.wait(30)
    sys.exit(code)
