"""A synthetic shop history for the demo, the retention bench and its tests: customers
with their own rhythms, seasonal traffic, and drifters planted at known places.

Most customers are regulars, each with their own usual interval (4 to 40 days, visits a
little early or late, more of them near the weekend and in the busy months), whose last
visit is within half an interval and whose spend is steady or growing: none of them is
flagged. A few are occasional (one to three visits in the last months: `new`). The
planted drifters sit exactly on, and a day or a percent either side of, each threshold
of the default settings; `Planted` says what each must be found to be.

The rows are written in bulk on the driver (`Prepared.many`): a million visits in
seconds. Written by the top layer (like the demo): it fills several domains' tables."""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlmodel import Session, col

from kiosk_server.core.db import Prepared, prepared_insert
from kiosk_server.core.text import fold
from kiosk_server.core.types import utcnow
from kiosk_server.customers.models import Customer, Visit, VisitKind
from kiosk_server.demo import vietnamese_people
from kiosk_server.loyalty.models import Purchase
from kiosk_server.retention.models import Reason, Status

HISTORY_DAYS = 365
PLANT_INTERVAL = 10  # the planted drifters' usual interval, in days
PLANT_SPEND_BEFORE = 1_000_000


@dataclass(frozen=True)
class Planted:
    """A customer placed on purpose, and the status and reason they must get."""

    customer_id: int
    status: Status
    reason: Reason
    label: str  # where they stand ("1.5x overdue, a day under")


@dataclass
class _Person:
    visit_days: list[int]  # days ago, any order
    sales: dict[int, int] = field(default_factory=dict)  # days ago -> amount
    expect: tuple[Status, Reason, str] | None = None


def _planted() -> Iterator[_Person]:
    """The drifters, at each boundary of the default thresholds (and a step either side)."""
    rhythm = PLANT_INTERVAL
    for multiple, status in ((1.5, Status.WATCH), (2.0, Status.AT_RISK), (3.0, Status.LAPSED)):
        at = int(multiple * rhythm)
        below = Status.ACTIVE if multiple == 1.5 else (Status.WATCH if multiple == 2.0
                                                        else Status.AT_RISK)
        for since, expected in ((at - 1, below), (at, status), (at + 1, status)):
            reason = Reason.ON_RHYTHM if expected is Status.ACTIVE else Reason.OVERDUE
            yield _Person([since + rhythm * n for n in range(5)],
                          expect=(expected, reason, f"{multiple}x overdue, {since} days"))
    for drop, status in ((20, Status.WATCH), (50, Status.AT_RISK)):
        below = Status.ACTIVE if drop == 20 else Status.WATCH
        for pct, expected in ((drop - 1, below), (drop, status), (drop + 1, status)):
            days = [2 + rhythm * n for n in range(14)]
            recent = PLANT_SPEND_BEFORE * (100 - pct) // 100
            reason = Reason.ON_RHYTHM if expected is Status.ACTIVE else Reason.SPEND_DOWN
            yield _Person(days, sales={22: recent, 122: PLANT_SPEND_BEFORE},
                          expect=(expected, reason, f"spend down {pct} %"))
    for since, expected, reason in ((179, Status.NEW, Reason.FEW_VISITS),
                                    (180, Status.LAPSED, Reason.LONG_ABSENCE),
                                    (181, Status.LAPSED, Reason.LONG_ABSENCE)):
        yield _Person([since, since + 20], expect=(expected, reason, f"{since} days away"))


def _season(days_ago: int) -> float:
    """How busy the shop is that day: a yearly wave (Tết's month the busiest)."""
    return 1.0 + 0.35 * math.cos(2 * math.pi * (days_ago - 300) / 365)


def _regular(rng: random.Random) -> _Person:
    interval = rng.uniform(4, 40)
    since = rng.randrange(0, max(1, int(interval * 0.5)))
    days, day = [], since
    while day < HISTORY_DAYS:
        days.append(day)
        # Busy months pull the next visit a little closer; any visit is a bit early or late.
        day += max(1, round(interval * rng.uniform(0.85, 1.15) / _season(day) ** 0.3))
    spend = rng.choice((50_000, 80_000, 120_000, 200_000, 350_000))
    sales = {d: int(round(spend * rng.uniform(0.7, 1.3), -3)) for d in days
             if rng.random() < 0.6}
    # Steady or growing: a regular is never a drifter by accident. The windows are counted
    # a day narrower (recent) and wider (before) than the status's, whatever the hour.
    recent = sum(v for d, v in sales.items() if d < 89)
    before = sum(v for d, v in sales.items() if 88 <= d <= 181)
    if recent < before:
        sales[since] = sales.get(since, 0) + before - recent
    return _Person(days, sales)


