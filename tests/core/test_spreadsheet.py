"""CSV and Excel files handed out: no cell a spreadsheet would run as a formula, every
diacritic kept, numbers and times as such in Excel."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from kiosk_server.core.spreadsheet import Sheet, cell, csv_bytes, csv_chunks, xlsx_bytes


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("Nguyễn", "Nguyễn"), (None, ""),
    (True, "true"), (["vip", "=x"], "vip, =x"), (["=x", "vip"], "'=x, vip"),
    (-150_000, "-150000"), (2.5, "2.5")])
def test_no_csv_cell_is_a_formula(value, expected):
    assert cell(value) == expected


def test_a_csv_file_reads_back_in_utf8_with_its_formulas_neutralised():
    data = csv_bytes(["tên", "ghi chú"], [["Trần Thị Ánh", "=1+1"], ["Lê Văn Đức", None]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["tên", "ghi chú"], ["Trần Thị Ánh", "'=1+1"], ["Lê Văn Đức", ""]]


def test_a_large_csv_is_sent_in_pieces_that_make_the_whole_file():
    rows = [[f"Phạm Thị Ngọc {n}", n] for n in range(1200)]
    pieces = list(csv_chunks(["tên", "số"], iter(rows)))
    assert len(pieces) == 3 and b"".join(pieces) == csv_bytes(["tên", "số"], rows)
    assert b"".join(pieces).decode("utf-8-sig").count("\r\n") == 1201


INJECTIONS = ['=HYPERLINK("http://evil.example","Bấm")', "@SUM(A1:A2)",
              "=cmd|' /C calc'!A0", "+1+1", "-1+1", "\t=1+1", "\r=1+1"]


def test_no_excel_cell_is_a_formula_and_values_keep_their_types():
    when = datetime(2026, 12, 6, 9, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    data = xlsx_bytes([
        Sheet("Khách", ["tên", "số", "lúc", "ngày"],
              [[text, -150_000, when, date(2026, 12, 6)] for text in INJECTIONS]
              + [["Trần Thị Ánh", 2.5, None, None]]),
        Sheet("Nhân viên", ["tên"], iter([["Lê Văn Đức"]]))])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Khách", "Nhân viên"]
    sheet = book["Khách"]
    assert all(cell.font.b for cell in sheet[1])
    for row, text in zip(sheet.iter_rows(min_row=2), INJECTIONS, strict=False):
        # (XML reads a carriage return back as a line feed)
        assert (row[0].value, row[0].data_type, row[0].quotePrefix) == (
            text.replace("\r", "\n"), "s", True)
        assert (row[1].value, row[1].data_type) == (-150_000, "n")
        assert row[2].value == datetime(2026, 12, 6, 9, 15)  # the wall clock of its zone
        assert row[3].value == datetime(2026, 12, 6)
    last = [cell.value for cell in sheet[sheet.max_row]]
    assert last == ["Trần Thị Ánh", 2.5, None, None]
    assert not sheet[sheet.max_row][0].quotePrefix
    assert 8 <= sheet.column_dimensions["A"].width <= 50
    assert book["Nhân viên"]["A2"].value == "Lê Văn Đức"
