"""HTML to PDF with WeasyPrint: the certificate and the KPI report are made here."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template


def render_pdf(template: str, **context: object) -> bytes:
    """Render `template` and print it."""
    return print_html(render_template(template, **context))


def print_html(html: str) -> bytes:
    """Print HTML already rendered (callers that key a store on it render it once). Relative links
    (stylesheets, fonts, images) resolve in the static folder on disk, so nothing is fetched over the network."""
    from weasyprint import HTML  # imported when needed: it loads native libraries

    return HTML(string=html, base_url=str(Path(current_app.static_folder)) + "/").write_pdf()
