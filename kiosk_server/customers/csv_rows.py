"""Reading customer rows from a CSV file (UTF-8, Vietnamese or English headers)."""

import csv
import io
from dataclasses import dataclass, field

from kiosk_server.core.text import fold

MAX_ROWS = 20_000
_TRUE = {"1", "true", "yes", "y", "x", "co", "có", "dong y", "đồng ý"}
_FALSE = {"", "0", "false", "no", "n", "khong", "không"}

# Accepted header names, compared after folding diacritics and case.
HEADERS = {
    "full_name": {"full_name", "name", "full name", "ho ten", "ho va ten", "ten", "khach hang"},
    "phone": {"phone", "phone number", "mobile", "so dien thoai", "dien thoai", "sdt", "sđt"},
    "email": {"email", "e-mail", "thu dien tu"},
    "notes": {"notes", "note", "ghi chu"},
    # Marketing consent per channel; the single `contact_consent` of earlier files is e-mail.
    "consent_email": {"consent_email", "contact_consent", "consent", "dong y email",
                      "dong y lien he"},
    "consent_sms": {"consent_sms", "dong y sms", "dong y nhan tin", "dong y zalo"},
}


@dataclass
class CsvRow:
    line: int
    values: dict[str, str]


@dataclass
class CsvProblem:
    line: int
    field: str | None
    code: str
    message: str


@dataclass
class CsvContent:
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[CsvProblem] = field(default_factory=list)


def _column_for(header: str) -> str | None:
    folded = fold(header.strip().lstrip("\ufeff"))
    return next((name for name, aliases in HEADERS.items() if folded in aliases), None)


def read_rows(data: bytes) -> CsvContent:
    """Rows keyed by our column names; file-level problems are reported on line 1."""
    content = CsvContent()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        content.problems.append(CsvProblem(1, None, "not_utf8", "The file is not UTF-8 text."))
        return content
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader, None)
        if not header:
            content.problems.append(CsvProblem(1, None, "empty_file", "The file has no header."))
            return content
        columns = [_column_for(name) for name in header]
        if "full_name" not in columns:
            content.problems.append(CsvProblem(
                1, "full_name", "missing_column", "A name column (full_name / họ tên) is required."
            ))
            return content
        for values in reader:
            if not any(cell.strip() for cell in values):
                continue
            if len(content.rows) >= MAX_ROWS:
                content.problems.append(CsvProblem(
                    reader.line_num, None, "too_many_rows", f"At most {MAX_ROWS} rows per file."
                ))
                break
            row = {col: cell.strip() for col, cell in zip(columns, values, strict=False) if col}
            content.rows.append(CsvRow(line=reader.line_num, values=row))
    except csv.Error as exc:
        content.problems.append(CsvProblem(reader.line_num, None, "bad_csv", str(exc)))
    return content


_TRUE_FOLDED = frozenset(fold(v) for v in _TRUE)
_FALSE_FOLDED = frozenset(fold(v) for v in _FALSE)


def parse_consent(raw: str) -> bool | None:
    """True/False from the many ways a spreadsheet says yes or no; None if unclear."""
    folded = fold(raw)
    if folded in _TRUE_FOLDED:
        return True
    if folded in _FALSE_FOLDED:
        return False
    return None
