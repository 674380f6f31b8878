"""Telling people things: a notice under the bell for everyone, and a mail for those with an address who
want it by mail. Both are written in the transaction of the event that causes them; the mail task sends the
outbox after the commit (and every minute, for what a lost wake-up left)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import Session

from elearn import db
from elearn.clock import now
from elearn.domain.notices import DEFAULT_CHANNEL, Channel, NoticeKind, Topic, channel_for, channels_allowed
from elearn.links import public_url
from elearn.models import Notice, NoticeChoice, OutboxMessage, User
from elearn.services.notices.messages import Composed, compose

_KICK_FLAG = "elearn.notices.kick_mail"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str | None
    locale: str
    choices: Mapping[Topic, Channel] = field(default_factory=dict)


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    text: str


@dataclass(frozen=True)
class Delivery:
    user_id: int
    kind: NoticeKind
    params: dict
    key: str | None = None  # one notice per person and key
    attachment: Attachment | None = None
    priority: int = 0
    announcement_id: int | None = None


def recipients(session: Session, user_ids: Iterable[int]) -> dict[int, Recipient]:
    """Active staff among `user_ids`, with their channel choices (two queries per 500 people)."""
    ids = sorted(set(user_ids))
    choices: dict[int, dict[Topic, Channel]] = defaultdict(dict)
    found: dict[int, Recipient] = {}
    for chunk in db.chunks(ids):
        for user_id, topic, channel in session.execute(
                select(NoticeChoice.user_id, NoticeChoice.topic, NoticeChoice.channel)
                .where(NoticeChoice.user_id.in_(chunk))):
            choices[user_id][topic] = channel
        for user_id, name, email, locale in session.execute(
                select(User.id, User.name, User.email, User.locale)
                .where(User.id.in_(chunk), User.is_active.is_(True))):
            found[user_id] = Recipient(user_id, name, email, locale or "ja", choices[user_id])
    return found


def notify(session: Session, user_id: int, kind: NoticeKind, params: dict, key: str | None = None,
           attachment: Attachment | None = None) -> int:
    """One notice; returns 1 if it was made (0: already told, a leaver, or the person chose none)."""
    return deliver(session, [Delivery(user_id, kind, params, key, attachment)])


def deliver(session: Session, deliveries: Sequence[Delivery],
            known: Mapping[int, Recipient] | None = None) -> int:
    """Notices and mails for many people in a few statements: the reminder scan and announcements reach
    tens of thousands at once. Returns the notices made."""
    if not deliveries:
        return 0
    # `known` is only read: the reminder scan passes everyone it planned for, once per chunk of deliveries.
    people = known if known is not None else recipients(session, (item.user_id for item in deliveries))
    keyed = [item for item in deliveries if item.key is not None]
    told = _told(session, keyed) if keyed else set()
    moment = now()
    wanted: list[tuple[Delivery, Recipient, Channel]] = []
    for item in deliveries:
        person = people.get(item.user_id)
        if person is None or (item.key is not None and (item.user_id, item.key) in told):
            continue
        channel = channel_for(item.kind, person.choices)
        if channel is Channel.OFF:
            continue
        if item.key is not None:
            told.add((item.user_id, item.key))  # the same key twice in one batch: once
        wanted.append((item, person, channel))
    if not wanted:
        return 0
    session.execute(insert(Notice), [
        {"user_id": item.user_id, "kind": item.kind, "params": item.params, "key": item.key, "created_at": moment}
        for item, _person, _channel in wanted])
    mails = _mail_rows([(item, person) for item, person, channel in wanted
                        if channel is Channel.MAIL and person.email], moment)
    if mails:
        session.execute(insert(OutboxMessage), mails)
        _kick_after_commit(session)
    return len(wanted)


def _told(session: Session, keyed: Sequence[Delivery]) -> set[tuple[int, str | None]]:
    found: set[tuple[int, str | None]] = set()
    by_key: dict[str, list[int]] = defaultdict(list)
    for item in keyed:
        by_key[item.key].append(item.user_id)  # type: ignore[index]
    for key, user_ids in by_key.items():
        for chunk in db.chunks(sorted(set(user_ids))):
            found.update(session.execute(select(Notice.user_id, Notice.key)
                                         .where(Notice.key == key, Notice.user_id.in_(chunk))).all())
    return found


def _mail_rows(wanted: list[tuple[Delivery, Recipient]], moment: datetime) -> list[dict]:
    """Outbox rows, rendered language by language: switching language, and the words every mail shares, cost
    more than a message's own words, so they are done once per language."""
    rows: list[dict] = []
    with mail_context():
        for locale in sorted({person.locale for _item, person in wanted}):
            with force_locale(locale):
                chrome = _chrome()
                rows.extend(_mail_row(item, person, moment, chrome) for item, person in wanted
                            if person.locale == locale)
    return rows


