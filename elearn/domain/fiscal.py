"""Japanese fiscal years (April to March) and Reiwa-era labels."""

from __future__ import annotations

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


def parse_fiscal_year(text: str) -> int:
    """2025, R7, r7 or 令和7 (年度) -> 2025."""
    cleaned = text.strip().upper().removesuffix("年度")
    for prefix in ("R", "令和"):
        if cleaned.startswith(prefix):
            number = cleaned[len(prefix):]
            return REIWA_FIRST_YEAR + (1 if number == "元" else int(number)) - 1
    return int(cleaned)
