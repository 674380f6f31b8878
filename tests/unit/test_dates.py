"""How dates and fiscal years are written for people, per UI language (elearn/dates.py)."""

from datetime import UTC, date, datetime

import pytest

from elearn.dates import (
    date_text,
    datetime_text,
    file_date,
    fiscal_year_text,
    month_text,
    spreadsheet_date_format,
    time_text,
)


def test_japanese_dates_are_in_the_reiwa_era_as_the_fiscal_year_is():
    assert date_text(date(2026, 12, 4), "ja") == "令和8年12月4日"
    assert fiscal_year_text(2026, "ja") == "令和8年度"
    assert fiscal_year_text(2019, "ja") == "令和元年度"


def test_english_dates_are_medium_day_month_year_and_fiscal_years_carry_the_reiwa_code():
    assert date_text(date(2026, 12, 4), "en") == "4 Dec 2026"
    assert fiscal_year_text(2026, "en") == "FY2026 (R8)"
    assert fiscal_year_text(2026, "en_GB") == "FY2026 (R8)"


def test_a_moment_is_read_on_the_tokyo_calendar():
    late_evening_utc = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)  # 1 April 00:30 in Japan
    assert date_text(late_evening_utc, "ja") == "令和8年4月1日"
    assert datetime_text(late_evening_utc, "en") == "1 Apr 2026 00:30"
    assert time_text(late_evening_utc) == "00:30"


def test_months_before_the_reiwa_era_are_gregorian_and_the_first_reiwa_month_is_gannen():
    assert month_text(date(2026, 10, 12), "ja") == "令和8年10月"
    assert month_text(date(2019, 5, 31), "ja") == "令和元年5月"
    assert month_text(date(2019, 4, 1), "ja") == "2019年4月"
    assert month_text(date(2026, 10, 12), "en") == "Oct 2026"


def test_nothing_to_show_is_empty_rather_than_none():
    assert date_text(None, "ja") == "" and datetime_text(None, "en") == "" and time_text(None) == ""


def test_outside_a_request_the_style_is_japanese():
    assert date_text(date(2026, 12, 4)) == "令和8年12月4日" and fiscal_year_text(2026) == "令和8年度"


@pytest.mark.parametrize(("locale", "number_format"), [("ja", '[$-411]ggge"年"m"月"d"日"'), ("en", "d mmm yyyy")])
def test_spreadsheets_show_date_cells_in_the_same_style(locale, number_format):
    assert spreadsheet_date_format(locale) == number_format


def test_file_names_carry_the_iso_basic_date_in_every_language():
    assert file_date(date(2026, 12, 4)) == "20261204"


def test_a_table_cell_writes_a_day_of_the_year_in_view_short_and_another_years_in_full():
    from elearn.dates import short_date_text

    assert short_date_text(date(2026, 5, 20), 2026, "ja") == "5/20"
    assert short_date_text(date(2027, 3, 31), 2026, "ja") == "3/31"  # still FY2026
    assert short_date_text(date(2022, 11, 21), 2026, "ja") == "R4.11.21"
    assert short_date_text(date(2019, 4, 1), 2026, "ja") == "2019.4.1"  # before Reiwa
    assert short_date_text(date(2026, 5, 20), 2026, "en") == "20 May"
    assert short_date_text(date(2022, 11, 21), 2026, "en") == "21 Nov 2022"
