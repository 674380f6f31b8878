"""The hourly notice scan: course reminders, managers' weekly digests, tomorrow's training sessions, new
magazine issues, and announcements a worker left half-delivered. Each part is idempotent (a reminder log,
or a notice key per person), so running it again sends nothing twice."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from elearn import db
from elearn.clock import TOKYO, now, today_in_japan
from elearn.domain.events import CalendarEntry, RegistrationStatus, session_ics
from elearn.domain.fiscal import fiscal_year
from elearn.domain.magazine import InboxStatus
from elearn.domain.notices import DEFAULT_DIGEST_WEEKDAY, NoticeKind, Topic, digest_week
from elearn.domain.people import Permission
from elearn.links import public_url
from elearn.models import (
    EventSession,
    InboxItem,
    MagazineIssue,
    Notice,
    NoticeChoice,
    Registration,
    RoleGrant,
    TrainingEvent,
    User,
)
from elearn.services import events, magazine, visibility
from elearn.services.magazine import inbox
from elearn.services.notices import Attachment, Delivery, deliver
from elearn.services.outreach import reminders

DIGEST_PEOPLE_LISTED = 10
# Issues published within this many days are announced to readers who opted in (a scan missed for days
# still tells them; an old issue found by a new subscriber is not news).
MAGAZINE_NEWS_DAYS = 7


def run_all() -> dict:
    """Every part, each in its own transactions; returns what each did (for the job log)."""
    from elearn.jobs import runs
    from elearn.services.outreach import announcements

    today = today_in_japan()
    moment = now()
    report = {
        "reminders": reminders.scan(today).told,
        "digests": send_digests(today),
        "tomorrow": remind_tomorrow(moment),
        "magazine": announce_magazine(moment),
        "announcements": announcements.deliver_pending(moment),
    }
    runs.prune()
    return report


# --- managers' weekly digest ---------------------------------------------------------------------------------


def send_digests(today: date) -> int:
    """One digest per manager and ISO week, on the day they chose (Monday unless they chose another), listing
    their team's staff with an overdue course or a deadline within 14 days. A team with neither gets none."""
    from elearn.services.reports.team import TeamFilters, team_view

    session = db.session()
    managers = list(session.scalars(
        select(User).where(User.is_active.is_(True),
                           User.id.in_(select(RoleGrant.user_id).where(RoleGrant.permission == Permission.MANAGER)))
        .order_by(User.id)))
    key = f"digest:{digest_week(today)}"
    # Told this week already (an earlier hourly run): their team is not read again.
    told = set(session.scalars(select(Notice.user_id).where(Notice.key == key)))
    sent = 0
    for manager in managers:
        weekday = manager.digest_weekday if manager.digest_weekday is not None else DEFAULT_DIGEST_WEEKDAY
        if today.weekday() != weekday or manager.id in told:
            continue
        view = team_view(visibility.viewer_of(manager), TeamFilters(fiscal_year=fiscal_year(today)), today, whole=True)
        overdue: dict[int, int] = defaultdict(int)
        soon: dict[int, int] = defaultdict(int)
        names: dict[int, tuple[str, str]] = {}
        for row in view.in_scope:
            if row.completed_on is not None or row.due_on is None:
                continue
            names[row.user_id] = (row.name, row.unit_path)
            if row.overdue:
                overdue[row.user_id] += 1
            elif (row.due_on - today).days <= 14:
                soon[row.user_id] += 1
        people = sorted(set(overdue) | set(soon), key=lambda person: (-overdue[person], -soon[person], names[person]))
        if not people:
            continue
        params = {
            "week": digest_week(today), "overdue": len(overdue), "due_soon": len(set(soon) - set(overdue)),
            "people": [{"name": names[person][0], "unit": names[person][1], "overdue": overdue[person],
                        "due_soon": soon[person]} for person in people[:DIGEST_PEOPLE_LISTED]],
            "more": max(0, len(people) - DIGEST_PEOPLE_LISTED),
        }
        with db.write_session() as write:
            sent += deliver(write, [Delivery(manager.id, NoticeKind.TEAM_DIGEST, params, key=key)])
    return sent


# --- training sessions tomorrow -------------------------------------------------------------------------------


def remind_tomorrow(moment: datetime) -> int:
    """Everyone registered for a session that starts tomorrow (Japan time), with the session's .ics."""
    tomorrow = moment.astimezone(TOKYO).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(), tzinfo=TOKYO)
    session = db.session()
    targets = list(session.scalars(
        select(EventSession).join(TrainingEvent, TrainingEvent.id == EventSession.event_id)
        .where(EventSession.starts_at >= start, EventSession.starts_at < start + timedelta(days=1),
               EventSession.cancelled_at.is_(None), TrainingEvent.cancelled_at.is_(None),
               TrainingEvent.published_at.is_not(None))))
    told = 0
    for target in targets:
        people = list(session.scalars(select(Registration.user_id).where(
            Registration.session_id == target.id, Registration.status == RegistrationStatus.REGISTERED)))
        if not people:
            continue
        attachment = Attachment(f"session-{target.id}.ics", "text/calendar", calendar_text(target, moment))
        params = events.notice_params(target)
        with db.write_session() as write:
            told += deliver(write, [Delivery(person, NoticeKind.EVENT_TOMORROW, params,
                                             key=f"event_tomorrow:{target.id}", attachment=attachment)
                                    for person in people])
    return told


def calendar_text(target: EventSession, moment: datetime) -> str:
    event = target.event
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    return session_ics(CalendarEntry(
        uid=f"elearn-session-{target.id}@{host}", title=event.title, starts_at=target.starts_at,
        ends_at=target.ends_at, location=target.venue or target.meeting_url, description=event.description,
        url=public_url("events.event_page", event_id=event.id), stamp=moment))


# --- magazine ---------------------------------------------------------------------------------------------------


def announce_magazine(moment: datetime) -> int:
    """New issues to the readers who opted in, each issue once (prefecture-only issues to prefecture staff),
    and to the senders of the ideas they adopted."""
    session = db.session()
    issues = list(session.scalars(select(MagazineIssue).where(
        magazine.published(moment), MagazineIssue.publish_at >= moment - timedelta(days=MAGAZINE_NEWS_DAYS))))
    if not issues:
        return 0
    readers = session.execute(
        select(User.id, User.body_id).join(NoticeChoice, NoticeChoice.user_id == User.id)
        .where(User.is_active.is_(True), NoticeChoice.topic == Topic.MAGAZINE,
               NoticeChoice.channel != "off")).all()
    told = 0
    for item in session.scalars(select(InboxItem).where(InboxItem.adopted_issue_id.in_([issue.id for issue in issues]),
                                                        InboxItem.status == InboxStatus.ADOPTED)):
        with db.write_session() as write:
            inbox.tell_adopted(write, item, next(issue.number for issue in issues if issue.id == item.adopted_issue_id))
    for issue in issues:
        allowed = {body_id for body_id in {reader.body_id for reader in readers}
                   if session.scalar(select(MagazineIssue.id).where(MagazineIssue.id == issue.id,
                                                                    magazine.readable_in_body(body_id, moment)))}
        params = {"number": issue.number, "title": issue.title, "summary": issue.summary}
        with db.write_session() as write:
            told += deliver(write, [Delivery(reader.id, NoticeKind.MAGAZINE_ISSUE, params,
                                             key=f"magazine:{issue.id}")
                                    for reader in readers if reader.body_id in allowed])
    return told

