"""Customers' visits counted by the shop's calendar day, in one aggregate query each, for
the retention passes and the return-visit model: no datetime is built in Python for the
millions of visits of a large shop."""

import sqlite3
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import BigInteger, Text, bindparam, cast, distinct, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from kiosk_server.core.db import Executor, Prepared
from kiosk_server.customers.models import Visit


class _LocalDay(FunctionElement):
    """The day number (days since 1970-01-01) of a UTC time column on the calendar of a
    fixed UTC offset in seconds, computed by the database (no datetime is built in Python
    for millions of visits): `_LocalDay(column, offset)`."""

    type = BigInteger()
    inherit_cache = True


@compiles(_LocalDay, "sqlite")
def _local_day_sqlite(element: _LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    column, offset = (compiler.process(clause, **kw) for clause in element.clauses)
    if sqlite3.sqlite_version_info >= (3, 38):
        # unixepoch(): whole seconds, a third faster than julianday() over millions of rows.
        return f"((unixepoch({column}) + ({offset})) / 86400)"
    # julianday() counts days from noon, 4714 BC (2440587.5 at 1970-01-01 00:00 UTC);
    # rounded to the second before the integer division, so that midnight stays midnight.
    return (f"((CAST(round((julianday({column}) - 2440587.5) * 86400) AS INTEGER)"
            f" + ({offset})) / 86400)")


@compiles(_LocalDay, "postgresql")
def _local_day_postgresql(element: _LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    column, offset = (compiler.process(clause, **kw) for clause in element.clauses)
    # date_part gives a double; EXTRACT a numeric, several times slower on millions.
    return (f"((CAST(floor(date_part('epoch', {column})) AS BIGINT) + ({offset}))"
            f" / 86400)")


class VisitDays(NamedTuple):
    """A customer's visits counted by calendar day: on how many days they came, the first
    and the last of those days (day numbers: days since 1970-01-01)."""

    customer_id: int
    days: int
    first_day: int
    last_day: int


# Enough ids in one IN list for few round trips, few enough for every database's limit.
_DAYS_CHUNK = 1000


def visit_day_summary(db: Executor, *, utc_offset_seconds: int,
                      customer_ids: Sequence[int] | None = None) -> list[VisitDays]:
    """Every customer's visits (of any kind) by calendar day at this UTC offset, in one
    aggregate query (by `customer_ids` only when given): several visits on one day count
    once. Customers without a visit are left out."""
    day = _LocalDay(col(Visit.occurred_at), bindparam("offset", utc_offset_seconds,
                                                      type_=BigInteger))
    statement = select(col(Visit.customer_id), func.count(distinct(day)), func.min(day),
                       func.max(day)).group_by(col(Visit.customer_id))
    if customer_ids is None:
        return [VisitDays(*row) for row in db.execute(statement)]
    wanted = sorted(set(customer_ids))
    found: list[VisitDays] = []
    for start in range(0, len(wanted), _DAYS_CHUNK):
        chunk = wanted[start:start + _DAYS_CHUNK]
        found += [VisitDays(*row) for row in db.execute(
            statement.where(col(Visit.customer_id).in_(chunk)))]
    return found


def _visit_days(dialect: str) -> Any:
    # Each visit's local day, joined into one text per customer, with how many: one row
    # comes back per customer. A day with several visits is there several times (dropped
    # by the caller: cheaper than a DISTINCT in the database).
    day = _LocalDay(col(Visit.occurred_at), bindparam("offset_s", type_=BigInteger))
    joined = (func.string_agg(cast(day, Text), ",") if dialect == "postgresql"
              else func.group_concat(day))
    return (select(col(Visit.customer_id), func.count(), joined)
            .where(col(Visit.customer_id).between(bindparam("first_id"), bindparam("last_id")))
            .group_by(col(Visit.customer_id)))


_VISIT_DAYS = Prepared(_visit_days)


class DayTable(NamedTuple):
    """Customers' visits by local day, all at once: the first `counts[0]` of `days` are the
    days of `customer_ids[0]`'s visits, the next `counts[1]` those of `customer_ids[1]`'s...
    in no order within a customer, a day once per visit."""

    customer_ids: NDArray[np.int64]
    counts: NDArray[np.int64]
    days: NDArray[np.int64]


def visit_days(db: Executor, *, first_id: int, last_id: int, offset_s: int) -> DayTable:
    """The local days of the visits of each customer from `first_id` to `last_id`, in one
    aggregate pass over their visits, read into arrays (no Python object per visit);
    `offset_s`: the shop's offset from UTC. Customers without visits are left out."""
    found = _VISIT_DAYS.rows(db, {"first_id": first_id, "last_id": last_id, "offset_s": offset_s})
    if not found:
        return DayTable(*(np.zeros(0, dtype=np.int64) for _ in range(3)))
    ids, counts, joined = zip(*found, strict=True)
    return DayTable(np.array(ids, dtype=np.int64), np.array(counts, dtype=np.int64),
                    np.fromstring(",".join(joined), dtype=np.int64, sep=","))