def _mail_row(item: Delivery, person: Recipient, moment: datetime, chrome: dict) -> dict:
    subject, text, html = _render(item.kind, item.params, person.name, chrome)
    return {
        "message_id": new_message_id(),
        "user_id": person.user_id,
        "kind": item.kind,
        "to_address": person.email,
        "to_name": person.name,
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "attachment_name": item.attachment.name if item.attachment else None,
        "attachment_type": item.attachment.content_type if item.attachment else None,
        "attachment": item.attachment.text if item.attachment else None,
        "priority": item.priority,
        "state": "queued",
        "attempts": 0,
        "next_attempt_at": moment,
        "last_error": "",
        "announcement_id": item.announcement_id,
        "created_at": moment,
    }


def new_message_id() -> str:
    """Made once, when the mail is queued, and kept: a resent mail carries the same Message-ID, so mail
    clients and the relay recognise it."""
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def link_of(composed: Composed) -> str:
    return public_url(composed.endpoint, **composed.values)


def render_mail(kind: NoticeKind, params: dict, name: str, locale: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML in the person's language; the HTML has no images or outside links
    besides the site's own."""
    with mail_context(), force_locale(locale):
        return _render(kind, params, name, _chrome())


def _chrome() -> dict:
    """What every mail says in the current language, around its own words."""
    return {
        "settings_link": public_url("notices.settings"),
        "site": _("elearn: digital skills for local government"),
        "greeting": _("Dear %(name)s,", name="\x00"),
        "settings_text": _("To choose which notices come by mail and which only in the app:"),
        "settings_label": _("Change notice settings"),
        "automatic": _("This is an automatic message. Replies to it are not read."),
        "lang": str(get_locale()),
    }


def _render(kind: NoticeKind, params: dict, name: str, chrome: dict) -> tuple[str, str, str]:
    composed = compose(kind, params)
    context = {**chrome, "composed": composed, "greeting": chrome["greeting"].replace("\x00", name),
               "link": link_of(composed)}
    # The templates straight from the environment: a mail needs none of the page context processors.
    environment = current_app.jinja_env
    return (composed.subject, environment.get_template("mail/notice.txt").render(context),
            environment.get_template("mail/notice.html").render(context))


def mail_context() -> AbstractContextManager:
    """url_for needs a request; outside one (the worker, a command) build links on PUBLIC_URL."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"])


def _kick_after_commit(session: Session) -> None:
    """Wake the mail task once per transaction, after the commit: a task that ran before it would find
    nothing to send."""
    if session.info.get(_KICK_FLAG):
        return
    session.info[_KICK_FLAG] = True
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def kick(_session: Session) -> None:
        _session.info.pop(_KICK_FLAG, None)
        from elearn import jobs

        jobs.wake_mail(app)

    def forget(_session: Session) -> None:
        _session.info.pop(_KICK_FLAG, None)

    event.listen(session, "after_commit", kick, once=True)
    event.listen(session, "after_rollback", forget, once=True)


# --- the bell ----------------------------------------------------------------------------------------------


def unread_count(user_id: int) -> int:
    return db.session().scalar(select(func.count()).select_from(Notice)
                               .where(Notice.user_id == user_id, Notice.read_at.is_(None))) or 0


def of_user(user_id: int, page: int, per_page: int = 20) -> tuple[list[Notice], int]:
    session = db.session()
    total = session.scalar(select(func.count()).select_from(Notice).where(Notice.user_id == user_id)) or 0
    rows = list(session.scalars(select(Notice).where(Notice.user_id == user_id)
                                .order_by(Notice.created_at.desc(), Notice.id.desc())
                                .offset((page - 1) * per_page).limit(per_page)))
    return rows, total


def open_notice(user_id: int, notice_id: int) -> Notice | None:
    """The person's own notice, marked read; None for anyone else's (a 404, not a 403)."""
    with db.write_session() as session:
        notice = session.get(Notice, notice_id)
        if notice is None or notice.user_id != user_id:
            return None
        if notice.read_at is None:
            notice.read_at = now()
    return notice


def mark_all_read(user_id: int) -> int:
    with db.write_session() as session:
        result = session.execute(update(Notice).where(Notice.user_id == user_id, Notice.read_at.is_(None))
                                 .values(read_at=now()))
    return result.rowcount or 0


# --- choices ---------------------------------------------------------------------------------------------


def choices_of(user_id: int) -> dict[Topic, Channel]:
    return dict(db.session().execute(select(NoticeChoice.topic, NoticeChoice.channel)
                                     .where(NoticeChoice.user_id == user_id)).all())


def save_choices(user: User, wanted: Mapping[Topic, Channel], digest_weekday: int | None) -> None:
    """Store the person's choices; a choice equal to the default is not stored, so a new default reaches
    everyone who never chose."""
    with db.write_session() as session:
        existing = {row.topic: row for row in session.scalars(
            select(NoticeChoice).where(NoticeChoice.user_id == user.id))}
        for topic, channel in wanted.items():
            if channel not in channels_allowed(topic):
                continue
            row = existing.get(topic)
            if channel is DEFAULT_CHANNEL[topic]:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(NoticeChoice(user_id=user.id, topic=topic, channel=channel))
            else:
                row.channel = channel
        person = session.get(User, user.id)
        person.digest_weekday = digest_weekday


def remember_locale(user_id: int, locale: str) -> None:
    with db.write_session() as session:
        session.execute(update(User).where(User.id == user_id).values(locale=locale))
