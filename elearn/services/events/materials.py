"""Materials attached to a training event: uploaded by its organisers, read by those registered for it."""

from __future__ import annotations

import hashlib
import io
import logging
import secrets

from sqlalchemy import select

from elearn import db
from elearn.domain.documents import checked_type
from elearn.domain.events import RegistrationStatus
from elearn.models import EventMaterial, EventSession, Registration, TrainingEvent, User
from elearn.services import audit, visibility
from elearn.services.files.stores import files_store
from elearn.services.visibility import Viewer

log = logging.getLogger(__name__)
READERS = frozenset({RegistrationStatus.REGISTERED, RegistrationStatus.NOMINATED})


def add(actor: User, event_id: int, data: bytes, filename: str) -> EventMaterial:
    """Check the file (documents.checked_type raises DocumentRefused), put it in the file store, then record it;
    a failure on either side keeps nothing."""
    content_type = checked_type(data, filename)
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "material"
    key = f"event-materials/{event_id}/{secrets.token_hex(8)}/file"
    store = files_store()
    store.put_stream(key, io.BytesIO(data))
    try:
        with db.write_session() as session:
            material = EventMaterial(event_id=event_id, filename=name, content_type=content_type, size=len(data),
                                     etag=hashlib.sha256(data).hexdigest(), storage_key=key, uploaded_by_id=actor.id)
            session.add(material)
            session.flush()
            audit.record(session, actor, "event.material", session.get(TrainingEvent, event_id).code, file=name)
    except BaseException:
        store.delete_prefix(key.rsplit("/", 1)[0])
        raise
    return material


def remove(actor: User, material_id: int) -> None:
    with db.write_session() as session:
        material = session.get(EventMaterial, material_id)
        key = material.storage_key
        audit.record(session, actor, "event.material.remove", material.event.code, file=material.filename)
        session.delete(material)
    if key:
        try:
            files_store().delete_prefix(key.rsplit("/", 1)[0])
        except Exception:  # the row is gone, so nobody reaches the file; the nightly sweep removes it
            log.exception("event material %s left in the file store", key)


def get(material_id: int) -> EventMaterial | None:
    return db.session().get(EventMaterial, material_id)


def may_download(viewer: Viewer, event: TrainingEvent, user_id: int) -> bool:
    """The event's organisers, and staff with a place on one of its sessions (or who attended one)."""
    if visibility.may_run_event(viewer, event):
        return True
    return db.session().scalar(select(Registration.id).join(EventSession).where(
        EventSession.event_id == event.id, Registration.user_id == user_id,
        Registration.status.in_(list(READERS)))) is not None

