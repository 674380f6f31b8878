"""`elearn worker`, `elearn jobs`, `elearn mail send` and `elearn notices scan`."""

from __future__ import annotations

import logging
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from elearn.cli.schema import needs_current_schema


@click.command("worker", help="Run the background worker (Huey consumer) until stopped.")
@click.option("--threads", default=2, show_default=True, type=int, help="Tasks run at once.")
@click.option("--no-periodic", is_flag=True,
              help="Do not run the schedule (the mail tick, the hourly notice scan): for a second worker.")
@with_appcontext
@needs_current_schema
def worker(threads: int, no_periodic: bool) -> None:
    from huey.consumer import Consumer

    from elearn import jobs
    from elearn.jobs import runs
    from elearn.server import settle_heap
    from elearn.services.learning import content

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for run in runs.recover_interrupted(app):
        click.echo(f"interrupted earlier: {run.name} {run.args} (task {run.task_id}); queued again if resumable")
    content.tree()  # read once, before the heap is settled
    settle_heap()
    Consumer(jobs.queue(app), workers=threads, worker_type="thread", periodic=not no_periodic,
             check_worker_health=True).run()


@click.command("jobs", help="List waiting tasks and recent runs: running, retrying, failed, interrupted.")
@click.option("--all", "show_all", is_flag=True, help="Also list complete runs.")
@with_appcontext
@needs_current_schema
def jobs_command(show_all: bool) -> None:
    from elearn import jobs
    from elearn.clock import utcnow
    from elearn.jobs import runs
    from elearn.services import visibility

    if not visibility.may_read_mail_log(visibility.COMMAND_LINE):
        raise click.ClickException("refused by the access policy")
    waiting = runs.waiting(jobs.queue())
    click.echo(f"waiting: {len(waiting)}")
    for task in waiting:
        when = f" not before {task.eta:%Y-%m-%d %H:%M} UTC" if task.eta else ""
        click.echo(f"  {task.name} {task.args}{when} (retries left {task.retries_left})")
    states = None if show_all else ("running", "retrying", "failed", "interrupted")
    shown = runs.recent(states, 100)
    counts = runs.counts_since(utcnow() - timedelta(days=1))
    click.echo("last 24 hours: " + ", ".join(f"{state} {count}" for state, count in sorted(counts.items())))
    click.echo(f"runs ({'all' if show_all else 'not complete'}): {len(shown)}")
    for run in shown:
        finished = f" finished {run.finished_at:%Y-%m-%d %H:%M:%S}" if run.finished_at else ""
        click.echo(f"  {run.started_at:%Y-%m-%d %H:%M:%S} {run.state:<11} {run.name} {run.args} "
                   f"attempt {run.attempt} on {run.worker}{finished}")
        if run.error:
            click.echo(f"    {run.error}")


@click.group("mail", help="The mail outbox.")
def mail_group() -> None:
    pass


@mail_group.command("send", help="Send the mail that is due now (or with --dry-run, show it).")
@click.option("--dry-run", is_flag=True, help="Show what is waiting; send nothing.")
@click.option("--limit", type=int, default=None, help="Send at most this many.")
@with_appcontext
@needs_current_schema
def mail_send(dry_run: bool, limit: int | None) -> None:
    from elearn.services import visibility
    from elearn.services.notices import mail

    if not visibility.may_read_mail_log(visibility.COMMAND_LINE):  # the outbox names every recipient
        raise click.ClickException("refused by the access policy")
    if dry_run:
        due, rows = mail.preview()
        click.echo(f"due: {due}")
        for row in rows:
            click.echo(f"  {row.message_id} to {row.to_address} [{row.kind}] {row.subject} "
                       f"(attempts {row.attempts})")
        return
    if not current_app.config.get("MAIL_SERVER"):
        raise click.ClickException("ELEARN_MAIL_SERVER is not set: nothing can be sent (mail stays queued)")
    report = mail.send_waiting(limit)
    click.echo(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, still due {report.waiting}")
    for error in report.errors:
        click.echo(f"  {error}", err=True)


@click.group("notices", help="Reminders, digests and other notices.")
def notices_group() -> None:
    pass


@notices_group.command("scan", help="Run the notice scan now (it also runs hourly in office hours).")
@with_appcontext
@needs_current_schema
def notices_scan() -> None:
    from elearn.services.notices import mail_context
    from elearn.services.outreach import scan

    with mail_context():
        report = scan.run_all()
    click.echo(", ".join(f"{part} {count}" for part, count in report.items()))
