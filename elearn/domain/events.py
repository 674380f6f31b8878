"""Training events as plain rules: who gets a place or waits, who moves up, when registration, cancelling and
checking in are open, what completes an event, the venue's QR code, and a session as an .ics file."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from elearn.clock import TOKYO
from elearn.domain.kpi import TrainingMode


class EventFormat(StrEnum):
    SEMINAR = "seminar"  # talks (DX managers' top seminar)
    WORKSHOP = "workshop"  # hands-on (集合研修)


class Delivery(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"  # live online
    HYBRID = "hybrid"


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"  # has a place
    WAITING = "waiting"  # on the waiting list, in queue order
    NOMINATED = "nominated"  # named by an organiser or manager; holds a place until answered
    DECLINED = "declined"  # a nomination turned down, with a reason
    CANCELLED = "cancelled"


class Attendance(StrEnum):
    ATTENDED = "attended"
    ABSENT = "absent"
    LEFT_EARLY = "left_early"


# Statuses that take one of the session's places.
HOLDS_PLACE = frozenset({RegistrationStatus.REGISTERED, RegistrationStatus.NOMINATED})
# Check-in opens this long before the start (people arrive early) and closes at the end.
CHECKIN_EARLY = timedelta(minutes=30)
# A code shown at the venue is good for this long; the page showing it renews it before then.
CHECKIN_CODE_LIFETIME = timedelta(minutes=10)


def training_mode(event_format: EventFormat, delivery: Delivery) -> TrainingMode:
    """How the KPI report labels an event: live online whatever its format, else seminar or workshop."""
    if delivery is Delivery.ONLINE:
        return TrainingMode.ONLINE
    return TrainingMode.WORKSHOP if event_format is EventFormat.WORKSHOP else TrainingMode.SEMINAR


def place_for(places_taken: int, capacity: int) -> RegistrationStatus:
    """A new registration gets a place while one is free, else joins the waiting list."""
    return RegistrationStatus.REGISTERED if places_taken < capacity else RegistrationStatus.WAITING


@dataclass(frozen=True)
class Waiting:
    registration_id: int
    queued_at: datetime


def next_in_line(waiting: Iterable[Waiting]) -> int | None:
    """The first to have joined the waiting list (ties, as from one bulk import, by registration)."""
    ordered = sorted(waiting, key=lambda item: (item.queued_at, item.registration_id))
    return ordered[0].registration_id if ordered else None


def promotions(free_places: int, waiting: Sequence[Waiting]) -> list[int]:
    """Who moves up when places free (a cancellation, a raised capacity): the first in line, in order."""
    ordered = sorted(waiting, key=lambda item: (item.queued_at, item.registration_id))
    return [item.registration_id for item in ordered[:max(free_places, 0)]]


class Closed(StrEnum):
    """Why registration is not possible now."""

    NOT_YET = "not_yet"
    CLOSED = "closed"
    STARTED = "started"
    CANCELLED = "cancelled"


def registration_closed(now: datetime, starts_at: datetime, opens_at: datetime | None, closes_at: datetime | None,
                        cancelled: bool = False) -> Closed | None:
    """None while registration is open: from `opens_at` (or at once) until `closes_at` (or the start)."""
    if cancelled:
        return Closed.CANCELLED
    if opens_at is not None and now < opens_at:
        return Closed.NOT_YET
    if now >= starts_at:
        return Closed.STARTED
    if closes_at is not None and now >= closes_at:
        return Closed.CLOSED
    return None


def may_cancel(now: datetime, starts_at: datetime, deadline: datetime | None) -> bool:
    """Until the cancellation deadline, or the start when there is none."""
    return now < (deadline or starts_at)


def checkin_open(now: datetime, starts_at: datetime, ends_at: datetime) -> bool:
    return starts_at - CHECKIN_EARLY <= now < ends_at


def completes(attendance: Attendance | None, survey_required: bool, survey_answered: bool) -> bool:
    """Attending the whole session completes the event; leaving early does not. Where the survey is
    required, answering it is part of completing."""
    return attendance is Attendance.ATTENDED and (survey_answered or not survey_required)


def attendance_rate(attended: int, expected: int) -> float | None:
    return None if expected == 0 else attended / expected


# --- the QR code at the venue ---------------------------------------------------------------------------------


def checkin_code(session_id: int, key: str, issued_at: datetime) -> str:
    """What the venue's QR code carries: the session, when the code was made, and a signature with the
    session's own key. It names no person: whoever scans it checks themselves in, signed in."""
    stamp = int(issued_at.timestamp())
    return f"{session_id}.{stamp}.{_signature(session_id, stamp, key)}"


def checkin_session_id(code: str) -> int | None:
    """The session a scanned code claims to be for (verify it with that session's key)."""
    parts = code.strip().split(".")
    return int(parts[0]) if len(parts) == 3 and parts[0].isdigit() else None


def checkin_code_valid(code: str, key: str, now: datetime) -> bool:
    """Signed with the session's key and made within CHECKIN_CODE_LIFETIME of `now` (a minute of clock skew
    allowed the other way)."""
    try:
        session_text, stamp_text, signature = code.strip().split(".")
        session_id, stamp = int(session_text), int(stamp_text)
    except ValueError:
        return False
    if not hmac.compare_digest(signature, _signature(session_id, stamp, key)):
        return False
    age = now.timestamp() - stamp
    return -60 <= age <= CHECKIN_CODE_LIFETIME.total_seconds()


def _signature(session_id: int, stamp: int, key: str) -> str:
    return hmac.new(key.encode(), f"checkin:{session_id}:{stamp}".encode(), hashlib.sha256).hexdigest()[:32]


# --- calendar ------------------------------------------------------------------------------------------------------

_VTIMEZONE = (
    "BEGIN:VTIMEZONE", "TZID:Asia/Tokyo", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0900",
    "TZOFFSETTO:+0900", "TZNAME:JST", "END:STANDARD", "END:VTIMEZONE",
)


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str
    url: str
    stamp: datetime


def session_ics(entry: CalendarEntry) -> str:
    """One session as an iCalendar file Outlook opens: times in Asia/Tokyo with the zone spelled out (no
    download of zone data), lines folded at 75 octets, CRLF endings."""
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//elearn//training events//JA", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", *_VTIMEZONE, "BEGIN:VEVENT",
        f"UID:{entry.uid}",
        f"DTSTAMP:{entry.stamp.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART;TZID=Asia/Tokyo:{entry.starts_at.astimezone(TOKYO):%Y%m%dT%H%M%S}",
        f"DTEND;TZID=Asia/Tokyo:{entry.ends_at.astimezone(TOKYO):%Y%m%dT%H%M%S}",
        f"SUMMARY:{_escape(entry.title)}",
    ]
    if entry.location:
        lines.append(f"LOCATION:{_escape(entry.location)}")
    if entry.description:
        lines.append(f"DESCRIPTION:{_escape(entry.description)}")
    if entry.url:
        lines.append(f"URL:{entry.url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """RFC 5545: at most 75 octets a line, continued with a space; never inside a UTF-8 character."""
    pieces, current = [], ""
    for character in line:
        if len((current + character).encode()) > (75 if not pieces else 74):
            pieces.append(current)
            current = ""
        current += character
    pieces.append(current)
    return "\r\n ".join(pieces)


def fiscal_day(moment: datetime) -> date:
    """The Japan day of a moment (a session's day for completion and the KPI)."""
    return moment.astimezone(TOKYO).date()
