"""Sending the outbox over SMTP.

Guarantee: at-least-once. A message is claimed (state "sending", `claimed_at`) and committed before it is
handed to the server, then marked sent in its own commit. A sender that dies between the two leaves it
claimed; once the claim is older than MAIL_CLAIM_LEASE it is sent again, with the same Message-ID, so the
one duplicate a crash can cause is recognisable. Nothing queued is ever dropped: a failure is retried with
back-off, and after the last attempt the message stays in the outbox as failed, with its error."""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app
from sqlalchemy import and_, func, or_, select, text, true, update

from elearn import db
from elearn.clock import now
from elearn.domain.notices import MAIL_CLAIM_LEASE, mail_retry_at
from elearn.models import OutboxMessage

log = logging.getLogger(__name__)

BATCH = 20
# Errors worth a retry: the server or the network may be back later. 5xx answers are final for that message.
TRANSIENT = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError, OSError)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0  # due but not sent this run (no server configured, or the run's limit reached)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int
    username: str | None
    password: str | None
    starttls: bool
    sender: str
    sender_name: str
    per_minute: int  # 0: no throttle

    @classmethod
    def from_config(cls) -> MailSettings:
        config = current_app.config
        starttls = config.get("MAIL_STARTTLS")
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT") or 25),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            starttls=str(starttls).strip().lower() in {"1", "true", "yes", "on"} if starttls else False,
            sender=config["MAIL_FROM"],
            sender_name=config.get("MAIL_FROM_NAME") or "",
            per_minute=int(config.get("MAIL_PER_MINUTE") or 0),
        )


def due_condition(moment):  # type: ignore[no-untyped-def]
    """Queued and due, or claimed by a sender that has not come back within the lease."""
    return or_(and_(OutboxMessage.state == "queued", OutboxMessage.next_attempt_at <= moment),
               and_(OutboxMessage.state == "sending", OutboxMessage.claimed_at < moment - MAIL_CLAIM_LEASE))


def waiting_count() -> int:
    return db.session().scalar(select(func.count()).select_from(OutboxMessage).where(due_condition(now()))) or 0


def build_message(row: OutboxMessage, settings: MailSettings) -> EmailMessage:
    """Plain text and HTML alternatives; Japanese subjects and names are encoded by the email package
    (RFC 2047, UTF-8), the bodies as UTF-8 with a safe transfer encoding."""
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = Address(settings.sender_name, addr_spec=settings.sender)
    message["To"] = Address(row.to_name, addr_spec=row.to_address)
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body_text, charset="utf-8")
    message.add_alternative(row.body_html, subtype="html", charset="utf-8")
    if row.attachment is not None:
        maintype, _slash, subtype = (row.attachment_type or "text/plain").partition("/")
        message.add_attachment(row.attachment.encode(), maintype=maintype, subtype=subtype,
                               filename=row.attachment_name)
    return message


def send_waiting(limit: int | None = None, settings: MailSettings | None = None) -> SendReport:
    """Send what is due, a batch at a time, over one connection; returns what happened."""
    settings = settings or MailSettings.from_config()
    report = SendReport()
    if settings.server is None:
        report.waiting = waiting_count()
        return report
    interval = 60 / settings.per_minute if settings.per_minute else 0.0
    with _connection(settings) as connection:
        while limit is None or report.sent + report.failed + report.retrying < limit:
            batch = _claim(BATCH if limit is None else min(BATCH, limit - report.sent - report.failed
                                                           - report.retrying))
            if not batch:
                break
            try:
                smtp = connection.get()
            except (smtplib.SMTPException, OSError) as error:
                # Not this mail's fault (server down, wrong password): every message waits for a later run.
                for waiting in batch:
                    _retry(waiting, f"{type(error).__name__}: {error}", report)
                return report
            for index, row in enumerate(batch):
                started = time.monotonic()
                try:
                    smtp.send_message(build_message(row, settings), settings.sender, [row.to_address])
                except smtplib.SMTPRecipientsRefused as error:
                    _give_up(row, _reason(error), report)
                except smtplib.SMTPResponseException as error:
                    if 400 <= error.smtp_code < 500:
                        _retry(row, f"{error.smtp_code} {error.smtp_error!r}", report)
                    else:
                        _give_up(row, f"{error.smtp_code} {error.smtp_error!r}", report)
                except TRANSIENT as error:
                    # The connection is gone: this one and the rest of the batch wait for the next run.
                    for waiting in batch[index:]:
                        _retry(waiting, f"{type(error).__name__}: {error}", report)
                    connection.reset()
                    return report
                else:
                    mark_sent(row.id)
                    report.sent += 1
                if interval:
                    time.sleep(max(0.0, interval - (time.monotonic() - started)))
    report.waiting = waiting_count()
    return report


