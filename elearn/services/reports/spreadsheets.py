"""CSV and XLSX files that Excel opens as intended: UTF-8 with a BOM, real dates, and text that
cannot turn into a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from elearn.dates import date_text, spreadsheet_date_format

# A spreadsheet may read a cell starting with one of these as a formula (or, with tab and CR, shift
# it); Japanese input methods turn the full-width forms into the ASCII ones.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")

Cell = str | int | Decimal | date | None


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """Prefix a formula-like text with an apostrophe, as Excel does for text typed that way."""
    return "'" + text if is_formula_like(text) else text


def _csv_value(value: Cell) -> str | int | Decimal:
    if value is None:
        return ""
    if isinstance(value, date):
        return date_text(value)  # as the page writes it; Japanese Excel reads 令和8年4月1日 as a date
    if isinstance(value, str):
        return neutralise(value)
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a BOM and CRLF line ends, so Excel opens Japanese text without asking."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(title) for title in header])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    widths: Sequence[int] = ()  # characters; a full-width character counts as two
    freeze: str = "A2"  # the top-left cell that scrolls: the header row stays, and any columns left of it


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A header row in bold, column widths, the header frozen, dates as dates shown in the UI's style.
    Text is always stored as text: formula-like text gets Excel's quote prefix, not a formula."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title[:31])
        worksheet.append(list(sheet.header))
        for cell in worksheet[1]:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
        # The row number is counted here: worksheet.max_row scans every cell, which made a sheet of
        # 2,000 rows take seconds.
        for row_number, row in enumerate(sheet.rows, start=2):
            for column, value in enumerate(row, start=1):
                _write(worksheet.cell(row=row_number, column=column), value)
        for column, width in enumerate(sheet.widths or _widths(sheet), start=1):
            worksheet.column_dimensions[get_column_letter(column)].width = width
        worksheet.freeze_panes = sheet.freeze
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write(cell, value: Cell) -> None:  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        # XML cannot hold most control characters (NUL among them): they are dropped, not fatal.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        if is_formula_like(value):
            cell.quotePrefix = True
        return
    cell.value = value
    if isinstance(value, date):
        cell.number_format = spreadsheet_date_format()


def _display_width(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 16
    text = str(value)
    return sum(2 if ord(character) > 0x2E7F else 1 for character in text)


def _widths(sheet: Sheet) -> list[int]:
    columns = len(sheet.header)
    widest = [_display_width(title) for title in sheet.header]
    for row in sheet.rows[:500]:  # enough to judge; long lists need no more
        for column in range(min(columns, len(row))):
            widest[column] = max(widest[column], _display_width(row[column]))
    return [min(max(width + 2, 8), 60) for width in widest]
