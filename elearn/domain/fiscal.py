"""Japanese fiscal years (April to March) and Reiwa-era labels."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

REIWA_FIRST_YEAR = 2019  # 令和元年 began on 2019-05-01
REIWA_START = date(2019, 5, 1)


def fiscal_year(day: date) -> int:
    """The fiscal year a day falls in, named by the calendar year of its April."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of fiscal year `year`."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def reiwa_year(year: int) -> int:
    if year < REIWA_FIRST_YEAR:
        raise ValueError(f"{year} is before the Reiwa era")
    return year - REIWA_FIRST_YEAR + 1


def fiscal_year_label(year: int) -> str:
    """Short label used in KPI tables: R7 for FY2025."""
    return f"R{reiwa_year(year)}"


def fiscal_year_label_ja(year: int) -> str:
    """令和7年度 for FY2025 (令和元年度 for FY2019)."""
    number = reiwa_year(year)
    return f"令和{'元' if number == 1 else number}年度"


def format_date_ja(day: date) -> str:
    """令和7年4月1日; dates before the era start are written in the Gregorian calendar."""
    if day < REIWA_START:
        return f"{day.year}年{day.month}月{day.day}日"
    number = reiwa_year(day.year)
    return f"令和{'元' if number == 1 else number}年{day.month}月{day.day}日"


_FISCAL_YEAR = re.compile(r"(?:(?P<era>R|令和)(?P<number>元|-?[0-9]+)|(?P<year>-?[0-9]{1,4}))")


def parse_fiscal_year(text: str) -> int:
    """2025, R7, r7, Ｒ７ or 令和7 (年度) -> 2025. Only Reiwa years: R0, R-1 or 2018 are refused
    (ValueError saying why), since every label and serial is written in the Reiwa era."""
    # NFKC for a code typed with a Japanese input method (Ｒ７); never used on names.
    cleaned = unicodedata.normalize("NFKC", text).strip().upper().removesuffix("年度")
    match = _FISCAL_YEAR.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"{text!r} is not a fiscal year")
    if match["era"]:
        number = 1 if match["number"] == "元" else int(match["number"])
        if number < 1:
            raise ValueError(f"{text!r} is not a fiscal year: Reiwa years start at R1 (2019)")
        return REIWA_FIRST_YEAR + number - 1
    year = int(match["year"])
    if year < REIWA_FIRST_YEAR:
        raise ValueError(f"{text!r} is not a fiscal year: years start at 2019 (R1)")
    return year


# Era offsets: the Gregorian year of an era's year 1. Past training records go back before Reiwa.
_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
_WRITTEN_DATE = re.compile(
    r"(?:(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"
    r"|(?P<year_ja>\d{4})年(?P<month_ja>\d{1,2})月(?P<day_ja>\d{1,2})日"
    r"|(?P<era>令和|平成|R|H)(?P<era_year>元|\d{1,2})(?:年(?P<era_month>\d{1,2})月(?P<era_day>\d{1,2})日"
    r"|[-/.](?P<era_month_s>\d{1,2})[-/.](?P<era_day_s>\d{1,2})))"
)


def parse_date(text: str) -> date:
    """A date as offices write it: 2022-06-15, 2022/6/15, 2022年6月15日, 令和4年6月15日, R4.6.15 (平成 and H
    too; 元年 for year 1; full-width digits). ValueError for anything else, or a day that does not exist."""
    cleaned = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "")
    match = _WRITTEN_DATE.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"{text!r} is not a date")
    if match["era"]:
        number = 1 if match["era_year"] == "元" else int(match["era_year"])
        year = _ERAS[match["era"]] + number
        month, day = match["era_month"] or match["era_month_s"], match["era_day"] or match["era_day_s"]
    else:
        year = int(match["year"] or match["year_ja"])
        month, day = match["month"] or match["month_ja"], match["day"] or match["day_ja"]
    return date(year, int(month), int(day))  # ValueError for 2月30日
