"""Customers' visits counted by the shop's calendar day, in one aggregate query each, for
the retention passes and the return-visit model: no datetime is built in Python for the
millions of visits of a large shop."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import BigInteger, Text, bindparam, case, cast, distinct, func, select
from sqlmodel import col

from kiosk_server.core.calendar import LocalDay, LocalMonth, Span, week_of
from kiosk_server.core.db import Executor, Prepared, id_range, table_of
from kiosk_server.customers.models import Customer, Visit


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
    day = LocalDay(col(Visit.occurred_at), bindparam("offset", utc_offset_seconds,
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


def days_between(dialect: str, *, one: bool = False) -> Any:
    """Each visit's local day, joined into one text per customer (`days`), with how many
    (`visits`): one row per customer from `first_id` to `last_id` with a visit (`one`: the
    customer `first_id`: `id_range`), at the offset `offset_s` (bound parameters of those
    names). A day with several visits is there several times (dropped by the reader:
    cheaper than a DISTINCT in the database). Read by `day_table`; a recomputation joins it
    with its other reads (retention)."""
    day = LocalDay(col(Visit.occurred_at), bindparam("offset_s", type_=BigInteger))
    joined = (func.string_agg(cast(day, Text), ",") if dialect == "postgresql"
              else func.group_concat(day))
    return (select(col(Visit.customer_id), func.count().label("visits"), joined.label("days"))
            .where(id_range(col(Visit.customer_id), one=one))
            .group_by(col(Visit.customer_id)))


_VISIT_DAYS = Prepared(days_between)


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
    return day_table(_VISIT_DAYS.rows(db, {"first_id": first_id, "last_id": last_id,
                                           "offset_s": offset_s}))


def day_table(found: Sequence[tuple[int, int, str]]) -> DayTable:
    """The table of rows of `days_between` (customer id, visits, days)."""
    if not found:
        return DayTable(*(np.zeros(0, dtype=np.int64) for _ in range(3)))
    ids, counts, joined = zip(*found, strict=True)
    return DayTable(np.array(ids, dtype=np.int64), np.array(counts, dtype=np.int64),
                    np.fromstring(",".join(joined), dtype=np.int64, sep=","))


# ---------------------------------------------------------------- the owner's charts


def _first_visits(span: Span) -> Any:
    """Each customer's first visit (of all time): its local day and month."""
    return (select(col(Visit.customer_id).label("customer_id"),
                   func.min(LocalDay(col(Visit.occurred_at), span.offset())).label("day"),
                   func.min(LocalMonth(col(Visit.occurred_at), span.offset())).label("month"))
            .group_by(col(Visit.customer_id)).subquery())


def added_times(db: Executor, *, first_id: int, last_id: int) -> dict[int, datetime]:
    """When each customer (not erased) from `first_id` to `last_id` was added."""
    customers = table_of(Customer).c
    found = db.execute(select(customers.id, customers.created_at).where(
        customers.id.between(first_id, last_id), customers.erased_at.is_(None)))
    return {customer_id: added for customer_id, added in found}


def weekly_visitors(db: Executor, *, span: Span) -> list[tuple[int, int, int, int]]:
    """Per week of the span with a visit: (week number, visits, customers who came,
    those of them who had come in an earlier week), in one aggregate query."""
    first = _first_visits(span)
    week = week_of(LocalDay(col(Visit.occurred_at), span.offset()))
    returning = case((week_of(first.c.day) < week, col(Visit.customer_id)))
    statement = (select(week, func.count(), func.count(distinct(col(Visit.customer_id))),
                        func.count(distinct(returning)))
                 .join(first, first.c.customer_id == col(Visit.customer_id))
                 .where(col(Visit.occurred_at) >= span.start, col(Visit.occurred_at) < span.end)
                 .group_by(week).order_by(week))
    return [(int(w), visits, people, back) for w, visits, people, back in db.execute(statement)]


def cohorts(db: Executor, *, span: Span, months: int) -> tuple[dict[int, int],
                                                               dict[tuple[int, int], int]]:
    """The customers whose first visit was in a month of the span: how many per month,
    and how many of each month's came again `k` months later (k from 0 to `months` - 1),
    keyed (first month, k), in two aggregate queries."""
    first = _first_visits(span)
    in_span = first.c.month.between(span.first_month, span.last_month)
    sizes = {int(month): count for month, count in db.execute(
        select(first.c.month, func.count()).where(in_span).group_by(first.c.month))}
    later = LocalMonth(col(Visit.occurred_at), span.offset()) - first.c.month
    statement = (select(first.c.month, later, func.count(distinct(col(Visit.customer_id))))
                 .join(first, first.c.customer_id == col(Visit.customer_id))
                 .where(in_span, later < months).group_by(first.c.month, later))
    return sizes, {(int(month), int(k)): count for month, k, count in db.execute(statement)}
