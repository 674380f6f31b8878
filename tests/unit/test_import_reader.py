"""Reading uploaded staff and organisation files: encodings, XLSX cells, line numbers, file errors."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from elearn.imports.reader import ImportFileError, read_table

# 髙 and 﨑 exist only in CP932 (IBM/NEC extensions), ① too; Shift_JIS proper cannot encode them.
NAME_WITH_CP932_EXTENSIONS = "髙橋 﨑子①"
CSV_TEXT = f"職員番号,氏名,所属コード\r\n１２３,{NAME_WITH_CP932_EXTENSIONS},D01\r\n"


def xlsx_bytes(rows: list[list[object]], tmp_path) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "staff.xlsx"
    workbook.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_csv_is_decoded_from_cp932_utf8_with_bom_and_plain_utf8(encoding: str) -> None:
    table = read_table(CSV_TEXT.encode(encoding), "staff.csv")

    assert table.headers == ["職員番号", "氏名", "所属コード"]
    expected = {"職員番号": "１２３", "氏名": NAME_WITH_CP932_EXTENSIONS, "所属コード": "D01"}
    assert table.rows[0].values == expected


def test_cp932_names_come_back_exactly_as_written() -> None:
    table = read_table(CSV_TEXT.encode("cp932"), "staff.csv")

    assert table.rows[0].values["氏名"] == "髙橋 﨑子①"  # no NFKC: ① stays ①


def test_a_file_that_is_neither_utf8_nor_cp932_is_refused() -> None:
    # 0x82 starts a CP932 double-byte character; 0xFF cannot follow it, and neither is UTF-8.
    with pytest.raises(ImportFileError, match="encoding"):
        read_table(b"code,name\nA,\x82\xff\n", "orgs.csv")


def test_a_utf16_file_is_refused_with_a_hint_rather_than_decoded_as_cp932() -> None:
    with pytest.raises(ImportFileError, match="UTF-16"):
        read_table("職員番号\t氏名\n".encode("utf-16"), "staff.csv")


def test_header_cells_and_values_are_trimmed_including_the_ideographic_space() -> None:
    table = read_table(" 職員番号\u3000, 氏名 \n 1 ,\u3000山田 太郎\u3000\n".encode(), "staff.csv")

    assert table.headers == ["職員番号", "氏名"]
    assert table.rows[0].values == {"職員番号": "1", "氏名": "山田 太郎"}


def test_line_numbers_are_physical_csv_lines_counting_the_header_as_one() -> None:
    text = 'code,name\n\nA,"two\nlines"\n,\nB,after\n'

    table = read_table(text.encode(), "orgs.csv")

    assert [(row.line, row.values["code"]) for row in table.rows] == [(3, "A"), (6, "B")]


def test_short_rows_are_padded_and_cells_without_a_header_are_dropped() -> None:
    table = read_table(b"a,,b\n1\n2,note,3,extra\n", "x.csv")

    assert table.headers == ["a", "b"]
    assert [row.values for row in table.rows] == [{"a": "1", "b": ""}, {"a": "2", "b": "3"}]


def test_a_header_given_twice_is_refused() -> None:
    with pytest.raises(ImportFileError, match="氏名"):
        read_table("氏名,氏名\n".encode(), "staff.csv")


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n ,\r\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(ImportFileError, match="empty"):
        read_table(data, "staff.csv")


def test_a_header_without_rows_gives_an_empty_table() -> None:
    assert read_table("職員番号,氏名\n".encode(), "staff.csv").rows == []


@pytest.mark.parametrize("filename", ["staff.txt", "staff", "staff.ods"])
def test_files_other_than_csv_or_xlsx_are_refused(filename: str) -> None:
    with pytest.raises(ImportFileError, match="CSV"):
        read_table(b"a,b\n", filename)


def test_old_xls_files_are_refused_with_a_hint_to_resave() -> None:
    with pytest.raises(ImportFileError, match=r"\.xls"):
        read_table(b"\xd0\xcf\x11\xe0", "staff.xls")


def test_the_extension_is_matched_case_insensitively() -> None:
    assert read_table(b"a\n1\n", "STAFF.CSV").rows[0].values == {"a": "1"}


def test_xlsx_first_sheet_is_read_with_sheet_row_numbers(tmp_path) -> None:
    data = xlsx_bytes([["職員番号", "氏名"], [123, "髙橋"], [None, None], ["００７", " 﨑 "]], tmp_path)

    table = read_table(data, "staff.xlsx")

    assert [(row.line, row.values) for row in table.rows] == [
        (2, {"職員番号": "123", "氏名": "髙橋"}),
        (4, {"職員番号": "００７", "氏名": "﨑"}),
    ]


def test_xlsx_rows_after_leading_empty_rows_keep_their_sheet_numbers(tmp_path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["A5"] = "code", "X1"
    buffer = io.BytesIO()
    workbook.save(buffer)

    table = read_table(buffer.getvalue(), "orgs.xlsx")

    assert table.headers == ["code"]
    assert [(row.line, row.values) for row in table.rows] == [(5, {"code": "X1"})]


def test_xlsx_numbers_and_dates_become_plain_text(tmp_path) -> None:
    cells = [1200.0, 1.5, date(2025, 4, 1), datetime(2025, 4, 1, 9, 30), True]
    data = xlsx_bytes([["n", "f", "d", "dt", "b"], cells], tmp_path)

    values = read_table(data, "x.xlsx").rows[0].values

    assert values == {"n": "1200", "f": "1.5", "d": "2025-04-01", "dt": "2025-04-01 09:30:00", "b": "TRUE"}


def test_xlsx_only_the_first_sheet_is_read(tmp_path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["code"])
    workbook.active.append(["FIRST"])
    other = workbook.create_sheet("other")
    other.append(["code"])
    other.append(["SECOND"])
    workbook.active = 1
    path = tmp_path / "two.xlsx"
    workbook.save(path)

    assert [row.values["code"] for row in read_table(path.read_bytes(), "two.xlsx").rows] == ["FIRST"]


def test_an_unreadable_xlsx_is_refused() -> None:
    with pytest.raises(ImportFileError, match="Excel"):
        read_table(b"PK\x03\x04 not really a zip", "staff.xlsx")


def test_an_empty_xlsx_is_refused(tmp_path) -> None:
    with pytest.raises(ImportFileError, match="empty"):
        read_table(xlsx_bytes([], tmp_path), "staff.xlsx")


def test_an_xlsx_whose_sheet_is_damaged_is_refused(tmp_path) -> None:
    source = xlsx_bytes([["code"], ["A1"]], tmp_path)
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(damaged, "w") as copy:
        for item in original.infolist():
            content = original.read(item)
            copy.writestr(item, content[: len(content) // 2] if item.filename.endswith("sheet1.xml") else content)

    with pytest.raises(ImportFileError, match="Excel"):
        read_table(damaged.getvalue(), "staff.xlsx")


def test_a_file_longer_than_the_line_limit_is_refused_before_it_fills_memory(monkeypatch) -> None:
    from elearn.imports import reader

    monkeypatch.setattr(reader, "MAX_LINES", 3)
    data = "職員番号,氏名\n1,a\n2,b\n3,c\n".encode()
    with pytest.raises(reader.ImportFileError, match="too many lines"):
        reader.read_table(data, "staff.csv")
