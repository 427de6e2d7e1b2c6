"""Tables handed out as files (CSV): each cell as a spreadsheet shows it, and never a
formula a spreadsheet would run (customer-entered text such as `=HYPERLINK(...)` is
prefixed with `'`)."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

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


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file: a header line, then each row's cells; UTF-8 with a BOM (spreadsheets
    then read UTF-8, every diacritic kept), CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(name) for name in columns])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def csv_of_dicts(rows: Sequence[dict[str, Any]]) -> bytes:
    """A CSV of rows given as dicts: the columns are every key met, in order of meeting."""
    columns = list(dict.fromkeys(name for row in rows for name in row))
    return csv_bytes(columns, ([row.get(name) for name in columns] for row in rows))
