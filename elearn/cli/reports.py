"""`elearn report kpi`: the KPI figures of the report page, for scripts and committee papers."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from elearn.cli.schema import needs_current_schema

FORMATS = ("csv", "xlsx", "pdf", "json")


def _as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date:
    from elearn.clock import today_in_japan

    today = today_in_japan()
    if value is None:
        return today
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give a date as YYYY-MM-DD, e.g. 2026-03-31") from None
    if day > today:
        raise click.BadParameter("figures cannot be given for a future date")
    return day


@click.group("report", help="Reports.")
def report_group() -> None:
    pass


@report_group.command("kpi", help="The KPI report: figures per fiscal year against the targets, breakdowns "
                                  "and coverage. Text formats go to standard output unless -o is given.")
@click.option("--as-of", "as_of", callback=_as_of, help="Figures as of this day (YYYY-MM-DD); default today.")
@click.option("--format", "file_format", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--body", "body_code", help="The body's code; default the prefecture (with every municipality "
                                          "side by side).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write to this file.")
@with_appcontext
@needs_current_schema
def kpi_report(as_of: date, file_format: str, body_code: str | None, output: Path | None) -> None:
    from flask_babel import force_locale

    from elearn.services import visibility
    from elearn.services.reports import kpi, kpi_export, kpi_pdf

    bodies = visibility.bodies(visibility.COMMAND_LINE)
    if not bodies:
        raise click.ClickException("there is no organisation yet: import one or run `elearn demo`")
    with force_locale("ja"):
        try:
            report = kpi.report(bodies, as_of, body_code)
        except kpi.NotVisible:
            raise click.ClickException(f"no body has the code {body_code!r}; bodies: "
                                       + ", ".join(b.code for b in bodies)) from None
        content: bytes = {
            "csv": lambda: kpi_export.as_csv(report),
            "xlsx": lambda: kpi_export.as_xlsx(report),
            "pdf": lambda: kpi_pdf.pdf_of(kpi_pdf.printout(report)).content,  # stored, as the web's
            "json": lambda: (kpi_export.as_json(report) + "\n").encode(),
        }[file_format]()
    if output is not None:
        output.write_bytes(content)
        click.echo(f"wrote {output} ({len(content):,} bytes)", err=True)
    elif file_format in ("xlsx", "pdf") and sys.stdout.isatty():
        raise click.UsageError(f"{file_format} is binary: give -o FILE or redirect the output")
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
