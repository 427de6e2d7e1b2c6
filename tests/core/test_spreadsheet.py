"""CSV files handed out: no cell a spreadsheet would run as a formula, every diacritic kept."""

import csv
import io

import pytest

from kiosk_server.core.spreadsheet import cell, csv_bytes


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
