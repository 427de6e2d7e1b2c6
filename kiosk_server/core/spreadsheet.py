"""Tables handed out as files (CSV, Excel): each cell as a spreadsheet shows it, and never
a formula a spreadsheet would run (customer-entered text such as `=HYPERLINK(...)` is
prefixed with `'` in a CSV; in an Excel file every text is a text cell, never a formula)."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """A value as JSON and CSV show it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def shop_time(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A time as the shop's clock showed it, to the second (a spreadsheet has no zones)."""
    if moment is None:
        return None
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)


def cell(value: Any) -> str:
    """A CSV cell: never read as a formula by a spreadsheet (prefixed with `'`). Numbers
    stay numbers (a negative amount is not text)."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Rows of a CSV encoded together: one piece of a file sent as it is read.
CSV_CHUNK_ROWS = 500


def csv_chunks(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A CSV file in pieces, as its rows come (a large table is sent while it is read): a
    header line, then each row's cells; UTF-8 with a BOM (spreadsheets then read UTF-8,
    every diacritic kept), CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([cell(name) for name in columns])
    for number, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if number % CSV_CHUNK_ROWS == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """`csv_chunks` in one piece."""
    return b"".join(csv_chunks(columns, rows))


def csv_of_dicts(rows: Sequence[dict[str, Any]]) -> bytes:
    """A CSV of rows given as dicts: the columns are every key met, in order of meeting."""
    columns = list(dict.fromkeys(name for row in rows for name in row))
    return csv_bytes(columns, ([row.get(name) for name in columns] for row in rows))


# --------------------------------------------------------------------------- Excel

# Column widths in characters: wide enough for most values, never a whole screen.
_MIN_WIDTH, _MAX_WIDTH = 8, 50
_DATE_FORMAT = "yyyy-mm-dd"
_TIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Sheet:
    """One sheet of an Excel file: its name (31 characters at most), its header, its rows
    (read as they are written: a generator reads a large table a page at a time)."""

    name: str
    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]


def _xlsx_cell(sheet: "WriteOnlyWorksheet", value: Any) -> Any:
    """A cell as Excel shows it: numbers as numbers, times as times (an aware time in its
    own zone's wall time: Excel has no zones), every other value as text, never read as a
    formula: a text that would be one is a text cell (data type `s`) marked as typed text
    (`quotePrefix`), so that editing it keeps it text too. Plain values where openpyxl
    writes them as they are (a styled cell costs several times more to write)."""
    from openpyxl.cell import WriteOnlyCell  # loaded by `xlsx_bytes` first: no cost here

    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, datetime):
        found = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        found.number_format = _TIME_FORMAT
        return found
    if isinstance(value, date):
        found = WriteOnlyCell(sheet, value=value)
        found.number_format = _DATE_FORMAT
        return found
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    text = str(value)
    if not text.startswith(FORMULA_STARTS):
        return text
    found = WriteOnlyCell(sheet)
    found.value = text
    found.data_type = "s"  # set after the value: openpyxl makes "=..." a formula otherwise
    found.quotePrefix = True
    return found


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    return len(cell(value))


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An Excel file (.xlsx) of these sheets: the header bold and frozen, columns about as
    wide as their values (measured on the first rows). Written row by row (openpyxl's
    write-only mode keeps few rows in memory)."""
    # Imported here: openpyxl takes a third of a second to load, and only an Excel
    # download needs it.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = book.create_sheet(title=spec.name[:31])
        sheet.freeze_panes = "A2"
        widths = [max(_MIN_WIDTH, len(name) + 2) for name in spec.columns]
        rows = iter(spec.rows)
        first = [list(row) for _, row in zip(range(200), rows, strict=False)]
        for listed in first:
            widths = [max(width, _width(value) + 2)
                      for width, value in zip(widths, listed, strict=False)]
        for number, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = min(width, _MAX_WIDTH)
        header = [WriteOnlyCell(sheet, value=name) for name in spec.columns]
        for title in header:
            title.font = bold
        sheet.append(header)
        for row in first:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        for more in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in more])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
