#!/usr/bin/env python3
"""Retention benchmark: every customer's status recomputed, against the bare aggregate.

    .venv/bin/python bench/retention.py                       # SQLite, 100,000 customers
    .venv/bin/python bench/retention.py --customers 20000     # smaller
    .venv/bin/python bench/retention.py --postgres postgresql+psycopg://postgres@127.0.0.1/bench

1. Seeding (not measured), in a child process: the synthetic history of `kiosk demo
   --customers` (kiosk_server/history.py: regulars with their own rhythms over a year,
   seasonal traffic, planted drifters) written in bulk, about 20 visits a customer, each
   sale also a visit as the till records it. The database is emptied first (SQLite: a
   new file in a temporary dir; PostgreSQL: the named database, migrated, its tables
   truncated, and after the seeding vacuumed and analysed as autovacuum soon would).
2. The floor: `SELECT customer_id, count(*), max(occurred_at) FROM visits GROUP BY
   customer_id` over the same table, run three times, the fastest kept (a warm cache, as
   the pass has).
3. The model's fit (kiosk_server/retention/fit.py and bgnbd.py), as the nightly run does
   it first: one aggregate read of the history, the fit, the fit stored.
4. The full pass (kiosk_server.retention.worker.full_pass), as the nightly worker and
   `kiosk retention recompute` run it after the fit: every customer, in transactions of
   2,000, each read in one statement (the aggregates over their visits and their sales
   and their stored statuses, joined), scored by the fitted model. Run three times from
   no statuses at all (the statuses emptied before each), so that each writes every
   status; the fastest kept and reported, as the floor's is. Then once more over the
   statuses just written, which writes only those that moved (none), and once as the
   next night would (a day later), which writes the rows whose status or figures moved
   (printed, not reported).
5. Incremental: for 1,000 random customers, a visit recorded (not measured), then the
   customer's recomputation as the worker does it after a visit commits (one short
   transaction: one read with the thresholds and the model, one write), timed one by one:
   the p99. Ten more come first, untimed: the statements compiled once in a process, as a
   server that has been running has them.
6. Peak memory: this process's maximum resident size (the seeding ran in the child).

The last line is machine-readable:

    customers=.. visits=.. full_pass_s=.. floor_s=.. full_pass_vs_floor=.. fit_s=..
    incremental_p99_ms=.. peak_mb=..
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout even if the package is not installed

from sqlalchemy import func, select, text  # noqa: E402
from sqlmodel import col  # noqa: E402

from kiosk_server.core.db import Access, Database, prepared_insert  # noqa: E402
from kiosk_server.core.migrations import upgrade  # noqa: E402
from kiosk_server.core.types import utcnow  # noqa: E402
from kiosk_server.customers.models import Visit, VisitKind  # noqa: E402
from kiosk_server.retention import fit  # noqa: E402
from kiosk_server.retention.models import CustomerStatus  # noqa: E402
from kiosk_server.retention.worker import (  # noqa: E402
    PassReport,
    full_pass,
    recompute_customers,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
WARM_UP = 10  # recomputations before the timed ones
RUNS = 3  # the floor and the full pass each timed this many times, the fastest kept
FLOOR = "SELECT customer_id, count(*), max(occurred_at) FROM visits GROUP BY customer_id"
TABLES = ("status_changes", "customer_status", "retention_fits", "purchases", "visits",
          "customers")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--postgres", metavar="URL", help="a PostgreSQL database to use (emptied)")
    p.add_argument("--samples", type=int, default=1000, help="incremental updates timed")
    p.add_argument("--seed-into", metavar="URL", help=argparse.SUPPRESS)  # the child's work
    return p.parse_args()


def seed(url: str, customers: int) -> None:
    from kiosk_server import history

    database = Database(url)
    with database.session() as session:
        history.write(session, history.people(customers), zone=ZONE)
    database.dispose()


def settle(url: str) -> None:
    """PostgreSQL: what autovacuum soon does to tables just loaded in bulk (their visibility
    map set, so that an index covering a query answers it alone; their statistics), as a
    shop's database has it by the night."""
    if url.startswith("postgresql"):
        database = Database(url)
        with database.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text(f"VACUUM ANALYZE {', '.join(TABLES)}"))
        database.dispose()


