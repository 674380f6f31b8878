"""Read an uploaded CSV or XLSX file into rows of trimmed strings keyed by header.

No Flask or SQLAlchemy here: the planners and their tests use this without an app.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath

import openpyxl

from elearn.imports.messages import N_

# Excel saves "CSV UTF-8" with a BOM and plain "CSV" in CP932; utf-8-sig also reads BOM-less UTF-8.
# CP932, never shift_jis: Shift_JIS lacks 髙, 﨑, ① and the other NEC/IBM extensions Excel writes.
CSV_ENCODINGS = ("utf-8-sig", "cp932")


class ImportFileError(Exception):
    """The file as a whole cannot be read; text is a message id (see RowError), params its values."""

    def __init__(self, text: str, **params: object) -> None:
        super().__init__(text % params)
        self.text = text
        self.params = params


@dataclass(frozen=True)
class TableRow:
    line: int  # the physical CSV line (header = 1) or the sheet row number, as the admin sees it
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[TableRow]


_UNREADABLE_XLSX = N_("The Excel file cannot be read: save it again in .xlsx format.")
# One file may list every member of staff of the largest prefecture with its municipalities (about 300,000).
MAX_LINES = 400_000
MAX_COLUMNS = 64


def read_table(data: bytes, filename: str) -> Table:
    """Decode a CSV (UTF-8, UTF-8 with BOM or CP932) or the first sheet of an XLSX file."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        return _table_from_cells(_csv_cells(data))
    if suffix == ".xlsx":
        return _table_from_cells(_xlsx_cells(data))
    if suffix == ".xls":
        raise ImportFileError(N_("The old Excel format (.xls) cannot be read: save the file as .xlsx or CSV."))
    raise ImportFileError(N_("Choose a CSV file or an Excel file (.xlsx)."))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text"; cp932 would otherwise "decode" it into private-use characters.
        raise ImportFileError(N_("UTF-16 cannot be read: save the file as CSV (UTF-8 or Shift_JIS)."))
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)  # strict: a wrong guess must fail, not produce mojibake
        except UnicodeDecodeError:
            continue
    raise ImportFileError(N_("The character encoding is not recognised: save the file in UTF-8 or Shift_JIS (CP932)."))


def _csv_cells(data: bytes) -> Iterable[tuple[int, Sequence[object]]]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    while True:
        # line_num counts physical lines read so far and a quoted field may span several lines,
        # so a record starts on the line after the one where the previous record ended.
        start_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(N_("Line %(line)d of the CSV cannot be read (%(reason)s)."),
                                  line=start_line, reason=str(error)) from error
        yield start_line, cells


def _xlsx_cells(data: bytes) -> Iterable[tuple[int, Sequence[object]]]:
    try:
        # openpyxl warns about harmless oddities of files from other tools (no default style ...).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # any failure to parse an uploaded file means the same to the admin
        raise ImportFileError(_UNREADABLE_XLSX) from error
    try:
        if not workbook.worksheets:
            return
        # min_row=1 so empty rows are still counted and row numbers match what Excel shows.
        rows = workbook.worksheets[0].iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        # Read-only mode parses the sheet lazily, so a damaged sheet fails here, not in load_workbook.
        yield from enumerate(rows, start=1)
    except Exception as error:
        raise ImportFileError(_UNREADABLE_XLSX) from error
    finally:
        workbook.close()


def _table_from_cells(numbered_rows: Iterable[tuple[int, Sequence[object]]]) -> Table:
    headers: list[str] | None = None
    rows: list[TableRow] = []
    for line, cells in numbered_rows:
        if line > MAX_LINES:
            # A bound on memory and time: a 20 MB .xlsx can unpack to millions of rows.
            raise ImportFileError(N_("The file has too many lines: at most %(limit)s per file."),
                                  limit=f"{MAX_LINES:,}")
        texts = [_cell_text(cell) for cell in cells[:MAX_COLUMNS]]
        if not any(texts):
            continue
        if headers is None:
            headers = _checked_headers(texts)
            continue
        # Short rows are padded; cells under an empty header (stray notes beside the table) are dropped.
        padded = texts + [""] * (len(headers) - len(texts))
        values = {header: text for header, text in zip(headers, padded, strict=False) if header}
        if any(values.values()):
            rows.append(TableRow(line=line, values=values))
    if headers is None:
        raise ImportFileError(N_("The file is empty."))
    return Table(headers=[header for header in headers if header], rows=rows)


def _checked_headers(texts: list[str]) -> list[str]:
    seen: set[str] = set()
    for header in texts:
        if header and header in seen:
            raise ImportFileError(N_("The column name “%(name)s” appears twice."), name=header)
        seen.add(header)
    return texts


def _cell_text(value: object) -> str:
    """Cell values as the admin typed them, trimmed (str.strip also removes the ideographic space)."""
    if type(value) is str:  # every cell of a CSV file, most of a workbook's: checked first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores every number as a float: 123 not 123.0
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()
