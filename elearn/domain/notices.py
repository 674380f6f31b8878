"""Notices (in the app and by mail): what kinds there are, who may switch which off, and the rules of the
reminder scan, the manager digest and mail retries. Plain data only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from elearn.domain.deadlines import DUE_SOON_DAYS

# The last reminder before a deadline: enough days to fit an hour's course into a working week.
DUE_NEAR_DAYS = 3


class NoticeKind(StrEnum):
    COURSE_REMINDER = "course_reminder"  # newly required, deadline set, 14 and 3 days left
    OVERDUE = "overdue"  # a reminder that lists at least one overdue course
    TEAM_DIGEST = "team_digest"
    EVENT_REGISTERED = "event_registered"
    EVENT_WAITING = "event_waiting"
    EVENT_PROMOTED = "event_promoted"
    EVENT_NOMINATED = "event_nominated"
    EVENT_TOMORROW = "event_tomorrow"
    EVENT_ATTENDED = "event_attended"
    EVENT_SURVEY = "event_survey"
    MAGAZINE_ISSUE = "magazine_issue"
    INBOX_REPLY = "inbox_reply"
    IDEA_ADOPTED = "idea_adopted"
    CERTIFICATE_ISSUED = "certificate_issued"
    ANNOUNCEMENT = "announcement"
    WORKSHOP_SUBMITTED = "workshop_submitted"  # to the learner's reviewers
    WORKSHOP_REVIEWED = "workshop_reviewed"  # to the learner: accepted or returned
    IMPORT_FINISHED = "import_finished"  # to the administrator who started a background import


class Topic(StrEnum):
    """What a person chooses a channel for: kinds grouped as staff think of them."""

    COURSES = "courses"
    OVERDUE = "overdue"
    EVENTS = "events"
    CERTIFICATES = "certificates"
    INBOX = "inbox"
    ANNOUNCEMENTS = "announcements"
    MAGAZINE = "magazine"
    DIGEST = "digest"
    IMPORTS = "imports"  # administrators' own background imports


TOPIC_OF: Mapping[NoticeKind, Topic] = {
    NoticeKind.COURSE_REMINDER: Topic.COURSES,
    NoticeKind.OVERDUE: Topic.OVERDUE,
    NoticeKind.TEAM_DIGEST: Topic.DIGEST,
    NoticeKind.EVENT_REGISTERED: Topic.EVENTS,
    NoticeKind.EVENT_WAITING: Topic.EVENTS,
    NoticeKind.EVENT_PROMOTED: Topic.EVENTS,
    NoticeKind.EVENT_NOMINATED: Topic.EVENTS,
    NoticeKind.EVENT_TOMORROW: Topic.EVENTS,
    NoticeKind.EVENT_ATTENDED: Topic.EVENTS,
    NoticeKind.EVENT_SURVEY: Topic.EVENTS,
    NoticeKind.MAGAZINE_ISSUE: Topic.MAGAZINE,
    NoticeKind.INBOX_REPLY: Topic.INBOX,
    NoticeKind.IDEA_ADOPTED: Topic.INBOX,
    NoticeKind.CERTIFICATE_ISSUED: Topic.CERTIFICATES,
    NoticeKind.ANNOUNCEMENT: Topic.ANNOUNCEMENTS,
    NoticeKind.WORKSHOP_SUBMITTED: Topic.DIGEST,
    NoticeKind.WORKSHOP_REVIEWED: Topic.COURSES,
    NoticeKind.IMPORT_FINISHED: Topic.IMPORTS,
}


class Channel(StrEnum):
    MAIL = "mail"  # by mail and in the app
    APP = "app"  # in the app only
    OFF = "off"  # not at all (only where the topic allows it)


# The magazine is opt-in; everything else reaches people by mail unless they choose otherwise.
DEFAULT_CHANNEL: Mapping[Topic, Channel] = {topic: Channel.MAIL for topic in Topic} | {Topic.MAGAZINE: Channel.OFF}
# Overdue reminders for mandatory courses always go by mail: the programme's completion rate depends on them.
LOCKED_TOPICS = frozenset({Topic.OVERDUE})


def channels_allowed(topic: Topic) -> tuple[Channel, ...]:
    if topic in LOCKED_TOPICS:
        return (Channel.MAIL,)
    if topic is Topic.MAGAZINE:
        return (Channel.MAIL, Channel.APP, Channel.OFF)
    return (Channel.MAIL, Channel.APP)


def channel_for(kind: NoticeKind, chosen: Mapping[Topic, Channel]) -> Channel:
    """The channel a notice of `kind` takes for a person with these choices."""
    return topic_channel(TOPIC_OF[kind], chosen)


def topic_channel(topic: Topic, chosen: Mapping[Topic, Channel]) -> Channel:
    """A choice the topic does not allow (stored before a rule changed) falls back to the default."""
    choice = chosen.get(topic, DEFAULT_CHANNEL[topic])
    return choice if choice in channels_allowed(topic) else DEFAULT_CHANNEL[topic]


def by_mail(kind: NoticeKind, chosen: Mapping[Topic, Channel], has_address: bool) -> bool:
    return has_address and channel_for(kind, chosen) is Channel.MAIL


# --- the reminder scan -----------------------------------------------------------------------------------------


class ReminderStep(StrEnum):
    """Steps of one required course in one fiscal year, in the order they come."""

    REQUIRED = "required"  # newly required, or its deadline set or moved
    DUE_14 = "due_14"
    DUE_3 = "due_3"
    OVERDUE = "overdue"


DEADLINE_STEPS = (ReminderStep.DUE_14, ReminderStep.DUE_3, ReminderStep.OVERDUE)


def deadline_step(due_on: date | None, today: date) -> ReminderStep | None:
    """The deadline step a course is at today, or None (no deadline, or further than 14 days away)."""
    if due_on is None:
        return None
    days_left = (due_on - today).days
    if days_left < 0:
        return ReminderStep.OVERDUE
    if days_left <= DUE_NEAR_DAYS:
        return ReminderStep.DUE_3
    if days_left <= DUE_SOON_DAYS:
        return ReminderStep.DUE_14
    return None


@dataclass(frozen=True)
class ReminderItem:
    course_id: int
    step: ReminderStep  # the step this reminder stands for
    due_on: date | None
    newly_required: bool  # the first word of this course this year (or of its new deadline)


NOT_SENT = object()


def reminder_for(course_id: int, due_on: date | None, today: date,
                 sent: Mapping[ReminderStep, date | None]) -> tuple[ReminderItem | None, list[ReminderStep]]:
    """What one required, uncompleted course calls for today, given the steps already sent this fiscal year
    (step -> the deadline it was sent for). Returns the item to tell (or None) and the steps to record.

    A person hears of a course once when it becomes required, once more if its deadline is set or moved,
    and once at each deadline step; a step passed over (the scan did not run, or the course became
    required late) is not sent after a later one, and a moved deadline starts the steps again."""
    current = deadline_step(due_on, today)
    required_sent = sent.get(ReminderStep.REQUIRED, NOT_SENT)
    newly = required_sent is NOT_SENT or (due_on is not None and required_sent != due_on)
    steps_done_for_deadline = [step for step in DEADLINE_STEPS if step in sent and sent[step] == due_on]
    if current is not None and not any(DEADLINE_STEPS.index(step) >= DEADLINE_STEPS.index(current)
                                       for step in steps_done_for_deadline):
        # The newly-required word carries the deadline step too: one message, not two.
        return (ReminderItem(course_id, current, due_on, newly),
                [ReminderStep.REQUIRED, current] if newly else [current])
    if newly:
        return ReminderItem(course_id, ReminderStep.REQUIRED, due_on, True), [ReminderStep.REQUIRED]
    return None, []


def reminder_kind(items: list[ReminderItem]) -> NoticeKind:
    return (NoticeKind.OVERDUE if any(item.step is ReminderStep.OVERDUE for item in items)
            else NoticeKind.COURSE_REMINDER)


# --- manager digest ---------------------------------------------------------------------------------------------

DEFAULT_DIGEST_WEEKDAY = 0  # Monday: the week's plan is made then


def digest_week(today: date) -> str:
    """The ISO week a digest belongs to: one digest per manager and week, whatever day they chose."""
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


# --- mail retries -----------------------------------------------------------------------------------------------

MAIL_MAX_ATTEMPTS = 8
MAIL_FIRST_RETRY = timedelta(minutes=1)
# A message claimed by a sender that has not marked it for this long is taken to have lost its sender (killed
# between claiming and marking) and is sent again with the same Message-ID.
MAIL_CLAIM_LEASE = timedelta(minutes=5)


def mail_retry_at(attempts: int, now: datetime) -> datetime | None:
    """When a message that failed `attempts` times is tried again: 1, 2, 4 ... minutes (about four hours
    in all), then never (None: failed for good)."""
    if attempts >= MAIL_MAX_ATTEMPTS:
        return None
    return now + MAIL_FIRST_RETRY * (2 ** (attempts - 1))