def release_claims_of(workers: list[str]) -> int:
    """Messages claimed by senders known to be dead go back to the queue at once (not after the lease); any
    of them may have reached the server already, so this is where the at-least-once resend comes from."""
    if not workers:
        return 0
    with db.write_session() as session:
        result = session.execute(update(OutboxMessage).where(OutboxMessage.state == "sending",
                                                             OutboxMessage.claimed_by.in_(workers))
                                 .values(state="queued", claimed_at=None, claimed_by=None))
    return result.rowcount or 0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def mark_sent(outbox_id: int) -> None:
    with db.write_session() as session:
        if session.get_bind().dialect.name == "postgresql":
            # A mark lost to a database crash only means one resend, which at-least-once allows; not waiting
            # for the WAL flush keeps one commit per message cheap.
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        session.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id)
                        .values(state="sent", sent_at=now(), last_error=""))


def _claim(size: int) -> list[OutboxMessage]:
    """Take up to `size` due messages for this sender, committed before anything is sent. Two senders never
    take the same row: PostgreSQL skips rows another has locked, SQLite has one writer at a time."""
    moment = now()
    with db.write_session() as session:
        rows = list(session.scalars(
            select(OutboxMessage).where(due_condition(moment))
            .order_by(OutboxMessage.priority, OutboxMessage.id).limit(size)
            .with_for_update(skip_locked=True)))
        for row in rows:
            row.state = "sending"
            row.claimed_at = moment
            row.claimed_by = worker_name()
            row.attempts += 1
    return rows


def _retry(row: OutboxMessage, reason: str, report: SendReport) -> None:
    retry_at = mail_retry_at(row.attempts, now())
    if retry_at is None:
        _give_up(row, reason, report)
        return
    with db.write_session() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id)
                        .values(state="queued", next_attempt_at=retry_at, claimed_at=None, claimed_by=None,
                                last_error=reason))
    report.retrying += 1
    report.errors.append(f"{row.message_id}: {reason}")


def _give_up(row: OutboxMessage, reason: str, report: SendReport) -> None:
    with db.write_session() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id)
                        .values(state="failed", claimed_at=None, claimed_by=None, last_error=reason))
    report.failed += 1
    report.errors.append(f"{row.message_id}: {reason}")
    log.warning("mail %s to %s failed for good: %s", row.message_id, row.to_address, reason)


def _reason(error: smtplib.SMTPRecipientsRefused) -> str:
    return "; ".join(f"{address}: {code} {text!r}" for address, (code, text) in error.recipients.items())


class _Connection:
    """One SMTP connection for a run, opened when first needed and opened again after a reset."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def get(self) -> smtplib.SMTP:
        if self.smtp is None:
            smtp = smtplib.SMTP(self.settings.server, self.settings.port, timeout=30)
            if self.settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.settings.username:
                smtp.login(self.settings.username, self.settings.password or "")
            self.smtp = smtp
        return self.smtp

    def reset(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None


@contextmanager
def _connection(settings: MailSettings) -> Iterator[_Connection]:
    connection = _Connection(settings)
    try:
        yield connection
    finally:
        if connection.smtp is not None:
            try:
                connection.smtp.quit()
            except smtplib.SMTPException:
                pass
            connection.reset()


def preview(limit: int = 20) -> tuple[int, list[OutboxMessage]]:
    """What `elearn mail send --dry-run` shows: the number due and the first of them, sending nothing."""
    rows = list(db.session().scalars(select(OutboxMessage).where(due_condition(now()))
                                     .order_by(OutboxMessage.priority, OutboxMessage.id).limit(limit)))
    return waiting_count(), rows


STATES = ("queued", "sending", "sent", "failed")


@dataclass(frozen=True)
class OutboxPage:
    rows: list[OutboxMessage]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def outbox(state: str | None, q: str, page: int, per_page: int = 50) -> OutboxPage:
    """The mail log for administrators: newest first, by state and by address or subject."""
    session = db.session()
    condition = and_(OutboxMessage.state == state if state in STATES else true(),
                     or_(OutboxMessage.to_address.contains(q, autoescape=True),
                         OutboxMessage.subject.contains(q, autoescape=True)) if q else true())
    total = session.scalar(select(func.count()).select_from(OutboxMessage).where(condition)) or 0
    rows = list(session.scalars(select(OutboxMessage).where(condition)
                                .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                                .offset((page - 1) * per_page).limit(per_page)))
    counts = dict(session.execute(select(OutboxMessage.state, func.count())
                                  .group_by(OutboxMessage.state)).all())
    return OutboxPage(rows, total, page, per_page, counts)
