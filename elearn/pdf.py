"""HTML to PDF with WeasyPrint: the certificate and the KPI report are made here."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app, render_template


@dataclass(frozen=True)
class StoredPdf:
    """A printed PDF as its store keeps it: served with its ETag and Last-Modified."""

    content: bytes
    etag: str
    rendered_at: datetime


def render_pdf(template: str, **context: object) -> bytes:
    """Render `template` and print it."""
    return print_html(render_template(template, **context))


_fonts = threading.local()


def print_html(html: str) -> bytes:
    """Print HTML already rendered (callers that key a store on it render it once). Relative links
    (stylesheets, fonts, images) resolve in the static folder on disk, so nothing is fetched over the network."""
    from weasyprint import HTML  # imported when needed: it loads native libraries

    return HTML(string=html, base_url=str(Path(current_app.static_folder)) + "/").write_pdf(
        font_config=_font_configuration())


def _font_configuration():  # type: ignore[no-untyped-def]
    """One WeasyPrint font configuration per thread, kept: it loads each @font-face once (the 7.8 MB Mincho
    and the WOFF2 fallback, which otherwise cost more than half of every render). Per thread, since Pango's
    font map is not meant to be shared between threads."""
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_fonts, "configuration", None) is None:
        _fonts.configuration = FontConfiguration()
    return _fonts.configuration
