"""Announcements from a training office to a group of staff (a body, some of its units, tiers, grades).
Sending stores the announcement and wakes a job; the job delivers it in chunks, each person once (a notice
key), at a lower priority than personal mail, which the sender also throttles (MAIL_PER_MINUTE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, func, select, true, update

from elearn import db
from elearn.clock import utcnow
from elearn.domain.notices import NoticeKind
from elearn.domain.people import Tier
from elearn.models import Announcement, OrgUnit, StaffTier, User
from elearn.services import audit, visibility
from elearn.services.notices import Delivery
from elearn.services.notices import deliver as deliver_notices
from elearn.services.visibility import Viewer

ANNOUNCEMENT_PRIORITY = 10
DELIVERY_CHUNK = 1000
# An announcement its job has not finished after this long is taken up again by the hourly scan.
STALLED_AFTER = timedelta(minutes=10)


class AnnouncementRefused(Exception):
    """str() is a reason code the view words."""


@dataclass(frozen=True)
class Target:
    body_id: int
    unit_ids: tuple[int, ...] = ()  # each with everything below it; empty: the whole body
    tiers: tuple[Tier, ...] = ()  # any of them; empty: any
    grade_ids: tuple[int, ...] = ()  # any of them; empty: any

    def as_json(self) -> dict:
        return {"units": list(self.unit_ids), "tiers": [tier.value for tier in self.tiers],
                "grades": list(self.grade_ids)}

    @classmethod
    def from_json(cls, body_id: int, data: dict) -> Target:
        return cls(body_id, tuple(data.get("units", ())), tuple(Tier(value) for value in data.get("tiers", ())),
                   tuple(data.get("grades", ())))


def _condition(target: Target) -> ColumnElement[bool]:
    condition = and_(User.is_active.is_(True), User.body_id == target.body_id)
    if target.unit_ids:
        condition = and_(condition, User.division_id.in_(visibility.subtree_ids(target.unit_ids)))
    if target.tiers:
        condition = and_(condition, User.id.in_(select(StaffTier.user_id).where(
            StaffTier.tier.in_([tier.value for tier in target.tiers]))))
    if target.grade_ids:
        condition = and_(condition, User.grade_id.in_(list(target.grade_ids)))
    return condition


def count(viewer: Viewer, target: Target) -> int:
    """How many staff the announcement would reach (the preview before sending)."""
    _check(viewer, target)
    return db.session().scalar(select(func.count()).select_from(User).where(_condition(target))) or 0


def _check(viewer: Viewer, target: Target) -> None:
    if not visibility.may_announce_to(viewer, target.body_id):
        raise AnnouncementRefused("not_your_body")
    if target.unit_ids:
        inside = set(db.session().scalars(select(OrgUnit.id).where(
            OrgUnit.id.in_(list(target.unit_ids)), OrgUnit.id.in_(visibility.subtree_ids([target.body_id])))))
        if inside != set(target.unit_ids):
            raise AnnouncementRefused("unit_elsewhere")


def send(actor: User, viewer: Viewer, target: Target, subject: str, text: str) -> Announcement:
    """Store it and wake the delivery job (after the commit); the people are counted now."""
    subject, text = subject.strip(), text.strip()
    if not subject or not text:
        raise AnnouncementRefused("empty")
    recipients = count(viewer, target)
    if recipients == 0:
        raise AnnouncementRefused("nobody")
    with db.write_session() as session:
        announcement = Announcement(body_id=target.body_id, sender_id=actor.id, subject=subject[:200], text=text,
                                    target=target.as_json(), recipients=recipients)
        session.add(announcement)
        session.flush()
        audit.record(session, actor, "announcement.send", f"announcement:{announcement.id}",
                     recipients=recipients, subject=subject[:80])
    from elearn import jobs

    jobs.enqueue("deliver_announcement", announcement.id, app=current_app._get_current_object())
    return announcement


def deliver(announcement_id: int) -> int:
    """Notices (and mail) for everyone targeted who has none yet; returns the notices made this run."""
    session = db.session()
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        raise LookupError(f"announcement {announcement_id} does not exist")
    if announcement.delivered_at is not None:
        return 0
    target = Target.from_json(announcement.body_id, announcement.target)
    people = list(session.scalars(select(User.id).where(_condition(target)).order_by(User.id)))
    body_name = session.scalar(select(OrgUnit.name).where(OrgUnit.id == announcement.body_id))
    params = {"subject": announcement.subject, "text": announcement.text, "from": body_name,
              "announcement_id": announcement.id}
    made = 0
    for chunk in db.chunks(people, DELIVERY_CHUNK):
        with db.write_session() as write:
            chunk_made = deliver_notices(write, [
                Delivery(person, NoticeKind.ANNOUNCEMENT, params, key=f"announcement:{announcement.id}",
                         priority=ANNOUNCEMENT_PRIORITY, announcement_id=announcement.id) for person in chunk])
            write.execute(update(Announcement).where(Announcement.id == announcement.id)
                          .values(delivered=Announcement.delivered + chunk_made))
        made += chunk_made
    with db.write_session() as write:
        write.execute(update(Announcement).where(Announcement.id == announcement.id)
                      .values(delivered_at=utcnow()))
    return made


def deliver_pending(moment: datetime) -> int:
    """Announcements whose job died or never ran (the queue was down when they were sent)."""
    stalled = list(db.session().scalars(select(Announcement.id).where(
        Announcement.delivered_at.is_(None), Announcement.created_at < moment - STALLED_AFTER)))
    return sum(deliver(announcement_id) for announcement_id in stalled)


def sent_by_bodies(viewer: Viewer, limit: int = 50) -> list[Announcement]:
    """Announcements of the bodies the viewer may announce to, newest first."""
    condition = true() if viewer.is_admin else Announcement.body_id.in_(sorted(viewer.organised_body_ids))
    return list(db.session().scalars(select(Announcement).where(condition)
                                     .order_by(Announcement.created_at.desc()).limit(limit)))
