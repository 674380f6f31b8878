"""KPI report PDFs: printed once per report content and served again from a store.

WeasyPrint takes seconds for the report (the Japanese fonts are subset on every print), so a PDF is kept
under a key that hashes everything it is printed from: the report's figures (its JSON export), the HTML
(template, chart, counting rule text), and the stylesheet, fonts and WeasyPrint version. Any change that
would show in the PDF gives a new key; a repeat is a lookup. A job queue can later print ahead by calling
`pdf_of(printout(report))`; callers do not change."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from elearn import db
from elearn.clock import utcnow
from elearn.models import KpiReportPdf
from elearn.pdf import StoredPdf, print_html
from elearn.services.reports import kpi_export
from elearn.services.reports.kpi import KpiReport

TEMPLATE = "reports/kpi_pdf.html"
STYLESHEET = Path("reports") / "kpi_report.css"
# Reports are asked for per as-of date, so keys pile up day after day; the newest few per body are what
# people download again (today's, the committee's date). Older ones are printed again if asked for.
KEEP_PER_BODY = 20


@dataclass(frozen=True)
class Printout:
    """A report ready to print: its key in the store and the HTML WeasyPrint would print."""

    key: str
    html: str
    body_id: int
    as_of: date


def printout(report: KpiReport) -> Printout:
    """The report's HTML and key; cheap next to printing (milliseconds). Call in the locale of the PDF."""
    html = render_template(TEMPLATE, report=report, chart=kpi_export.chart(report),
                           rule_text=kpi_export.rule_text(report), title=kpi_export.title(report))
    digest = hashlib.sha256()
    for part in (str(report.body.id), report.as_of.isoformat(), kpi_export.as_json(report), html, _assets_hash()):
        digest.update(part.encode())
        digest.update(b"\0")
    return Printout(digest.hexdigest(), html, report.body.id, report.as_of)


def stored_etag(key: str) -> str | None:
    """The ETag of the stored PDF, read without loading the PDF (for 304s)."""
    return db.session().scalar(select(KpiReportPdf.etag).where(KpiReportPdf.content_key == key))


def pdf_of(wanted: Printout) -> StoredPdf:
    """The stored PDF, printed and stored first if there is none."""
    stored = _stored(wanted.key)
    return stored if stored is not None else _put(wanted, print_html(wanted.html))


def _stored(key: str) -> StoredPdf | None:
    row = db.session().execute(select(KpiReportPdf.content, KpiReportPdf.etag, KpiReportPdf.rendered_at)
                               .where(KpiReportPdf.content_key == key)).first()
    return StoredPdf(row.content, row.etag, row.rendered_at) if row else None


def _put(wanted: Printout, content: bytes) -> StoredPdf:
    """Store a printed PDF and keep the body's newest few. Two requests printing the same report at once
    both succeed: the first insert wins (the key is unique; the other's insert does nothing) and both
    answer with the stored copy."""
    ours = StoredPdf(content, hashlib.sha256(content).hexdigest(), utcnow())
    with db.write_session() as session:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(insert(KpiReportPdf).values(
            content_key=wanted.key, body_id=wanted.body_id, as_of=wanted.as_of, etag=ours.etag, content=content,
            rendered_at=ours.rendered_at).on_conflict_do_nothing(index_elements=["content_key"]))
        newest = (select(KpiReportPdf.id).where(KpiReportPdf.body_id == wanted.body_id)
                  .order_by(KpiReportPdf.rendered_at.desc(), KpiReportPdf.id.desc()).limit(KEEP_PER_BODY))
        session.execute(delete(KpiReportPdf).where(KpiReportPdf.body_id == wanted.body_id,
                                                   KpiReportPdf.id.not_in(newest))
                        .execution_options(synchronize_session=False))
    return _stored(wanted.key) or ours  # pruned at once only if KEEP_PER_BODY newer ones came in meanwhile


def _assets_hash() -> str:
    """The stylesheet, every file it links (fonts) and the WeasyPrint version, hashed once per process."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get("elearn.kpi_pdf_assets_hash")
    if cached is None:
        import weasyprint

        static = Path(app.static_folder)
        stylesheet = (static / STYLESHEET).read_bytes()
        digest = hashlib.sha256(weasyprint.__version__.encode() + b"\0" + stylesheet)
        for link in re.findall(rb"url\(\s*['\"]?([^'\")]+)", stylesheet):
            digest.update(((static / STYLESHEET).parent / link.decode()).resolve().read_bytes())
        cached = app.extensions["elearn.kpi_pdf_assets_hash"] = digest.hexdigest()
    return cached
