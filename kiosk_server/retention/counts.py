"""How many customers stand at each status: now (from the statuses last computed), and as
of past days (computed afresh from the visits and sales before each day, nothing saved),
for the owner's chart of statuses over time."""

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import func, select
from sqlmodel import col

from kiosk_server.core.db import Database, Executor
from kiosk_server.customers import service as customers
from kiosk_server.customers import visit_days
from kiosk_server.loyalty import service as loyalty
from kiosk_server.retention import rhythm
from kiosk_server.retention.models import CustomerStatus, Status
from kiosk_server.retention.service import BATCH, Moment


def status_counts(db: Executor) -> dict[Status, int]:
    """Customers per status, as last computed (every status, 0 for none)."""
    found = {status: count for status, count in db.execute(
        select(col(CustomerStatus.status), func.count()).group_by(col(CustomerStatus.status)))}
    return {status: found.get(status, 0) for status in Status}


def counts_as_of(database: Database, moments: Sequence[Moment]) -> list[dict[Status, int]]:
    """Customers per status as each moment would have found them, from the visits and
    sales before it (the demo's history: statuses are only computed for now otherwise).
    A batch of customers' visit days is read once for every moment, their spend once per
    moment; a customer counts from when they were added or first came, whichever is
    first (as the full pass counts every customer, one who never came as new)."""
    tallies = [Counter[Status]() for _ in moments]
    after_id = 0
    while True:
        with database.session() as session:
            ids = customers.customer_ids(session, after_id=after_id, limit=BATCH)
            if not ids:
                break
            offset_s = moments[0].offset_s if moments else 0
            days = _by_customer(visit_days.visit_days(session, first_id=ids[0],
                                                      last_id=ids[-1], offset_s=offset_s))
            added = visit_days.added_times(session, first_id=ids[0], last_id=ids[-1])
            for moment, tally in zip(moments, tallies, strict=True):
                _tally(session, moment, days, added, first_id=ids[0], last_id=ids[-1],
                       into=tally)
        after_id = ids[-1]
    return [{status: tally[status] for status in Status} for tally in tallies]


def _by_customer(table: visit_days.DayTable) -> dict[int, list[int]]:
    """Each customer's visit days, ascending, each once."""
    ends = np.cumsum(table.counts)
    return {int(customer_id): sorted(set(table.days[end - count:end].tolist()))
            for customer_id, count, end in zip(table.customer_ids, table.counts, ends,
                                               strict=True)}


def _tally(db: Executor, moment: Moment, days: dict[int, list[int]],
           added: dict[int, datetime], *, first_id: int, last_id: int,
           into: Counter[Status]) -> None:
    spend = loyalty.spend_windows(db, first_id=first_id, last_id=last_id, until=moment.now)
    for customer_id, added_at in added.items():
        all_days = days.get(customer_id, [])
        before = all_days[:bisect_right(all_days, moment.today)]
        if before or added_at <= moment.now:
            recent, earlier, _year = spend.get(customer_id, (0, 0, 0))
            into[rhythm.standing(before, today=moment.today, spend_recent_vnd=recent,
                                 spend_before_vnd=earlier,
                                 thresholds=moment.thresholds).status] += 1

