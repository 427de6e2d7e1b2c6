"""The shop's calendar in SQL: the local day, week and month of a UTC time column, computed
by the database (no datetime is built in Python for millions of visits), and the same
periods in Python for the rows that come back.

Days are numbered from 1970-01-01, weeks start on Monday (week n starts on day 7n - 3),
months are numbered year * 12 + month - 1. A span's offset from UTC is the one the shop
has on its last day: in a zone with summer time, periods of the other season are an hour
off at their edges, which charts of weeks and months do not show."""

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

EPOCH = date(1970, 1, 1)


class LocalDay(FunctionElement):
    """The day number (days since 1970-01-01) of a UTC time column on the calendar of a
    fixed UTC offset in seconds: `LocalDay(column, offset)`."""

    type = BigInteger()
    inherit_cache = True


@compiles(LocalDay, "sqlite")
def _local_day_sqlite(element: LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    column, offset = (compiler.process(clause, **kw) for clause in element.clauses)
    if sqlite3.sqlite_version_info >= (3, 38):
        # unixepoch(): whole seconds, a third faster than julianday() over millions of rows.
        return f"((unixepoch({column}) + ({offset})) / 86400)"
    # julianday() counts days from noon, 4714 BC (2440587.5 at 1970-01-01 00:00 UTC);
    # rounded to the second before the integer division, so that midnight stays midnight.
    return (f"((CAST(round((julianday({column}) - 2440587.5) * 86400) AS INTEGER)"
            f" + ({offset})) / 86400)")


@compiles(LocalDay, "postgresql")
def _local_day_postgresql(element: LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    column, offset = (compiler.process(clause, **kw) for clause in element.clauses)
    # date_part gives a double; EXTRACT a numeric, several times slower on millions.
    return (f"((CAST(floor(date_part('epoch', {column})) AS BIGINT) + ({offset}))"
            f" / 86400)")


class LocalMonth(FunctionElement):
    """The month number (year * 12 + month - 1) of a UTC time column on the calendar of a
    fixed UTC offset in seconds: `LocalMonth(column, offset)`."""

    type = BigInteger()
    inherit_cache = True


@compiles(LocalMonth, "sqlite")
def _local_month_sqlite(element: LocalMonth, compiler: SQLCompiler, **kw: Any) -> str:
    column, offset = (compiler.process(clause, **kw) for clause in element.clauses)
    shifted = f"{column}, ({offset}) || ' seconds'"
    return (f"(CAST(strftime('%Y', {shifted}) AS INTEGER) * 12"
            f" + CAST(strftime('%m', {shifted}) AS INTEGER) - 1)")


@compiles(LocalMonth, "postgresql")
def _local_month_postgresql(element: LocalMonth, compiler: SQLCompiler, **kw: Any) -> str:
    column, offset = (compiler.process(clause, **kw) for clause in element.clauses)
    shifted = f"(timezone('UTC', {column}) + ({offset}) * interval '1 second')"
    return (f"(CAST(date_part('year', {shifted}) AS BIGINT) * 12"
            f" + CAST(date_part('month', {shifted}) AS BIGINT) - 1)")


def week_of(day: ColumnElement[int]) -> ColumnElement[int]:
    """The week number of a day number (weeks from Monday to Sunday)."""
    return (day + 3) // 7


@dataclass(frozen=True)
class Span:
    """Local days from `first` to `last`, both included, in a zone at a fixed offset."""

    first: date
    last: date
    offset_s: int

    @classmethod
    def of(cls, first: date, last: date, zone: ZoneInfo) -> "Span":
        offset = datetime.combine(last, time(12), zone).utcoffset()
        return cls(first, last, int(offset.total_seconds()) if offset else 0)

    @property
    def start(self) -> datetime:
        """The first day's midnight, in UTC."""
        return _utc_midnight(self.first, self.offset_s)

    @property
    def end(self) -> datetime:
        """The midnight after the last day, in UTC (not included)."""
        return _utc_midnight(self.last + timedelta(days=1), self.offset_s)

    @property
    def first_month(self) -> int:
        return month_number(self.first)

    @property
    def last_month(self) -> int:
        return month_number(self.last)

    def offset(self) -> Any:
        """The offset as a bound parameter of `LocalDay` and `LocalMonth`."""
        return bindparam("offset_s", self.offset_s, type_=BigInteger)


def _utc_midnight(day: date, offset_s: int) -> datetime:
    return datetime.combine(day, time(), UTC) - timedelta(seconds=offset_s)


def day_date(day: int) -> date:
    return EPOCH + timedelta(days=day)


def week_start(week: int) -> date:
    """The Monday week number `week` starts on."""
    return day_date(week * 7 - 3)


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_name(month: int) -> str:
    """"2026-03" for a month number."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"
