#!/usr/bin/env python3
"""Till benchmark: the checkout lookup and a purchase, for a regular with a long history.

    .venv/bin/python bench/checkout.py
    .venv/bin/python bench/checkout.py --rounds 500 --visits 1000 --customers 10000 --keep
    .venv/bin/python bench/checkout.py --database-url postgresql+psycopg://postgres@127.0.0.1/kiosk_bench_checkout
    .venv/bin/python bench/checkout.py --py-spy                # where the server's time goes

Steps: a fresh install in a temp dir (`kiosk migrate`; SQLite unless --database-url); a
staff API token from the CLI (`kiosk staff create`, `kiosk staff token`); then the data,
seeded in this process straight into the database with SQLAlchemy Core, 5,000 rows per
statement, every row as the services store it:

- `--customers` background customers (default 10,000; names and mobile numbers from
  demo.vietnamese_people, stored as customers.service.create_customer does), each with
  an active membership card (cards as cards.service.issue_card makes them) and 0 to 4
  purchases over the last 18 months, so that every table the till reads is large and
  its indexes matter;
- the regular: one more customer, in the middle of the id range, with a card and
  `--visits` past visits (default 1,000): half purchases (15,000 to 95,000 VND, spread
  over the last 18 months, so the tier's 12-month window matters: all of them would make
  a higher tier than the last 12 months do; one in 50 voided by an admin), half event
  check-ins spread over 5 past multi-day events that allow re-entry (events, invitations
  and kiosk devices made with events.service and checkin.service; check-ins with entry
  numbers 1, 2, 3...);
- as loyalty.service.record_purchase and customers.service.record_visit leave them:
  each purchase a `purchases` row (points = amount // KIOSK_LOYALTY_VND_PER_POINT,
  request_id a uuid, the cashier as staff_id) and its `visits` row (kind purchase,
  source_id = the purchase, whose visit_id names the visit); each check-in a `checkins`
  row and its visit (kind event, event_id, gate, device, source_id = the check-in); ids
  rising with time across all customers as they would; each customer's visit_count and
  last_visit_at; the `loyalty_accounts` balance = the points of their purchases not
  voided. Not seeded, as the till does not read them: the scan log of the check-ins and
  the feedback links of the past purchases; no coupons or complaints. Three rewards.

No visit falls within two days of the 12-month boundary, so no purchase leaves the
window while the bench runs. Then `kiosk serve` in its own process, and one httpx client
over one keep-alive connection sends, one request at a time, `--warmup` rounds (default 20, not
counted), then `--rounds` rounds (default 500) of:

    lookup     POST /api/v1/checkout/lookup {"code": the card's QR as the scanner reads
               it: the card link HTTP://HOST/C/<token>} -> the till's panel
    purchase   POST /api/v1/customers/{id}/purchases {"amount_vnd", "items",
               "request_id": a new uuid each time} -> 201

Latency is measured in this process around each request, the answer read in full. Every
answer is checked against the state this script expects (it follows every purchase it
makes): the right customer and card, visit_number = visits so far + 1, 20 recent visits
newest first (the last purchase on top), points, 12-month and total spend, tier and
next tier; for a purchase also its points, tier_before and new_tier. The server's CPU
time over the measured rounds is read from /proc. The last line:

    lookup_p50_ms=.. lookup_p99_ms=.. purchase_p50_ms=.. purchase_p99_ms=..

--py-spy: the server is sampled with py-spy (--gil) over the measured rounds, and the
shares of its Python time per kiosk_server function (inclusive) are printed; the raw
stacks stay in the work dir (with --keep). Sampling slows the server: latencies of such
a run are not comparable with others. Names, amounts and times are the same on every run
(fixed random seeds).

PostgreSQL (--database-url): the schema `public` of that database is DROPPED and
recreated. Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(BENCH_DIR))

import checkin as checkin_bench  # noqa: E402  (bench/checkin.py: fresh_install, Server, ...)
from customers import kiosk_cli, percentile  # noqa: E402  (bench/customers.py)

CHUNK = 5_000
SPAN = timedelta(days=548)  # 18 months of history
WINDOW = timedelta(days=365)  # loyalty.service.TIER_WINDOW
GAP = timedelta(days=2)  # no visit this close to the window's edge
EVENTS = 5
RECENT = 20  # loyalty.checkout.RECENT_VISITS
VOID_EVERY = 50
STAFF_USER = "bench"
STAFF_PASSWORD = "bench-password-1"
MENU = ["Cà phê sữa đá", "Bạc xỉu", "Trà đào cam sả", "Bánh mì thịt", "Bánh flan",
        "Trà sữa trân châu", "Nước cam ép", "Croissant bơ"]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=500,
                   help="measured rounds, each one lookup and one purchase (500)")
    p.add_argument("--warmup", type=int, default=20, help="unmeasured rounds first (20)")
    p.add_argument("--visits", type=int, default=1000,
                   help="the regular's past visits, half purchases, half check-ins (1000)")
    p.add_argument("--customers", type=int, default=10_000,
                   help="background customers, each with a card and 0-4 purchases (10000)")
    p.add_argument("--database-url", metavar="URL",
                   help="PostgreSQL instead of SQLite (its schema public is DROPPED first)")
    p.add_argument("--kiosk", default=str(REPO / ".venv" / "bin" / "kiosk"),
                   help="the kiosk command (default: the repo's .venv)")
    p.add_argument("--py-spy", action="store_true",
                   help="sample the server with py-spy over the measured rounds (costs time)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (db, server log)")
    return p.parse_args()


# --------------------------------------------------------------------------- the data

@dataclass
class Sale:
    customer: int  # index into the people list, then the customer's id
    at: datetime
    amount: int
    items: str
    staff_id: int
    voided: bool = False
    id: int | None = None


@dataclass
class Entry:
    """One check-in of the regular."""

    event: int  # index into the events
    number: int
    at: datetime
    id: int | None = None


@dataclass
class History:
    """What this script made and what the server must answer about the regular."""

    customer_id: int
    card_code: str
    card_link: str
    visit_count: int
    newest_visit_id: int
    points: int
    sales: list[tuple[datetime, int]]  # (when, amount) of the purchases not voided
    last_purchase: dict | None = None

    def spend(self, now: datetime) -> tuple[int, int]:
        """(spend over the last 12 months, spend in all), as loyalty.service.status."""
        recent = sum(amount for at, amount in self.sales if at > now - WINDOW)
        return recent, sum(amount for _, amount in self.sales)


def _past(rng: random.Random, now: datetime) -> datetime:
    """A moment in the last 18 months, not near the 12-month boundary."""
    while True:
        at = now - timedelta(seconds=rng.uniform(3600, SPAN.total_seconds()))
        if abs((now - at) - WINDOW) > GAP:
            return at


def _items(rng: random.Random) -> str:
    return ", ".join(f"{name} x{rng.randint(1, 3)}" for name in rng.sample(MENU, rng.randint(1, 3)))


def plan_sales(rng: random.Random, now: datetime, *, customers: int, regular: int,
               purchases: int, cashiers: list[int]) -> list[Sale]:
    """Every purchase, oldest first: the background customers' and the regular's."""
    sales = []
    for index in range(customers + 1):
        if index == regular:
            continue
        for _ in range(rng.randrange(5)):
            sales.append(Sale(index, _past(rng, now), rng.randrange(20, 900) * 1000,
                              _items(rng), rng.choice(cashiers), voided=rng.random() < 0.01))
    for n in range(purchases):
        sales.append(Sale(regular, _past(rng, now), rng.randrange(3, 20) * 5000, _items(rng),
                          rng.choice(cashiers), voided=n % VOID_EVERY == VOID_EVERY // 2))
    sales.sort(key=lambda sale: sale.at)
    return sales


def plan_events(rng: random.Random, now: datetime, entries: int) -> tuple[list, list[Entry]]:
    """EVENTS past multi-day events (start, end) spread over the 18 months, and the
    regular's `entries` check-ins at them, oldest first."""
    from kiosk_server.events.models import EventCreate

    events, checkins = [], []
    count = min(EVENTS, max(1, entries))
    for k in range(count):
        days_ago = 30 + (SPAN.days - 40) * (count - k) // count
        if abs(days_ago - WINDOW.days) < 7:
            days_ago += 10
        start = (now - timedelta(days=days_ago)).replace(hour=1, minute=0, second=0,
                                                       microsecond=0)
        events.append(EventCreate(
            name=f"Hội chợ cà phê {k + 1}", venue="Nhà văn hóa Thanh Niên", allow_reentry=True,
            starts_at=start, ends_at=start + timedelta(days=3, hours=12)))
        share = entries // count + (1 if k < entries % count else 0)
        times = sorted(start + timedelta(seconds=rng.uniform(0, 3.5 * 86400))
                       for _ in range(share))
        checkins += [Entry(k, n + 1, at) for n, at in enumerate(times)]
    return events, checkins


