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
