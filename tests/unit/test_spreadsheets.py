"""CSV and XLSX cells that a spreadsheet could run as formulas stay text."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from elearn.services.reports.spreadsheets import Sheet, csv_bytes, neutralise, xlsx_bytes

TRIGGERS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\0x", "＝1+1"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_formula_like_text_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["髙﨑 花子", "1+1", "a=b", "", "'quoted"])
def test_other_text_is_left_alone(text):
    assert neutralise(text) == text


def test_csv_has_a_bom_crlf_and_neutralised_cells_and_dates():
    data = csv_bytes(["氏名", "日付"], [[text, date(2026, 4, 1)] for text in TRIGGERS])
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == ["'" + text for text in TRIGGERS]
    assert rows[1][1] == "令和8年4月1日"  # as the page writes it (elearn.dates); Japanese outside a request


def test_xlsx_keeps_every_trigger_as_text_and_drops_characters_xml_cannot_hold():
    data = xlsx_bytes([Sheet("一覧", ["氏名"], [[text] for text in TRIGGERS])])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [sheet.cell(row=r, column=1) for r in range(2, len(TRIGGERS) + 2)]
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    # XML reads a lone CR back as a line feed.
    assert [cell.value for cell in cells] == [text.replace("\0", "").replace("\r", "\n") for text in TRIGGERS]
