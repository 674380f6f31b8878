"""Who signs each body's certificates (title, name, seal); set by admins."""

from __future__ import annotations

from dataclasses import dataclass

from elearn import db
from elearn.models import CertificateIssuer, CertificateSeal, OrgUnit, User
from elearn.services import audit
from elearn.services.certificates.seal_image import normalise_seal


@dataclass(frozen=True)
class IssuerChange:
    title: str
    name: str
    seal_upload: bytes | None = None  # raw upload; re-encoded before it is stored
    remove_seal: bool = False


def issuer_of(body_id: int) -> CertificateIssuer | None:
    return db.session().get(CertificateIssuer, body_id)


def save(actor: User, body: OrgUnit, change: IssuerChange) -> CertificateIssuer:
    """Applies to certificates issued from now on; issued ones keep the signer they were issued with.
    A bad seal upload raises SealRejected before anything is written."""
    seal_png = normalise_seal(change.seal_upload) if change.seal_upload else None
    with db.write_session() as session:
        issuer = session.get(CertificateIssuer, body.id) or CertificateIssuer(body_id=body.id)
        issuer.title, issuer.name = change.title.strip(), change.name.strip()
        if seal_png is not None:
            seal = CertificateSeal(body_id=body.id, png=seal_png)
            session.add(seal)
            session.flush()
            issuer.seal_id = seal.id
        elif change.remove_seal:
            issuer.seal_id = None
        session.add(issuer)
        audit.record(session, actor, "certificate.issuer", body.code, title=issuer.title, name=issuer.name,
                     seal="new" if seal_png else ("removed" if change.remove_seal else "kept"))
    return issuer


def seal_png(seal_id: int) -> bytes | None:
    seal = db.session().get(CertificateSeal, seal_id)
    return seal.png if seal else None