def prepare(url: str) -> None:
    upgrade(url)
    if url.startswith("postgresql"):
        database = Database(url)
        with database.session() as session:
            session.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        database.dispose()


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def floor_s(database: Database) -> float:
    def run() -> None:
        with database.engine.connect() as connection:
            connection.execute(text(FLOOR)).fetchall()
    return min(timed(run) for _ in range(RUNS))


def first_pass(database: Database) -> PassReport:
    """A full pass from no statuses at all (emptied first): every status written."""
    with database.session() as session:
        if session.connection().dialect.name == "postgresql":
            session.execute(text("TRUNCATE status_changes, customer_status"))
        else:
            session.execute(text("DELETE FROM status_changes"))
            session.execute(text("DELETE FROM customer_status"))
    return full_pass(database, zone=ZONE)


def fit_s(database: Database) -> float:
    """Reading the shop's history (one aggregate), fitting the BG/NBD model on it, storing
    the fit (the model the pass then scores with)."""
    fitted = None

    def run() -> None:
        nonlocal fitted
        fitted = fit.refit(database, zone=ZONE)
    seconds = timed(run)
    assert fitted is not None and fitted.converged, "the synthetic history fits"
    return seconds


_ADD_VISIT = prepared_insert(Visit, ["customer_id", "kind", "occurred_at", "gate"])


def incremental_p99_ms(database: Database, ids: list[int], samples: int) -> float:
    chosen = random.Random(7).sample(ids, min(samples + WARM_UP, len(ids)))
    times = []
    for customer_id in chosen:
        with database.session() as session:
            _ADD_VISIT.rows(session, {"customer_id": customer_id, "kind": VisitKind.EVENT,
                                      "occurred_at": utcnow(), "gate": ""})
        times.append(timed(lambda c=customer_id: recompute_customers(database, [c], zone=ZONE)))
    times = sorted(times[WARM_UP:])
    return times[max(0, int(len(times) * 0.99) - 1)] * 1000


def main() -> None:
    args = parse_args()
    if args.seed_into:
        seed(args.seed_into, args.customers)
        return
    with tempfile.TemporaryDirectory(prefix="kiosk-retention-") as work:
        url = args.postgres or f"sqlite:///{Path(work) / 'kiosk.db'}"
        prepare(url)
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--customers", str(args.customers),
                        "--seed-into", url], check=True)
        settle(url)
        print(f"seeded in {time.perf_counter() - started:.1f} s")
        database = Database(url)
        with database.engine.connect() as connection:
            visits = connection.execute(text("SELECT count(*) FROM visits")).scalar_one()
            sales = connection.execute(text("SELECT count(*) FROM purchases")).scalar_one()
            ids = list(connection.execute(text("SELECT id FROM customers")).scalars())
        print(f"{len(ids)} customers, {visits} visits, {sales} sales")
        floor = floor_s(database)
        print(f"floor (bare aggregate over visits): {floor:.2f} s")
        fit_seconds = fit_s(database)
        firsts = [first_pass(database) for _ in range(RUNS)]
        first = min(firsts, key=lambda report: report.seconds)
        second = full_pass(database, zone=ZONE)
        print(f"full pass: {', '.join(f'{r.seconds:.2f}' for r in firsts)} s "
              f"({first.customers} customers), again: {second.seconds:.2f} s "
              f"({second.changes} changes)")
        tomorrow = utcnow() + timedelta(days=1)
        night = full_pass(database, zone=ZONE, now=tomorrow)
        with database.session(Access.READ) as session:
            written = session.execute(select(func.count()).select_from(CustomerStatus).where(
                col(CustomerStatus.computed_at) == tomorrow)).scalar_one()
        print(f"the next night: {night.seconds:.2f} s, {night.seconds / floor:.2f} times the "
              f"floor ({written} rows written, {night.changes} changes)")
        with database.session(Access.READ) as session:
            counts = session.execute(text(
                "SELECT status, count(*) FROM customer_status GROUP BY status")).all()
            scored = session.execute(text(
                "SELECT count(*) FROM customer_status WHERE p_alive IS NOT NULL")).scalar_one()
        print("statuses:", dict(sorted((str(s), n) for s, n in counts)), f"scored: {scored}")
        p99 = incremental_p99_ms(database, ids, args.samples)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        database.dispose()
    print(f"customers={len(ids)} visits={visits} full_pass_s={first.seconds:.2f} "
          f"floor_s={floor:.2f} full_pass_vs_floor={first.seconds / floor:.2f} "
          f"fit_s={fit_seconds:.2f} incremental_p99_ms={p99:.2f} peak_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
