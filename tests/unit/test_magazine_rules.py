"""Magazine scheduling and visibility, reading time and issue numbers, without Flask."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from elearn.domain import magazine
from elearn.domain.magazine import (
    IssueStatus,
    StoredStatus,
    is_visible_to_readers,
    next_issue_number,
    next_wednesday,
    publication_moment,
    reading_minutes,
    status,
    wednesdays,
)


def japan(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A Japan time, as the aware UTC datetime the database stores."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC) - timedelta(hours=9)


def test_publication_is_0830_in_japan_stored_in_utc():
    assert publication_moment(date(2026, 11, 25)) == datetime(2026, 11, 24, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(("now", "expected"), [
    (japan(2026, 11, 23, 10), date(2026, 11, 25)),  # Monday: this week's Wednesday
    (japan(2026, 11, 25, 8, 29, 59), date(2026, 11, 25)),  # Wednesday, a second before: today
    (japan(2026, 11, 25, 8, 30), date(2026, 12, 2)),  # Wednesday at 08:30: next week
    (japan(2026, 11, 24, 23, 59), date(2026, 11, 25)),  # Tuesday night in Japan, Tuesday afternoon in UTC
    (japan(2026, 12, 30, 9), date(2027, 1, 6)),  # across the year end
])
def test_the_default_publication_time_is_the_next_wednesday_morning(now, expected):
    assert next_wednesday(now) == publication_moment(expected)


def test_a_scheduled_issue_becomes_visible_at_its_second_without_a_job():
    at = publication_moment(date(2026, 11, 25))
    before, exactly, after = at - timedelta(seconds=1), at, at + timedelta(seconds=1)
    assert status(StoredStatus.APPROVED, at, before) is IssueStatus.SCHEDULED
    assert not is_visible_to_readers(StoredStatus.APPROVED, at, before)
    assert is_visible_to_readers(StoredStatus.APPROVED, at, exactly)
    assert is_visible_to_readers(StoredStatus.APPROVED, at, after)


def test_drafts_and_withdrawn_issues_are_never_visible():
    past = japan(2026, 1, 7, 8, 30)
    now = japan(2026, 11, 23, 12)
    assert status(StoredStatus.DRAFT, past, now) is IssueStatus.DRAFT
    assert status(StoredStatus.APPROVED, None, now) is IssueStatus.DRAFT
    assert status(StoredStatus.WITHDRAWN, past, now) is IssueStatus.WITHDRAWN
    assert not any(is_visible_to_readers(s, past, now) for s in (StoredStatus.DRAFT, StoredStatus.WITHDRAWN))


def test_calendar_slots_are_wednesdays():
    slots = wednesdays(date(2026, 11, 23), 3)
    assert slots == [date(2026, 11, 25), date(2026, 12, 2), date(2026, 12, 9)]
    assert wednesdays(date(2026, 11, 25), 1) == [date(2026, 11, 25)]


def test_reading_time_comes_from_the_transcripts_and_the_pages():
    assert reading_minutes([]) == 1
    assert reading_minutes(["短い"]) == 1
    # 4 pages of 300 characters: 1,200 characters at 500 a minute plus 15 seconds a page = 3.4 minutes.
    assert reading_minutes(["あ" * 300] * 4) == 3
    assert reading_minutes(["あ い\nう"]) == reading_minutes(["あいう"])  # spacing is not reading


def test_issue_numbers_are_never_reused():
    assert next_issue_number([]) == 1
    assert next_issue_number([1, 2, 5]) == 6  # 3 and 4 were withdrawn or deleted drafts: still not reused


def test_ruby_in_both_aozora_forms_becomes_pieces_and_plain_text_drops_the_readings():
    text = "これは｜電子申請《でんししんせい》と個人情報《こじんじょうほう》の話"
    assert magazine.ruby_pieces(text) == [
        magazine.TextPiece("これは"), magazine.TextPiece("電子申請", "でんししんせい"), magazine.TextPiece("と"),
        magazine.TextPiece("個人情報", "こじんじょうほう"), magazine.TextPiece("の話")]
    assert magazine.plain_text(text) == "これは電子申請と個人情報の話"
    assert magazine.plain_text("《だけ》と｜《》") == "《だけ》と｜《》"  # no base: left as typed


def test_pages_missing_text_names_each_page_lacking_a_transcript_or_a_description():
    pages = [magazine.PageText(1, "せりふ", "説明"), magazine.PageText(2, "  ", "説明"),
             magazine.PageText(3, "せりふ", ""), magazine.PageText(4, "せりふ", "説明")]
    assert magazine.pages_missing_text(pages) == [2, 3]
    assert magazine.pages_missing_text([]) == []


def test_inbox_months_are_counted_in_japan_time_with_empty_months_listed():
    items = [(magazine.InboxKind.IDEA, datetime(2026, 6, 30, 15, 0, tzinfo=UTC)),  # 1 July 00:00 in Japan
             (magazine.InboxKind.QUESTION, datetime(2026, 6, 30, 14, 59, 59, tzinfo=UTC)),  # still June
             (magazine.InboxKind.QUESTION, datetime(2026, 9, 1, 0, 0, tzinfo=UTC)),
             (magazine.InboxKind.QUESTION, datetime(2027, 1, 1, 0, 0, tzinfo=UTC))]  # after the range
    months = magazine.counts_by_month(items, date(2026, 6, 15), date(2026, 9, 30))
    assert [month.month for month in months] == [date(2026, m, 1) for m in (6, 7, 8, 9)]
    question, idea = magazine.InboxKind.QUESTION, magazine.InboxKind.IDEA
    assert [(month.counts[question], month.counts[idea]) for month in months] == [(1, 0), (0, 1), (0, 0), (1, 0)]
    assert [month.total for month in months] == [1, 1, 0, 1]


def test_prefecture_only_issues_are_for_prefecture_staff():
    assert magazine.audience_includes(magazine.Audience.SHARED, reader_is_prefecture_staff=False)
    assert not magazine.audience_includes(magazine.Audience.PREFECTURE, reader_is_prefecture_staff=False)
    assert magazine.audience_includes(magazine.Audience.PREFECTURE, reader_is_prefecture_staff=True)
