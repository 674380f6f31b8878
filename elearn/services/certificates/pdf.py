"""Certificate PDFs: rendered by WeasyPrint once, stored, and rendered again only when the template
(or what the sheet shows of the certificate's state) has changed since."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

import segno
from flask import current_app
from sqlalchemy import select

from elearn import db
from elearn.clock import TOKYO
from elearn.domain.certificates import CertificateState, grouped_code, study_time_ja
from elearn.domain.fiscal import format_date_ja
from elearn.domain.people import TIER_NAMES_JA
from elearn.models import Certificate, CertificateSeal, User
from elearn.pdf import StoredPdf, render_pdf
from elearn.services import certificates, visibility
from elearn.services.certificates import TeamSelection, pdf_store
from elearn.services.visibility import Viewer

TEMPLATE = "certificates/certificate.html"
STYLESHEET = Path("certificates") / "certificate.css"


def verify_url(certificate: Certificate) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/verify/{certificate.verification_code}"


def template_key(certificate: Certificate) -> str:
    """Changes when the template, its stylesheet, the public URL or the certificate's state does."""
    return template_key_for(certificate.state)


def template_key_for(state: CertificateState) -> str:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get("elearn.certificate_template_hash")
    if cached is None:
        source, _filename, _uptodate = app.jinja_loader.get_source(app.jinja_env, TEMPLATE)
        stylesheet = (Path(app.static_folder) / STYLESHEET).read_bytes()
        cached = hashlib.sha256(source.encode() + b"\0" + stylesheet).hexdigest()
        app.extensions["elearn.certificate_template_hash"] = cached
    return hashlib.sha256(f"{cached}|{app.config['PUBLIC_URL']}|{state.value}".encode()).hexdigest()


def pdf_of(certificate: Certificate) -> StoredPdf:
    """The stored PDF, rendered first if there is none or it came from another template."""
    key = template_key(certificate)
    stored = pdf_store.get(certificate.id)
    if stored is not None and stored.template_key == key:
        return StoredPdf(stored.content, stored.etag, stored.rendered_at)
    content = render(certificate)
    saved = pdf_store.put(certificate.id, key, content)
    return StoredPdf(saved.content, saved.etag, saved.rendered_at)


def not_rendered(candidates: list[Certificate]) -> list[Certificate]:
    """Those of `candidates` with no stored PDF from the current template."""
    stored = pdf_store.stored_keys([c.id for c in candidates])
    return [c for c in candidates if stored.get(c.id) != template_key(c)]


@dataclass(frozen=True)
class Progress:
    """How many of a selection's PDFs are stored and current."""

    done: int
    total: int

    @property
    def is_complete(self) -> bool:
        return self.done >= self.total


def team_progress(viewer: Viewer, selection: TeamSelection) -> Progress:
    """How far a team download's PDFs are, counted in the database (a large team has tens of thousands). Past
    what one archive may hold, the stored ones are not counted: that selection is refused anyway."""
    total = certificates.team_count(viewer, selection)
    if total > certificates.TEAM_ARCHIVE_LIMIT:
        return Progress(0, total)
    missing = certificates.team_count_without_pdf(viewer, selection, template_key_for(CertificateState.VALID))
    return Progress(total - missing, total)


def render_listed(certificate_ids: list[int]) -> int:
    """Render those of the listed certificates still missing (another worker or a direct download may have made
    some meanwhile); returns how many it rendered."""
    rendered = 0
    for chunk in db.chunks(sorted(set(certificate_ids))):
        for certificate in not_rendered(list(db.session().scalars(select(Certificate).where(
                Certificate.id.in_(list(chunk)))))):
            pdf_of(certificate)
            rendered += 1
    return rendered


def render_for_team(user_id: int, selection: TeamSelection) -> int:
    """The worker's side of a team download's preparation: the team is worked out again from the person's
    grants as they are now, so a job queued by someone who has since lost them renders nothing."""
    person = db.session().get(User, user_id)
    if person is None or not person.is_active:
        return 0
    viewer = visibility.viewer_of(person)
    if not visibility.may_see_team(viewer):
        return 0
    return render_listed(certificates.team_ids_without_pdf(viewer, selection, template_key_for(CertificateState.VALID)))


def preparation_key(user_id: int, selection: TeamSelection) -> str:
    """One queued rendering per person and selection, however often their page asks."""
    alone = ":alone" if selection.unit_alone else ""
    return f"certificates:{user_id}:{selection.fiscal_year or 'all'}:{selection.unit_id or 'team'}{alone}"


def current_etag(certificate: Certificate) -> str | None:
    """The ETag of the stored PDF if it is up to date, read without loading the PDF (for 304s)."""
    stored = pdf_store.key_and_etag(certificate.id)
    return stored[1] if stored and stored[0] == template_key(certificate) else None


def render(certificate: Certificate) -> bytes:
    return render_pdf(TEMPLATE, **_sheet(certificate))


def _sheet(certificate: Certificate) -> dict[str, object]:
    qr = segno.make(verify_url(certificate), error="m")
    superseded_by = certificate.superseded_by
    return {
        "certificate": certificate,
        "tier_name": TIER_NAMES_JA[certificate.tier],
        "study_time": study_time_ja(certificate.minutes),
        "completed_on_ja": format_date_ja(certificate.completed_on),
        "completed_on_iso": f"{certificate.completed_on.year}年{certificate.completed_on.month}月"
                            f"{certificate.completed_on.day}日",
        "issued_on_ja": format_date_ja(certificate.issued_at.astimezone(TOKYO).date()),
        "revoked_on_ja": format_date_ja(certificate.revoked_on) if certificate.revoked_on else "",
        "superseded_by_serial": superseded_by.serial if superseded_by else "",
        "verify_url": verify_url(certificate),
        "grouped_code": grouped_code(certificate.verification_code),
        # Vector QR: paths, not a bitmap, so it scans at any print size.
        "qr_svg": qr.svg_inline(scale=1, border=0, dark="#1d1d1b", omitsize=False),
        "seal_data_uri": _seal_uri(certificate.seal_id),
    }


def _seal_uri(seal_id: int | None) -> str | None:
    if seal_id is None:
        return None
    seal = db.session().get(CertificateSeal, seal_id)
    return "data:image/png;base64," + base64.b64encode(seal.png).decode("ascii") if seal else None

