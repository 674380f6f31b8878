"""The demo's notices, made by the real services after the demo data is in: the notice scan (course reminders,
the demo manager's weekly digest, which the demo sets to the day it is loaded), nominations and registrations
of this year's training events, an announcement from the prefecture's training office, and a magazine issue
for the demo learner, who has opted in. Mail waits in the outbox (no server in the demo), which the
administrators' mail log shows. Loading again adds nothing: every part is keyed or checked first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from elearn import db
from elearn.clock import TOKYO
from elearn.domain.events import RegistrationStatus
from elearn.domain.notices import Channel, NoticeKind, Topic
from elearn.domain.people import Permission
from elearn.models import Announcement, Notice, NoticeChoice, OrgUnit, OutboxMessage, Registration, RoleGrant, User
from elearn.services import events, notices, visibility
from elearn.services.notices import Delivery
from elearn.services.outreach import announcements, scan

ANNOUNCEMENT_SUBJECT = "情報セキュリティ研修の受講期限は12月25日です"
ANNOUNCEMENT_TEXT = ("全職員が受講する「情報セキュリティとゼロトラストの基本」は、"
                     "今年度の受講期限を12月25日とします。\n"
                     "未受講の方は、年末の繁忙期に入る前の受講をお願いします（所要時間は約40分です）。\n"
                     "研修担当（デジタル推進課）")
# The demo accounts of the prefecture (elearn.demo.DEMO_SPECS).
LEARNER, MANAGER = "100001", "100002"


def _prefecture_staff(staff_number: str) -> User | None:
    return db.session().scalar(select(User).join(OrgUnit, OrgUnit.id == User.body_id)
                               .where(OrgUnit.code == "P000", User.staff_number == staff_number))


def _holder(permission: Permission, body_code: str) -> User | None:
    return db.session().scalar(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                               .join(OrgUnit, OrgUnit.id == RoleGrant.org_unit_id)
                               .where(RoleGrant.permission == permission, OrgUnit.code == body_code)
                               .order_by(User.staff_number).limit(1))


def load(now: datetime) -> dict[str, int]:
    """Returns what each part made (zero on a second load)."""
    made = {"event notices": _event_notices(now), "announcement": _announcement()}
    manager, learner = _prefecture_staff(MANAGER), _prefecture_staff(LEARNER)
    with db.write_session() as session:
        if manager is not None:
            session.get(User, manager.id).digest_weekday = now.astimezone(TOKYO).weekday()
        if learner is not None and session.get(NoticeChoice, (learner.id, Topic.MAGAZINE)) is None:
            session.add(NoticeChoice(user_id=learner.id, topic=Topic.MAGAZINE, channel=Channel.APP))
    made.update(scan.run_all())
    return made


def _event_notices(now: datetime) -> int:
    """What registering and nominating told people, for this year's sessions still to come."""
    rows = db.session().execute(
        select(Registration.id, Registration.user_id, Registration.session_id, Registration.status,
               Registration.nominated_by_id)
        .where(Registration.status.in_([RegistrationStatus.REGISTERED, RegistrationStatus.WAITING,
                                        RegistrationStatus.NOMINATED]))).all()
    kinds = {RegistrationStatus.REGISTERED: NoticeKind.EVENT_REGISTERED,
             RegistrationStatus.WAITING: NoticeKind.EVENT_WAITING,
             RegistrationStatus.NOMINATED: NoticeKind.EVENT_NOMINATED}
    names = dict(db.session().execute(select(User.id, User.name).where(
        User.id.in_({row.nominated_by_id for row in rows if row.nominated_by_id}))).all())
    params_of = {}
    for session_id in {row.session_id for row in rows}:
        target = events.get_session(session_id)
        params_of[session_id] = events.notice_params(target) if target.ends_at > now else None
    deliveries = [
        Delivery(row.user_id, kinds[row.status],
                 {**params_of[row.session_id], **({"by": names.get(row.nominated_by_id, "")}
                                                  if row.status is RegistrationStatus.NOMINATED else {})},
                 key=f"demo-registration:{row.id}")
        for row in rows if params_of[row.session_id] is not None]
    with db.write_session() as session:
        return notices.deliver(session, deliveries)


def _announcement() -> int:
    office = _holder(Permission.ORGANISER, "P000")
    if office is None or db.session().scalar(select(Announcement.id).limit(1)) is not None:
        return 0
    body_id = db.session().scalar(select(OrgUnit.id).where(OrgUnit.code == "P000"))
    sent = announcements.send(office, visibility.viewer_of(office), announcements.Target(body_id),
                              ANNOUNCEMENT_SUBJECT, ANNOUNCEMENT_TEXT)
    return announcements.deliver(sent.id)


def summary() -> str:
    """The same line however often the demo is loaded (what is there, not what this load added)."""
    session = db.session()
    notices_made = session.scalar(select(func.count()).select_from(Notice)) or 0
    waiting = session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.state == "queued")) or 0
    return f"Notices: {notices_made} under the bells, {waiting} mails waiting in the outbox (no mail server)"
