#!/usr/bin/env python3
"""Customer list and search benchmark: GET /api/v1/customers on 100,000 customers.

    .venv/bin/python bench/customers.py
    .venv/bin/python bench/customers.py --customers 100000 --rounds 200 --keep

Steps: a fresh install in a temp dir (`kiosk migrate`, SQLite); 100,000 customers with
realistic Vietnamese names and mobile numbers (demo.vietnamese_people) inserted straight
into the SQLite file with SQLAlchemy Core, 25,000 rows per transaction, each row as
customers.service.create_customer stores it (phone in E.164, name_folded = fold(full_name),
tags [], visit_count 0, created_at now); a staff API token from the CLI (`kiosk staff
create`, `kiosk staff token`); then `kiosk serve` in its own process, and one httpx client
over one keep-alive connection sends, one at a time, `--rounds` rounds of these requests
(interleaved, so that other load on the machine weighs on every case alike):

    first_page     ?limit=50
    deep_page      ?after=<next_cursor of the previous deep page>&limit=50: the rounds
                   follow the cursor page after page (page 2, 3, ... rounds + 1)
    end_page       ?after=<the last id - 25>: keyset paging at the end of the table
    search_common  ?q=nguyen                       (a word in ~40% of the names)
    search_rare    ?q=<an existing full name that only one or two customers match>
    search_none    ?q=pham thi xuan                (nobody: the worst case, every row read)
    phone          ?q=0912                         (part of a number)
    phone_full     ?q=<an existing number, 0xxxxxxxxx form>

Latency is measured in this process around each request (the answer read in full). Every
answer is checked against what the seeded data says it must hold. Afterwards the SQL each
case runs (captured from customers.service.search_customers itself) is timed alone on
the same file with sqlite3, and its EXPLAIN QUERY PLAN is printed, so that the time in the
database and the time around it (HTTP, ORM, JSON) can be told apart. The last line:

    first_page_p50_ms=.. deep_page_p50_ms=.. search_common_p50_ms=.. search_rare_p50_ms=..
    search_none_p50_ms=.. search_none_p99_ms=.. phone_p50_ms=.. phone_full_p50_ms=..
    customers=..

(one line). Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(BENCH_DIR))

import checkin as checkin_bench  # noqa: E402  (bench/checkin.py: fresh_install, Server, ...)

PAGE = 50
CHUNK = 25_000
COMMON_WORD = "nguyen"
NOBODY = "pham thi xuan"  # "Xuân" is not among demo.vietnamese_people's given names
PARTIAL_PHONE = "0912"
STAFF_USER = "bench"
STAFF_PASSWORD = "bench-password-1"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=100_000, help="customers (100000)")
    p.add_argument("--rounds", type=int, default=200,
                   help="measured requests per case; deep paging follows this many pages (200)")
    p.add_argument("--sql-repeat", type=int, default=15,
                   help="runs of each case's bare SQL in sqlite3 (15)")
    p.add_argument("--kiosk", default=str(REPO / ".venv" / "bin" / "kiosk"),
                   help="the kiosk command (default: the repo's .venv)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (db, server log)")
    return p.parse_args()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --------------------------------------------------------------------------- seeding

def kiosk_cli(kiosk: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([kiosk, *args], env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"kiosk {' '.join(args[:2])} failed ({done.returncode}):\n"
                           f"{done.stdout}{done.stderr}")
    return done.stdout.strip()


def insert_customers(url: str, people: list[tuple[str, str]]) -> None:
    """Rows as customers.service.create_customer makes them, CHUNK per transaction."""
    from sqlalchemy import create_engine, insert

    from kiosk_server.core.text import fold, normalize_phone
    from kiosk_server.core.types import utcnow
    from kiosk_server.customers.models import Customer, CustomerCreate

    engine = create_engine(url)
    statement = insert(Customer.__table__)
    try:
        for start in range(0, len(people), CHUNK):
            rows = []
            for name, phone in people[start:start + CHUNK]:
                data = CustomerCreate(full_name=name, phone=phone, consent_email=True)
                rows.append(dict(data.model_dump(exclude={"phone"}),
                                 phone=normalize_phone(data.phone),
                                 name_folded=fold(data.full_name), visit_count=0,
                                 last_visit_at=None, created_at=utcnow()))
            with engine.begin() as connection:
                connection.execute(statement, rows)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the cases

@dataclass
class Case:
    name: str
    query: str = ""
    expected: int | None = None  # customers the query matches (None: not a search)
    expected_id: int | None = None
    latencies: list[float] = field(default_factory=list)
    returned: int = 0
    sql: tuple[str, tuple] | None = None
    sql_ms: float | None = None

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 0.99)


def matches(folded_names: Counter[str], query: str) -> int:
    """How many customers search_customers finds for a name query: every word contained."""
    from kiosk_server.core.text import fold

    words = fold(query).split()[:8]
    return sum(n for name, n in folded_names.items() if all(w in name for w in words))


def pick_cases(people: list[tuple[str, str]]) -> list[Case]:
    """The cases, their queries chosen from the seeded data (ids are positions + 1)."""
    from kiosk_server.core.text import fold, phone_search_digits

    folded = Counter(fold(name) for name, _ in people)
    # A full name held by one customer whose words are found in the fewest other names.
    singles = [name for name, n in folded.items() if n == 1][:60]
    if not singles:
        raise RuntimeError("no full name is held by a single customer; seed more customers")
    rare = min(singles, key=lambda name: (matches(folded, name), name))
    full_index = len(people) // 2
    digits = phone_search_digits(PARTIAL_PHONE)
    partial = sum(1 for _, phone in people if digits in "84" + phone[1:])
    cases = [
        Case("first_page"),
        Case("deep_page"),
        Case("end_page"),
        Case("search_common", COMMON_WORD, matches(folded, COMMON_WORD)),
        Case("search_rare", rare, matches(folded, rare)),
        Case("search_none", NOBODY, matches(folded, NOBODY)),
        Case("phone", PARTIAL_PHONE, partial),
        Case("phone_full", people[full_index][1], 1, expected_id=full_index + 1),
    ]
    if cases[5].expected:
        raise RuntimeError(f"{NOBODY!r} matches {cases[5].expected} customers")
    return cases


def check(case: Case, items: list[dict], cursor: int | None, after: int | None,
          total: int) -> None:
    """The answer holds what the seeded data says it must."""
    ids = [item["id"] for item in items]
    if ids != sorted(ids) or (after is not None and ids and ids[0] <= after):
        raise RuntimeError(f"{case.name}: ids out of order or not after {after}")
    # Customers left to find: the rest of the table when paging, else all the matches.
    left = total - (after or 0) if case.expected is None else case.expected
    if len(ids) != min(PAGE, left):
        raise RuntimeError(f"{case.name}: {len(ids)} customers, expected {min(PAGE, left)}")
    if (cursor is not None) != (left > PAGE):
        raise RuntimeError(f"{case.name}: next_cursor {cursor} with {left} left to find")
    if case.expected_id is not None and ids != [case.expected_id]:
        raise RuntimeError(f"{case.name}: found {ids}, expected [{case.expected_id}]")


def measure(base: str, token: str, cases: list[Case], rounds: int, total: int) -> None:
    """`rounds` rounds, each one request per case, one at a time on one connection."""
    import httpx

    by_name = {case.name: case for case in cases}
    cursor: int | None = None
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as client:

        def get(case: Case, after: int | None, timed: bool) -> int | None:
            params: dict[str, str | int] = {"limit": PAGE}
            if case.query:
                params["q"] = case.query
            if after is not None:
                params["after"] = after
            started = time.perf_counter()
            answer = client.get("/api/v1/customers", params=params)
            elapsed = (time.perf_counter() - started) * 1000
            if answer.status_code != 200:
                raise RuntimeError(f"{case.name}: HTTP {answer.status_code} {answer.text[:300]}")
            page = answer.json()
            check(case, page["items"], page["next_cursor"], after, total)
            if timed:
                case.latencies.append(elapsed)
                case.returned = len(page["items"])
            return page["next_cursor"]

        for _ in range(5):  # warm-up: connection, the server's first requests, page cache
            for case in cases:
                get(case, None if case.name != "end_page" else total - 25, timed=False)
        cursor = get(by_name["first_page"], None, timed=False)
        for _ in range(rounds):
            for case in cases:
                if case.name == "deep_page":
                    if cursor is None:
                        raise RuntimeError("deep_page: ran out of pages; lower --rounds")
                    cursor = get(case, cursor, timed=True)
                else:
                    get(case, total - 25 if case.name == "end_page" else None, timed=True)


# --------------------------------------------------------------------------- the SQL

def capture_sql(url: str, cases: list[Case], total: int) -> None:
    """The SQL (and parameters) customers.service.search_customers runs for each case."""
    from sqlalchemy import create_engine, event
    from sqlmodel import Session

    from kiosk_server.customers import service

    engine = create_engine(url)
    seen: list[tuple[str, tuple]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, tuple(parameters)))

    try:
        with Session(engine) as session:
            for case in cases:
                after = {"deep_page": PAGE * 100, "end_page": total - 25}.get(case.name)
                seen.clear()
                service.search_customers(session, query=case.query, after=after, limit=PAGE)
                case.sql = next(s for s in seen if "FROM customers" in s[0])
    finally:
        engine.dispose()


def time_sql(path: str, cases: list[Case], repeat: int) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA cache_size=-65536")  # as the server's connections
        for case in cases:
            statement, params = case.sql
            connection.execute(statement, params).fetchall()
            runs = []
            for _ in range(repeat):
                started = time.perf_counter()
                connection.execute(statement, params).fetchall()
                runs.append((time.perf_counter() - started) * 1000)
            case.sql_ms = statistics.median(runs)
    finally:
        connection.close()


def query_plan(path: str, case: Case) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        statement, params = case.sql
        rows = connection.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
    finally:
        connection.close()
    depth = {0: 0}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * depth[node] + detail)
    return lines


# --------------------------------------------------------------------------- report

def report(cases: list[Case], db_path: str, total: int) -> None:
    print(f"\n{'case':<14} {'query':<22} {'matches':>8} {'n':>4} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'SQL ms':>7}")
    for case in cases:
        query = case.query or {"first_page": "(none)", "deep_page": "after=cursor",
                               "end_page": f"after={total - 25}"}[case.name]
        found = "" if case.expected is None else str(case.expected)
        print(f"{case.name:<14} {query[:22]:<22} {found:>8} {len(case.latencies):>4} "
              f"{case.p50:>8.2f} {case.p99:>8.2f} {max(case.latencies):>8.2f} "
              f"{case.sql_ms:>7.2f}")
    print("(p50/p99/max: the whole request, measured by the client; SQL ms: the median "
          "time of the case's SQL alone in sqlite3)")
    statement, _ = cases[0].sql
    print("\nSQL of a search (customers.service.search_customers):\n  "
          + " ".join(next(c for c in cases if c.name == "search_none").sql[0].split()))
    print(f"  (no search: {' '.join(statement.split())})")
    print("\nQuery plans (EXPLAIN QUERY PLAN):")
    for case in cases:
        print(f"  {case.name}: p50 {case.p50:.2f} ms, SQL {case.sql_ms:.2f} ms")
        for line in query_plan(db_path, case):
            print("   " + line)


# --------------------------------------------------------------------------- main

def main() -> int:
    args = parse_args()
    if not Path(args.kiosk).exists():
        print(f"error: kiosk command not found at {args.kiosk} (see --kiosk)", file=sys.stderr)
        return 2
    from sqlalchemy.engine import make_url

    from kiosk_server.demo import vietnamese_people

    work, env, settings = checkin_bench.fresh_install("kiosk-bench-customers-")
    url = settings.resolved_database_url
    db_path = make_url(url).database
    print(f"Kiosk customer list/search benchmark: {args.customers} customers, SQLite "
          f"({db_path}); work dir {work}")
    checkin_bench.check_background_load()

    with checkin_bench.BenchRun(work, keep=args.keep) as run:
        started = time.monotonic()
        kiosk_cli(args.kiosk, env, "migrate")
        people = vietnamese_people(args.customers)
        cases = pick_cases(people)
        seeded = time.monotonic()
        insert_customers(url, people)
        print(f"migrated and inserted {len(people)} customers in "
              f"{time.monotonic() - started:.1f} s (insert {time.monotonic() - seeded:.1f} s); "
              f"database {Path(db_path).stat().st_size / 1e6:.1f} MB")
        kiosk_cli(args.kiosk, env, "staff", "create", "--username", STAFF_USER,
                  "--password", STAFF_PASSWORD, "--role", "admin")
        token = kiosk_cli(args.kiosk, env, "staff", "token", STAFF_USER,
                          "--label", "bench").splitlines()[-1]

        server = run.serve(args.kiosk, env)

        busy0, total0 = checkin_bench.machine_busy()
        cpu0 = server.cpu_seconds()
        started = time.monotonic()
        measure(server.base, token, cases, args.rounds, len(people))
        seconds = time.monotonic() - started
        cpu = server.cpu_seconds() - cpu0
        busy1, total1 = checkin_bench.machine_busy()
        requests = sum(len(case.latencies) for case in cases)
        print(f"measured {requests} requests in {seconds:.1f} s, one at a time; server CPU "
              f"{cpu:.1f} s ({1000 * cpu / requests:.2f} ms/request); machine busy "
              f"{100 * (busy1 - busy0) / max(1, total1 - total0):.0f}% of 2 cores")
        server.stop()

        capture_sql(url, cases, len(people))
        time_sql(db_path, cases, args.sql_repeat)
        report(cases, db_path, len(people))

        by = {case.name: case for case in cases}
        print(f"first_page_p50_ms={by['first_page'].p50:.2f} "
              f"deep_page_p50_ms={by['deep_page'].p50:.2f} "
              f"search_common_p50_ms={by['search_common'].p50:.2f} "
              f"search_rare_p50_ms={by['search_rare'].p50:.2f} "
              f"search_none_p50_ms={by['search_none'].p50:.2f} "
              f"search_none_p99_ms={by['search_none'].p99:.2f} "
              f"phone_p50_ms={by['phone'].p50:.2f} "
              f"phone_full_p50_ms={by['phone_full'].p50:.2f} "
              f"customers={len(people)}")
        return 0
    return run.status


if __name__ == "__main__":
    sys.exit(main())
