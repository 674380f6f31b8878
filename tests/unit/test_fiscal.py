from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn.domain.fiscal import (
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_label_ja,
    format_date_ja,
    parse_date,
    parse_fiscal_year,
)


def test_april_first_starts_a_new_fiscal_year():
    assert fiscal_year(date(2025, 4, 1)) == 2025
    assert fiscal_year(date(2025, 3, 31)) == 2024


def test_fy2025_is_reiwa_7():
    assert fiscal_year_label(2025) == "R7"
    assert fiscal_year_label_ja(2025) == "令和7年度"
    assert fiscal_year_label_ja(2019) == "令和元年度"


def test_akita_kpi_years_r4_to_r7_are_fy2022_to_fy2025():
    assert [fiscal_year_label(year) for year in range(2022, 2026)] == ["R4", "R5", "R6", "R7"]


def test_dates_are_written_in_the_reiwa_era():
    assert format_date_ja(date(2025, 4, 1)) == "令和7年4月1日"
    assert format_date_ja(date(2019, 5, 1)) == "令和元年5月1日"
    assert format_date_ja(date(2019, 4, 30)) == "2019年4月30日"


def test_years_before_reiwa_have_no_reiwa_label():
    with pytest.raises(ValueError):
        fiscal_year_label(2018)


@given(st.dates(min_value=date(2019, 5, 1), max_value=date(2100, 12, 31)))
def test_every_day_lies_within_the_bounds_of_its_fiscal_year(day):
    first, last = fiscal_year_bounds(fiscal_year(day))
    assert first <= day <= last
    assert first.month == 4 and first.day == 1


def test_a_fiscal_year_is_read_as_a_western_year_or_a_reiwa_year():
    typed = ("2025", "R7", "r7", "Ｒ７", " 令和7年度 ", "2019", "R1", "令和元年度")
    assert [parse_fiscal_year(text) for text in typed] == [2025] * 5 + [2019] * 3


@pytest.mark.parametrize("typed", ["R0", "R-1", "r-12", "令和0年度", "令和-1", "2018", "0", "-1"])
def test_a_year_before_reiwa_1_is_refused_saying_where_the_years_start(typed):
    with pytest.raises(ValueError, match="start at"):
        parse_fiscal_year(typed)


@pytest.mark.parametrize("typed", ["", "R", "soon", "R7.5", "20255", "R 7x", "令和"])
def test_what_is_not_a_fiscal_year_is_refused(typed):
    with pytest.raises(ValueError, match="not a fiscal year"):
        parse_fiscal_year(typed)


@pytest.mark.parametrize(("text", "expected"), [
    ("2022-06-15", date(2022, 6, 15)),
    ("2022/6/15", date(2022, 6, 15)),
    ("2022.6.5", date(2022, 6, 5)),
    ("2022年6月15日", date(2022, 6, 15)),
    ("令和4年6月15日", date(2022, 6, 15)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("R4.6.15", date(2022, 6, 15)),
    ("r4/6/15", date(2022, 6, 15)),
    ("平成31年4月1日", date(2019, 4, 1)),
    ("H30.3.31", date(2018, 3, 31)),
    ("２０２２／６／１５", date(2022, 6, 15)),  # typed with a Japanese input method
    (" 令和 4年 6月 15日 ", date(2022, 6, 15)),
])
def test_dates_are_read_as_offices_write_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "2022-02-30", "令和4年13月1日", "15/6/2022", "2022-6", "昭和60年1月1日",
                                  "R4", "yesterday", "2022-06-15T10:00"])
def test_anything_else_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_date(text)
