"""Where rendered certificate PDFs live: one small interface over a database table, so a file or
object store can replace it without touching callers."""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from elearn import db
from elearn.clock import utcnow
from elearn.models import CertificatePdf

_IDS_PER_QUERY = 500  # well under every SQLite build's limit of bound parameters


def get(certificate_id: int) -> CertificatePdf | None:
    return db.session().get(CertificatePdf, certificate_id)


def key_and_etag(certificate_id: int) -> tuple[str, str] | None:
    """What is stored, without reading the PDF itself."""
    row = db.session().execute(select(CertificatePdf.template_key, CertificatePdf.etag)
                               .where(CertificatePdf.certificate_id == certificate_id)).first()
    return (row.template_key, row.etag) if row else None


def stored_keys(certificate_ids: Collection[int] | None = None) -> dict[int, str]:
    """Template key of the stored PDFs, by certificate id: of those ids, or every one (for bulk rendering)."""
    query = select(CertificatePdf.certificate_id, CertificatePdf.template_key)
    if certificate_ids is None:
        return dict(db.session().execute(query).all())
    ids = sorted(certificate_ids)
    keys: dict[int, str] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start:start + _IDS_PER_QUERY]
        keys.update(db.session().execute(query.where(CertificatePdf.certificate_id.in_(chunk))).all())
    return keys


def put(certificate_id: int, template_key: str, content: bytes) -> CertificatePdf:
    """Store (or replace) a PDF. Two requests rendering the same certificate at once both succeed;
    the later write wins and either copy is a correct PDF."""
    etag = hashlib.sha256(content).hexdigest()
    try:
        with db.write_session() as session:
            stored = session.get(CertificatePdf, certificate_id)
            if stored is None:
                stored = CertificatePdf(certificate_id=certificate_id)
                session.add(stored)
            stored.template_key, stored.etag, stored.content, stored.rendered_at = (
                template_key, etag, content, utcnow())
    except IntegrityError:  # the other request inserted first (PostgreSQL)
        db.session().rollback()
        return put(certificate_id, template_key, content)
    return stored