def _customer_row(name: str, phone: str, *, created_at: datetime, regular: bool) -> dict:
    """A customer as customers.service.create_customer stores it (visits added later)."""
    from kiosk_server.core.text import fold, normalize_phone
    from kiosk_server.customers.models import CustomerCreate

    data = CustomerCreate(full_name=name, phone=phone, consent_email=True,
                          email="khach.quen@example.com" if regular else None,
                          notes="Khách quen: cà phê ít đường." if regular else "")
    return dict(data.model_dump(exclude={"phone"}), phone=normalize_phone(data.phone),
                name_folded=fold(data.full_name), visit_count=0, last_visit_at=None,
                created_at=created_at)


def _insert(connection, table, rows: list[dict], returning: bool = True) -> list[int]:
    """Rows in statements of CHUNK; their ids in order."""
    from sqlalchemy import insert

    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        if returning:
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids += connection.scalars(statement, part).all()
        else:
            connection.execute(insert(table), part)
    return ids


def seed(url: str, settings, *, customers: int, visits: int) -> History:
    """The background customers and the regular, as described at the top."""
    from sqlalchemy import bindparam, select, update

    from kiosk_server.cards.models import Card
    from kiosk_server.checkin import service as checkin
    from kiosk_server.checkin.models import Checkin
    from kiosk_server.core.db import Database
    from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial, token_link
    from kiosk_server.core.types import utcnow
    from kiosk_server.customers.models import Customer, Visit, VisitKind
    from kiosk_server.demo import vietnamese_people
    from kiosk_server.events import service as events
    from kiosk_server.loyalty import rewards
    from kiosk_server.loyalty.models import LoyaltyAccount, Purchase, RewardCreate
    from kiosk_server.loyalty.service import points_for
    from kiosk_server.staff import service as staff
    from kiosk_server.staff.models import Role, StaffCreate, StaffUser

    rng = random.Random(2026)
    now = utcnow()
    people = vietnamese_people(customers + 1)
    regular = customers // 2
    database = Database(url)
    try:
        password_hash = staff.hash_password(STAFF_PASSWORD)
        with database.session() as session:
            admin_id = session.scalar(select(StaffUser.id).where(StaffUser.username == STAFF_USER))
            cashiers = [staff.create_staff(session, data=StaffCreate(
                username=f"thungan{n}", full_name=name, password=STAFF_PASSWORD,
                role=Role.STAFF), password_hash=password_hash).id
                for n, name in enumerate(["Phạm Thu Trang", "Đỗ Minh Khoa"], 1)]
            for name, cost in [("Cà phê sữa đá miễn phí", 300), ("Bánh ngọt", 500),
                               ("Túi vải Kiosk", 2000)]:
                rewards.create_reward(session, data=RewardCreate(name=name, points_cost=cost))
        cashiers.append(admin_id)
        sales = plan_sales(rng, now, customers=customers, regular=regular,
                           purchases=visits // 2, cashiers=cashiers)
        event_plans, entries = plan_events(rng, now, visits - visits // 2)

        # Customers, with the visits they will have; then their cards.
        created = now - SPAN - timedelta(days=30)
        rows = [_customer_row(name, phone, created_at=created, regular=i == regular)
                for i, (name, phone) in enumerate(people)]
        for sale in sales:
            rows[sale.customer]["visit_count"] += 1
            rows[sale.customer]["last_visit_at"] = sale.at  # oldest first: the last wins
        for entry in entries:
            rows[regular]["visit_count"] += 1
            last = rows[regular]["last_visit_at"]
            rows[regular]["last_visit_at"] = max(entry.at, last) if last else entry.at
        with database.engine.begin() as connection:
            ids = _insert(connection, Customer.__table__, rows)
            serials = [new_serial() for _ in ids]
            _insert(connection, Card.__table__, [
                {"customer_id": cid, "serial": serial, "active_customer_id": cid,
                 "issued_at": created, "revoked_at": None}
                for cid, serial in zip(ids, serials, strict=True)], returning=False)
        regular_id = ids[regular]
        for sale in sales:
            sale.customer = ids[sale.customer]

        # The events, the regular's invitations, a kiosk at each (the project's services).
        with database.session() as session:
            made = []
            for k, data in enumerate(event_plans):
                event = events.create_event(session, data=data)
                invitation, = events.invite(session, event_id=event.id, customer_ids=[regular_id])
                device, _ = checkin.register_device(session, event_id=event.id,
                                                    name=f"Kiosk cổng {'AB'[k % 2]}",
                                                    gate="AB"[k % 2], created_by=admin_id)
                made.append((event.id, invitation.id, device.id, device.gate))

        # Purchases, check-ins, then every visit: each table in time order.
        with database.engine.begin() as connection:
            purchase_ids = _insert(connection, Purchase.__table__, [
                {"customer_id": s.customer, "amount_vnd": s.amount,
                 "points": points_for(s.amount, settings), "items": s.items,
                 "staff_id": s.staff_id, "request_id": uuid.uuid4().hex, "occurred_at": s.at,
                 "voided_at": s.at + timedelta(minutes=10) if s.voided else None,
                 "voided_by": admin_id if s.voided else None,
                 "void_reason": "Khách đổi ý, hoàn tiền" if s.voided else "",
                 "visit_id": None} for s in sales])
            for sale, pid in zip(sales, purchase_ids, strict=True):
                sale.id = pid
            checkin_ids = _insert(connection, Checkin.__table__, [
                {"event_id": made[e.event][0], "invitation_id": made[e.event][1],
                 "customer_id": regular_id, "entry_number": e.number, "gate": made[e.event][3],
                 "device_id": made[e.event][2], "staff_id": None, "checked_in_at": e.at}
                for e in entries])
            for entry, cid in zip(entries, checkin_ids, strict=True):
                entry.id = cid
            timeline = sorted([(s.at, 0, s) for s in sales] + [(e.at, 1, e) for e in entries],
                              key=lambda item: (item[0], item[1]))
            visit_rows = []
            for at, _, what in timeline:
                if isinstance(what, Sale):
                    visit_rows.append({
                        "customer_id": what.customer, "kind": VisitKind.PURCHASE,
                        "occurred_at": at, "event_id": None, "source_id": what.id, "gate": "",
                        "device_id": None, "staff_id": what.staff_id})
                else:
                    event_id, _, device_id, gate = made[what.event]
                    visit_rows.append({
                        "customer_id": regular_id, "kind": VisitKind.EVENT, "occurred_at": at,
                        "event_id": event_id, "source_id": what.id, "gate": gate,
                        "device_id": device_id, "staff_id": None})
            visit_ids = _insert(connection, Visit.__table__, visit_rows)
            purchases = Purchase.__table__
            links = [{"pid": what.id, "vid": vid}
                     for (_, _, what), vid in zip(timeline, visit_ids, strict=True)
                     if isinstance(what, Sale)]
            statement = (update(purchases).where(purchases.c.id == bindparam("pid"))
                         .values(visit_id=bindparam("vid")))
            for start in range(0, len(links), CHUNK):
                connection.execute(statement, links[start:start + CHUNK])
            balances: dict[int, int] = {}
            for sale in sales:
                balances[sale.customer] = (balances.get(sale.customer, 0)
                                           + (0 if sale.voided else points_for(sale.amount,
                                                                               settings)))
            _insert(connection, LoyaltyAccount.__table__, [
                {"customer_id": cid, "points": points} for cid, points in balances.items()],
                returning=False)
    finally:
        database.dispose()

    signer = TokenSigner(settings.signing_key)
    code = signer.sign(TokenKind.CARD, serials[regular])
    mine = [s for s in sales if s.customer == regular_id]
    return History(
        customer_id=regular_id, card_code=code,
        card_link=token_link(settings.public_url, code, "c"),
        visit_count=rows[regular]["visit_count"],
        newest_visit_id=max(vid for (_, _, what), vid in zip(timeline, visit_ids, strict=True)
                            if (what.customer if isinstance(what, Sale) else regular_id)
                            == regular_id),
        points=balances.get(regular_id, 0),
        sales=[(s.at, s.amount) for s in mine if not s.voided])


# --------------------------------------------------------------------------- the cases

@dataclass
class Case:
    name: str
    latencies: list[float] = field(default_factory=list)

    def p(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)


class Checker:
    """The answers hold what the seeded data and the purchases made so far say."""

    def __init__(self, history: History, settings) -> None:
        from kiosk_server.loyalty.service import tier_for, tiers_of

        self.h = history
        self.tiers = tiers_of(settings)
        self.tier_for = tier_for
        self.vnd_per_point = settings.loyalty_vnd_per_point

    def standing(self) -> dict:
        from kiosk_server.core.types import utcnow

        recent, total = self.h.spend(utcnow())
        tier, following = self.tier_for(recent, self.tiers)
        return {"customer_id": self.h.customer_id, "points": self.h.points,
                "spend_12m_vnd": recent, "total_spend_vnd": total, "tier": tier.name,
                "next_tier": following.name if following else None,
                "to_next_tier_vnd": following.threshold_vnd - recent if following else None}

    @staticmethod
    def _same(what: str, got, expected) -> None:
        if got != expected:
            raise RuntimeError(f"{what}: got {got!r}, expected {expected!r}")

    def lookup(self, panel: dict) -> None:
        h = self.h
        self._same("lookup customer", panel["customer"]["id"], h.customer_id)
        self._same("lookup card_code", panel["card_code"], h.card_code)
        self._same("lookup visit_count", panel["customer"]["visit_count"], h.visit_count)
        self._same("lookup visit_number", panel["visit_number"], h.visit_count + 1)
        self._same("lookup loyalty", panel["loyalty"], self.standing())
        recent = panel["recent_visits"]
        self._same("lookup recent visits", len(recent), min(RECENT, h.visit_count))
        times = [visit["occurred_at"] for visit in recent]
        if times != sorted(times, reverse=True):
            raise RuntimeError("lookup: recent visits are not newest first")
        top = recent[0]
        if h.last_purchase is None:
            self._same("lookup newest visit", top["id"], h.newest_visit_id)
        else:
            got = (top["kind"], top["purchase_id"], top["amount_vnd"], top["staff_name"])
            self._same("lookup newest visit", got, ("purchase", h.last_purchase["id"],
                                                    h.last_purchase["amount_vnd"], STAFF_USER))
        self._same("lookup rewards", len(panel["rewards"]), 3)

    def purchase(self, result: dict, amount: int, tier_before: str) -> None:
        from datetime import datetime as dt

        h = self.h
        sale = result["purchase"]
        self._same("purchase customer", sale["customer_id"], h.customer_id)
        self._same("purchase points", sale["points"], amount // self.vnd_per_point)
        self._same("purchase replayed", result["replayed"], False)
        h.points += sale["points"]
        h.visit_count += 1
        h.sales.append((dt.fromisoformat(sale["occurred_at"]), amount))
        h.last_purchase = sale
        after = self.standing()
        self._same("purchase status", result["status"], after)
        self._same("purchase tier_before", result["tier_before"], tier_before)
        names = [tier.name for tier in self.tiers]
        self._same("purchase new_tier", result["new_tier"],
                   names.index(after["tier"]) > names.index(tier_before))


def measure(base: str, token: str, checker: Checker, rounds: int, warmup: int,
            on_start=None) -> tuple[Case, Case]:
    """Warm-up rounds, then `rounds` rounds of a lookup and a purchase, one at a time on
    one keep-alive connection."""
    import httpx

    lookup, purchase = Case("lookup"), Case("purchase")
    h = checker.h
    rng = random.Random(7)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=60, limits=httpx.Limits(max_connections=1)) as client:

        def post(case: Case, path: str, body: dict, expected: int, timed: bool) -> dict:
            started = time.perf_counter()
            answer = client.post(path, json=body)  # read in full before it returns
            elapsed = (time.perf_counter() - started) * 1000
            if answer.status_code != expected:
                raise RuntimeError(f"{case.name}: HTTP {answer.status_code} {answer.text[:400]}")
            if timed:
                case.latencies.append(elapsed)
            return answer.json()

        for n in range(warmup + rounds):
            timed = n >= warmup
            if n == warmup and on_start is not None:
                on_start()
            panel = post(lookup, "/api/v1/checkout/lookup", {"code": h.card_link}, 200, timed)
            checker.lookup(panel)
            amount = rng.randrange(5, 40) * 5000
            body = {"amount_vnd": amount, "items": _items(rng), "request_id": uuid.uuid4().hex}
            result = post(purchase, f"/api/v1/customers/{h.customer_id}/purchases", body, 201,
                          timed)
            checker.purchase(result, amount, tier_before=panel["loyalty"]["tier"])
    return lookup, purchase


# --------------------------------------------------------------------------- py-spy

class Spy:
    """py-spy recording the server (--gil: samples are its Python time) until stopped."""

    RATE = 200

    def __init__(self, command: str, pid: int, out: Path) -> None:
        import subprocess

        self.out = out
        self._log = open(out.with_suffix(".log"), "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [command, "record", "-p", str(pid), "--gil", "--nonblocking", "-r", str(self.RATE),
             "-f", "raw", "-o", str(out)], stdout=subprocess.DEVNULL, stderr=self._log)

    def stop(self) -> None:
        import signal
        import subprocess

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def summary(self, top: int = 25) -> str:
        """Inclusive share of the samples per kiosk_server function, largest first."""
        from collections import Counter

        if not self.out.exists():
            return f"py-spy wrote no profile (see {self.out.with_suffix('.log')})"
        shares: Counter[str] = Counter()
        total = 0
        for line in self.out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack:
                continue
            total += int(count)
            names = set()
            for frame in stack.split(";"):
                if "(kiosk_server/" in frame:
                    function, _, where = frame.partition(" (")
                    names.add(f"{where.split(':')[0]}:{function}")
            for name in names:
                shares[name] += int(count)
        lines = [f"py-spy: {total} samples at {self.RATE}/s of the server's Python time; "
                 f"inclusive share per function (cli.py:serve: the main thread, uvicorn's loop):"]
        lines += [f"  {100 * n / max(1, total):5.1f}%  {name}"
                  for name, n in shares.most_common(top)]
        return "\n".join(lines)


# --------------------------------------------------------------------------- main

def main() -> int:
    args = parse_args()
    if not Path(args.kiosk).exists():
        print(f"error: kiosk command not found at {args.kiosk} (see --kiosk)", file=sys.stderr)
        return 2
    spy_command = checkin_bench.py_spy_command() if args.py_spy else None
    if args.py_spy and spy_command is None:
        print("error: --py-spy needs py-spy (.venv/bin/pip install py-spy)", file=sys.stderr)
        return 2
    if args.visits < 2 * RECENT or args.rounds < 1:
        print(f"error: --visits must be at least {2 * RECENT}, --rounds at least 1",
              file=sys.stderr)
        return 2

    work, env, settings = checkin_bench.fresh_install("kiosk-bench-checkout-", args.database_url)
    url = settings.resolved_database_url
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Kiosk till benchmark on {backend} ({url}): a regular with {args.visits} visits, "
          f"{args.customers} other customers; work dir {work}")
    checkin_bench.check_background_load()

    with checkin_bench.BenchRun(work, keep=args.keep) as run:
        if args.database_url:
            checkin_bench.reset_postgres(args.database_url)
        started = time.monotonic()
        kiosk_cli(args.kiosk, env, "migrate")
        kiosk_cli(args.kiosk, env, "staff", "create", "--username", STAFF_USER,
                  "--password", STAFF_PASSWORD, "--role", "admin")
        token = kiosk_cli(args.kiosk, env, "staff", "token", STAFF_USER,
                          "--label", "bench").splitlines()[-1]
        seeding = time.monotonic()
        history = seed(url, settings, customers=args.customers, visits=args.visits)
        size = ""
        if not args.database_url:
            from sqlalchemy.engine import make_url

            size = f"; database {Path(make_url(url).database).stat().st_size / 1e6:.1f} MB"
        print(f"installed in {time.monotonic() - started:.1f} s (seeding "
              f"{time.monotonic() - seeding:.1f} s): regular = customer {history.customer_id}, "
              f"{history.visit_count} visits, {history.points} points{size}")

        server = run.serve(args.kiosk, env)

        checker = Checker(history, settings)
        before = checker.standing()
        print(f"before: tier {before['tier']} on {before['spend_12m_vnd']:,} VND in 12 months "
              f"({before['total_spend_vnd']:,} VND in all)")
        spy: Spy | None = None
        marks: dict[str, float] = {}

        def on_start() -> None:  # the measured rounds begin
            nonlocal spy
            if spy_command:
                spy = Spy(spy_command, server.proc.pid, work / "py-spy.txt")
            marks["cpu"], marks["at"] = server.cpu_seconds(), time.monotonic()
            marks["busy"], marks["total"] = checkin_bench.machine_busy()

        try:
            lookup, purchase = measure(server.base, token, checker, args.rounds, args.warmup,
                                       on_start)
        finally:
            if spy is not None:
                spy.stop()
        seconds = time.monotonic() - marks["at"]
        cpu = server.cpu_seconds() - marks["cpu"]
        busy1, total1 = checkin_bench.machine_busy()
        busy0, total0 = marks["busy"], marks["total"]
        after = checker.standing()
        print(f"after: tier {after['tier']}, {after['points']} points, "
              f"{history.visit_count} visits")

        requests = 2 * args.rounds
        print(f"\n{'case':<10} {'requests':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
              f"{'max ms':>8}")
        for case in (lookup, purchase):
            print(f"{case.name:<10} {len(case.latencies):>8} {case.p(0.50):>8.2f} "
                  f"{case.p(0.90):>8.2f} {case.p(0.99):>8.2f} {max(case.latencies):>8.2f}")
        print(f"{requests} measured requests in {seconds:.1f} s, one at a time (after "
              f"{2 * args.warmup} warm-up); server CPU {cpu:.2f} s = "
              f"{1000 * cpu / requests:.2f} ms/request; "
              f"machine busy {100 * (busy1 - busy0) / max(1, total1 - total0):.0f}% "
              f"of {os.cpu_count()} cores")
        if spy is not None:
            print(spy.summary())
        met = [f"{case.name} p99 {case.p(0.99):.2f} ms "
               f"{'MET' if case.p(0.99) < 10 else 'NOT MET'}" for case in (lookup, purchase)]
        print(f"target (SQLite, 2 cores; this run: {backend}): p99 < 10 ms: " + "; ".join(met))
        print(f"lookup_p50_ms={lookup.p(0.50):.2f} lookup_p99_ms={lookup.p(0.99):.2f} "
              f"purchase_p50_ms={purchase.p(0.50):.2f} purchase_p99_ms={purchase.p(0.99):.2f}")
        return 0
    return run.status


if __name__ == "__main__":
    sys.exit(main())
