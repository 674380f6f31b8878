"""How dates and fiscal years are written for people, one style per UI language:

    ja  令和8年12月4日   令和8年12月4日 08:30   令和8年12月   令和8年度
    en  4 Dec 2026       4 Dec 2026 08:30       Dec 2026      FY2026 (R8)

Every page, flash message, export and PDF that shows a date to a person formats it here (the Jinja
filters `date`, `datetime`, `month`, `fiscal_year` are these functions). Japanese dates are in the
Reiwa era because the fiscal year, the unit every report and deadline is read in, is always 令和N年度:
one era on a screen, no converting between 2026 and 令和8 while checking a deadline against its year.
The certificate prints both calendars; that is its own layout (services/certificates/pdf.py).

Files meant for machines (JSON, query arguments, form values, file names, the audit log, CLI lines
meant to be parsed) keep ISO 8601 and do not come here.

Every function takes the locale; without one it is the request's (Flask-Babel), and Japanese outside a
request, so exports and commands format the same way as pages.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import get_locale

from elearn.clock import TOKYO
from elearn.domain import fiscal

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Dates stay dates in a workbook (sortable, filterable); this is how Excel shows them. [$-411]ggge is the
# format Japanese Excel itself writes for its 和暦 date style.
_SPREADSHEET_DATE = {"ja": '[$-411]ggge"年"m"月"d"日"', "en": "d mmm yyyy"}


def _language(locale: str | None) -> str:
    if locale is None:
        current = get_locale()
        locale = str(current) if current is not None else "ja"
    return "en" if locale.startswith("en") else "ja"


def _day(value: date | datetime) -> date:
    return value.astimezone(TOKYO).date() if isinstance(value, datetime) else value


def date_text(value: date | datetime | None, locale: str | None = None) -> str:
    """令和8年12月4日 / 4 Dec 2026; a moment is read on the Tokyo calendar; None is empty."""
    if value is None:
        return ""
    day = _day(value)
    if _language(locale) == "ja":
        return fiscal.format_date_ja(day)
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def datetime_text(value: datetime | None, locale: str | None = None) -> str:
    """令和8年12月4日 08:30 / 4 Dec 2026 08:30, Tokyo time."""
    if value is None:
        return ""
    moment = value.astimezone(TOKYO)
    return f"{date_text(moment, locale)} {moment:%H:%M}"


def time_text(value: datetime | None) -> str:
    """08:30, Tokyo time (the same in every language)."""
    return f"{value.astimezone(TOKYO):%H:%M}" if value else ""


def month_text(value: date | datetime, locale: str | None = None) -> str:
    """令和8年12月 / Dec 2026."""
    day = _day(value)
    if _language(locale) == "en":
        return f"{MONTHS_EN[day.month - 1]} {day.year}"
    return fiscal.format_date_ja(day.replace(day=1)).removesuffix("1日")


def short_date_text(value: date | datetime, fiscal_year: int, locale: str | None = None) -> str:
    """For a narrow table cell: a day of `fiscal_year` as 5/20 / 20 May; another year's day in full but
    short, R4.11.21 / 21 Nov 2022 (a course renewed every few years)."""
    day = _day(value)
    within = fiscal.fiscal_year(day) == fiscal_year
    if _language(locale) == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]}" + ("" if within else f" {day.year}")
    if within:
        return f"{day.month}/{day.day}"
    if day < fiscal.REIWA_START:
        return f"{day.year}.{day.month}.{day.day}"
    return f"R{fiscal.reiwa_year(day.year)}.{day.month}.{day.day}"


def fiscal_year_text(year: int, locale: str | None = None) -> str:
    """令和8年度 / FY2026 (R8)."""
    if _language(locale) == "ja":
        return fiscal.fiscal_year_label_ja(year)
    return f"FY{year} ({fiscal.fiscal_year_label(year)})"


def spreadsheet_date_format(locale: str | None = None) -> str:
    """The XLSX number format that shows a date cell as date_text writes it."""
    return _SPREADSHEET_DATE[_language(locale)]


def file_date(day: date) -> str:
    """20261204: the date in a download's file name (ISO 8601 basic; sorts, and is the same in every language)."""
    return f"{day:%Y%m%d}"
