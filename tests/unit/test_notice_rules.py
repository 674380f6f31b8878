"""The notice rules without Flask: reminder steps, channels, mail back-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from elearn.domain.notices import (
    MAIL_MAX_ATTEMPTS,
    Channel,
    NoticeKind,
    ReminderStep,
    Topic,
    by_mail,
    channel_for,
    channels_allowed,
    deadline_step,
    digest_week,
    mail_retry_at,
    reminder_for,
    reminder_kind,
)

DUE = date(2026, 12, 18)


def walk(days: list[int], due_on: date | None = DUE) -> list[tuple[int, ReminderStep | None, bool]]:
    """Run the rule day after day as the scan would, recording what it sent: (days left, step, newly)."""
    sent: dict[ReminderStep, date | None] = {}
    told = []
    for days_left in days:
        today = DUE - timedelta(days=days_left)
        item, steps = reminder_for(1, due_on, today, sent)
        for step in steps:
            sent[step] = due_on
        told.append((days_left, item.step if item else None, item.newly_required if item else False))
    return told


def test_each_step_is_told_once_and_in_order():
    told = walk([30, 20, 14, 13, 4, 3, 2, 0, -1, -2, -30])
    assert [(days, step) for days, step, _newly in told if step] == [
        (30, ReminderStep.REQUIRED), (14, ReminderStep.DUE_14), (3, ReminderStep.DUE_3), (-1, ReminderStep.OVERDUE)]
    assert told[0][2] is True and not any(newly for _days, _step, newly in told[1:])


def test_a_missed_step_is_not_sent_after_a_later_one():
    """The scan did not run in the 14-day window: the 3-day step comes, the 14-day one never does."""
    told = walk([30, 3, 2, -5])
    assert [step for _days, step, _newly in told] == [ReminderStep.REQUIRED, ReminderStep.DUE_3, None,
                                                     ReminderStep.OVERDUE]


def test_required_late_tells_the_current_step_in_the_same_message():
    """Required for the first time when already overdue: one item, overdue and newly required."""
    item, steps = reminder_for(1, DUE, DUE + timedelta(days=2), {})
    assert item.step is ReminderStep.OVERDUE and item.newly_required
    assert steps == [ReminderStep.REQUIRED, ReminderStep.OVERDUE]


def test_a_deadline_set_later_or_moved_is_told_and_restarts_the_steps():
    sent: dict[ReminderStep, date | None] = {ReminderStep.REQUIRED: None}
    assert reminder_for(1, None, DUE, sent) == (None, [])
    item, steps = reminder_for(1, DUE, DUE - timedelta(days=40), sent)
    assert item.step is ReminderStep.REQUIRED and item.newly_required and steps == [ReminderStep.REQUIRED]
    moved = DUE + timedelta(days=30)
    sent = {ReminderStep.REQUIRED: DUE, ReminderStep.DUE_14: DUE, ReminderStep.DUE_3: DUE, ReminderStep.OVERDUE: DUE}
    item, steps = reminder_for(1, moved, moved - timedelta(days=10), sent)
    assert item.step is ReminderStep.DUE_14 and item.newly_required
    assert steps == [ReminderStep.REQUIRED, ReminderStep.DUE_14]


def test_a_cleared_deadline_says_nothing_more():
    assert reminder_for(1, None, DUE, {ReminderStep.REQUIRED: DUE, ReminderStep.DUE_14: DUE}) == (None, [])


def test_deadline_steps_count_the_deadline_day_as_in_time():
    assert deadline_step(DUE, DUE) is ReminderStep.DUE_3
    assert deadline_step(DUE, DUE + timedelta(days=1)) is ReminderStep.OVERDUE
    assert deadline_step(DUE, DUE - timedelta(days=15)) is None
    assert deadline_step(None, DUE) is None


def test_a_message_with_an_overdue_course_is_an_overdue_reminder():
    items = [reminder_for(course, DUE, DUE + timedelta(days=1), {})[0] for course in (1, 2)]
    items.append(reminder_for(3, None, DUE, {})[0])
    assert reminder_kind(items) is NoticeKind.OVERDUE
    assert reminder_kind(items[2:]) is NoticeKind.COURSE_REMINDER


def test_channels_default_to_mail_the_magazine_is_opt_in_and_overdue_is_locked():
    assert channel_for(NoticeKind.EVENT_PROMOTED, {}) is Channel.MAIL
    assert channel_for(NoticeKind.MAGAZINE_ISSUE, {}) is Channel.OFF
    assert channel_for(NoticeKind.COURSE_REMINDER, {Topic.COURSES: Channel.APP}) is Channel.APP
    # A choice the topic does not allow counts as the default.
    assert channel_for(NoticeKind.OVERDUE, {Topic.OVERDUE: Channel.APP}) is Channel.MAIL
    assert channel_for(NoticeKind.EVENT_PROMOTED, {Topic.EVENTS: Channel.OFF}) is Channel.MAIL
    assert channels_allowed(Topic.OVERDUE) == (Channel.MAIL,)
    assert not by_mail(NoticeKind.OVERDUE, {}, has_address=False)


def test_mail_retries_back_off_and_end():
    now = datetime(2026, 12, 4, tzinfo=UTC)
    delays = [mail_retry_at(attempt, now) - now for attempt in range(1, MAIL_MAX_ATTEMPTS)]
    assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert all(later > earlier for earlier, later in zip(delays, delays[1:], strict=False))
    assert mail_retry_at(MAIL_MAX_ATTEMPTS, now) is None


def test_a_digest_belongs_to_its_iso_week():
    assert digest_week(date(2026, 12, 7)) == digest_week(date(2026, 12, 11)) == "2026-W50"
    assert digest_week(date(2026, 12, 14)) == "2026-W51"
