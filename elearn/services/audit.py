"""Audit log of admin actions, written in the caller's transaction."""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy.orm import Session

from elearn.models import AuditEntry, User


def record(db: Session, actor: User | None, action: str, target: str = "", **details: object) -> None:
    address = (request.remote_addr or "") if has_request_context() else "cli"
    db.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action=action,
            target=target,
            details=details,
            address=address,
        )
    )