def _occasional(rng: random.Random) -> _Person:
    count = rng.randint(1, 3)
    return _Person(sorted(rng.sample(range(0, 150), count)))


def people(count: int, *, seed: int = 2026) -> list[_Person]:
    """`count` customers' histories, the planted drifters first (all of them, whatever
    `count`: the tests check each)."""
    rng = random.Random(seed)
    found = list(_planted())
    while len(found) < count:
        found.append(_occasional(rng) if rng.random() < 0.15 else _regular(rng))
    return found


_CUSTOMER_COLUMNS = ["full_name", "phone", "name_folded", "notes", "consent_email",
                     "consent_sms", "tags", "visit_count", "last_visit_at", "created_at"]
_ADD_CUSTOMER = prepared_insert(Customer, _CUSTOMER_COLUMNS)
_ADD_VISIT = prepared_insert(Visit, ["customer_id", "kind", "occurred_at", "gate"])
_ADD_PURCHASE = prepared_insert(Purchase, ["customer_id", "amount_vnd", "points", "items",
                                           "request_id", "occurred_at", "void_reason"])


def _moment(now: datetime, zone: ZoneInfo, days_ago: int) -> datetime:
    """A visit's time `days_ago` local days before now: in the morning (a little later on
    some days); today's, a few minutes ago."""
    if days_ago == 0:
        return now - timedelta(minutes=5)
    local = now.astimezone(zone).replace(hour=8 + days_ago % 4, minute=days_ago * 7 % 60,
                                         second=0, microsecond=0)
    return (local - timedelta(days=days_ago)).astimezone(UTC)


def write(session: Session, histories: list[_Person], *, zone: ZoneInfo,
          now: datetime | None = None, batch: int = 20_000) -> list[Planted]:
    """Write the histories as customers, visits and sales, in the caller's transaction, a
    batch of customers at a time; the planted ones."""
    now = now or utcnow()
    names = vietnamese_people(len(histories), seed=len(histories))
    planted: list[Planted] = []
    for start in range(0, len(histories), batch):
        chunk = histories[start:start + batch]
        planted += _write_batch(session, chunk, names[start:start + batch], zone=zone, now=now)
    return planted


_NEW_IDS = Prepared(select(col(Customer.id)).where(col(Customer.id) > bindparam("after"))
                    .order_by(col(Customer.id)))


def _write_batch(session: Session, histories: list[_Person], names: list[tuple[str, str]], *,
                 zone: ZoneInfo, now: datetime) -> list[Planted]:
    last_id = session.scalar(select(func.max(Customer.id))) or 0
    times = [{d: _moment(now, zone, d) for d in person.visit_days} for person in histories]
    _ADD_CUSTOMER.many(session, [
        {"full_name": name, "phone": None, "name_folded": fold(name), "notes": "",
         "consent_email": False, "consent_sms": False, "tags": [],
         "visit_count": len(when), "last_visit_at": max(when.values(), default=None),
         "created_at": now - timedelta(days=HISTORY_DAYS)}
        for (name, _phone), when in zip(names, times, strict=True)])
    # Ids are handed out in insertion order (nothing else writes customers meanwhile).
    ids = [row[0] for row in _NEW_IDS.rows(session, {"after": last_id})]
    visits, sales, planted = [], [], []
    for customer_id, person, when in zip(ids, histories, times, strict=True):
        for day, at in when.items():
            sold = person.sales.get(day)
            visits.append({"customer_id": customer_id, "occurred_at": at, "gate": "",
                           "kind": VisitKind.PURCHASE if sold else VisitKind.EVENT})
            if sold:
                sales.append({"customer_id": customer_id, "amount_vnd": sold,
                              "points": sold // 10_000, "items": "",
                              "request_id": f"history-{customer_id}-{day}",
                              "occurred_at": at, "void_reason": ""})
        if person.expect is not None:
            planted.append(Planted(customer_id, *person.expect))
    if visits:
        _ADD_VISIT.many(session, visits)
    if sales:
        _ADD_PURCHASE.many(session, sales)
    return planted
