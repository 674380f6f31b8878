"""`elearn certificates ...`: render missing PDFs, list certificates, write one PDF."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from elearn.cli.schema import needs_current_schema


def _fiscal_year(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    from elearn.domain.fiscal import parse_fiscal_year

    if value is None:
        return None
    try:
        return parse_fiscal_year(value)
    except ValueError as error:
        raise click.BadParameter(f"{error}; give a fiscal year such as 2025 or R7") from None


fiscal_year_option = click.option("--fiscal-year", "fiscal_year", callback=_fiscal_year,
                                  help="Only this fiscal year: 2025 or R7.")


@click.group("certificates", help="Completion certificates.")
def certificates_group() -> None:
    pass


@certificates_group.command("render", help="Issue certificates missing for completions and render PDFs that "
                                           "are missing or come from an older template.")
@fiscal_year_option
@with_appcontext
@needs_current_schema
def render(fiscal_year: int | None) -> None:
    from elearn.services import certificates, visibility
    from elearn.services.certificates import pdf as certificate_pdf

    issued = certificates.issue_missing()
    if issued:
        click.echo(f"issued: {issued}")
    pending = certificate_pdf.not_rendered(certificates.in_fiscal_year(visibility.COMMAND_LINE, fiscal_year))
    with click.progressbar(pending, label="rendering", show_pos=True, file=sys.stderr,
                           item_show_func=lambda c: c.serial if c else None) as bar:
        for certificate in bar:
            certificate_pdf.pdf_of(certificate)
    click.echo(f"rendered: {len(pending)}")


@certificates_group.command("list", help="Serial, holder, course, completion date and status, one per line "
                                         "(tab-separated).")
@fiscal_year_option
@with_appcontext
@needs_current_schema
def list_certificates(fiscal_year: int | None) -> None:
    from elearn.services import certificates, visibility

    for certificate in certificates.in_fiscal_year(visibility.COMMAND_LINE, fiscal_year):
        click.echo("\t".join([certificate.serial, certificate.body.code, certificate.holder_name,
                              certificate.course_title, certificate.completed_on.isoformat(),  # ISO: lines for scripts
                              certificate.state.value]))


@certificates_group.command("pdf", help="Write one certificate's PDF.")
@click.argument("serial")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--body", "body_code", help="The issuing body's code, when the serial exists in several bodies.")
@with_appcontext
@needs_current_schema
def write_pdf(serial: str, output: Path, body_code: str | None) -> None:
    from elearn.services import certificates
    from elearn.services.certificates import pdf as certificate_pdf

    found = certificates.by_serial(serial, body_code)
    if not found:
        raise click.ClickException(f"no certificate {serial}" + (f" in {body_code}" if body_code else ""))
    if len(found) > 1:
        codes = ", ".join(sorted(c.body.code for c in found))
        raise click.ClickException(f"{serial} exists in several bodies ({codes}): add --body CODE")
    output.write_bytes(certificate_pdf.pdf_of(found[0]).content)
    click.echo(f"wrote {output} ({found[0].holder_name}, {found[0].state.value})")
