"""Each customer's status against their own rhythm: the thresholds (one row, set by
admins), recomputing statuses a batch at a time, reading them, and their changes.

A recomputation reads a batch of customers' visit days and spend in one aggregate pass
each (through the customers and loyalty services), scores the batch with the
return-visit model in use (`fit`: all at once), computes each status (`rhythm`), writes
the rows whose figures moved, and records a `StatusChange` for each status that
changed; the changes are announced live to managers once committed."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import (
    Column,
    Float,
    String,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.types import NullType, TypeDecorator
from sqlmodel import Session, col

from kiosk_server.core.calendar import day_date
from kiosk_server.core.db import (
    Executor,
    Prepared,
    copy_in,
    dialect_insert,
    id_range,
    on_commit,
    prepared_insert,
    staging,
)
from kiosk_server.core.db import table_of as _table
from kiosk_server.core.types import UtcDateTime, utcnow
from kiosk_server.customers import service as customers
from kiosk_server.customers import visit_days
from kiosk_server.customers.models import Customer
from kiosk_server.live.channels import MANAGER_ALERTS
from kiosk_server.live.hub import LocalHub
from kiosk_server.loyalty import service as loyalty
from kiosk_server.retention import bgnbd, fit, rhythm
from kiosk_server.retention.fit import RetentionFit
from kiosk_server.retention.models import (
    CustomerStatus,
    CustomerStatusListed,
    CustomerStatusPage,
    CustomerStatusPublic,
    Reason,
    RetentionSettings,
    RetentionSettingsPublic,
    RetentionSettingsUpdate,
    Status,
    StatusChange,
)

# Customers per transaction in a full pass.
BATCH = 2000
_SETTINGS_FIELDS = list(RetentionSettingsUpdate.model_fields)

# ---------------------------------------------------------------- settings

# Not `Prepared`: its compiled plans have no result processor for floats on PostgreSQL
# (and these are read once per batch, not per check-in).
_READ_SETTINGS = select(*_table(RetentionSettings).c).where(col(RetentionSettings.id) == 1)
_DEFAULTS = RetentionSettings().model_dump(include={"id", *_SETTINGS_FIELDS})
_ADD_DEFAULTS = prepared_insert(RetentionSettings, list(_DEFAULTS), ignore_conflicts=True)


def current_settings(db: Executor) -> RetentionSettings:
    """The thresholds now (the defaults when none were ever saved)."""
    found = db.execute(_READ_SETTINGS).first()
    return RetentionSettings.model_validate(found._asdict() if found else _DEFAULTS)


def settings_public(row: RetentionSettings) -> RetentionSettingsPublic:
    return RetentionSettingsPublic.model_validate(row.model_dump())


def update_settings(session: Session, *, data: RetentionSettingsUpdate, by: int | None
                    ) -> tuple[RetentionSettings, dict[str, Any]]:
    """Save the thresholds; the row as saved and the values that changed (for the audit
    log). Statuses follow at the next recomputation (the nightly pass, or a visit)."""
    _ADD_DEFAULTS.rows(session, _DEFAULTS)
    before = session.scalars(select(RetentionSettings).where(col(RetentionSettings.id) == 1)
                             .with_for_update()).one()
    changed = {name: value for name, value in data.model_dump().items()
               if getattr(before, name) != value}
    if changed:
        session.execute(update(RetentionSettings).where(col(RetentionSettings.id) == 1)
                        .values(**changed, updated_at=utcnow(), updated_by=by)
                        .execution_options(synchronize_session=False))
        session.refresh(before)
    return before, changed


def settings_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """The settings' one row, for the audit log."""
    return {row_id: "Ngưỡng giữ chân khách" for row_id in ids}


# ---------------------------------------------------------------- recomputing

# A status row's figures, in the order of a row built by `recompute`: what a rewrite
# compares; `changed_at` and `computed_at` are the same for every row written at once.
_FIGURES = ("customer_id", "status", "reason", "visit_count", "usual_interval_days",
            "last_visit_day", "spend_recent_vnd", "spend_before_vnd", "usual_spend_vnd", "p_alive",
            "expected_visits_90d")
_YEAR_DAYS = 365
# Statuses and reasons travel as their plain values: no enum conversion for every row.
_AS_TEXT = {"status", "reason"}
_STATUS_TEXT = np.array([status.value for status in rhythm.STATUSES], dtype=object)
_REASON_TEXT = np.array([reason.value for reason in rhythm.REASONS], dtype=object)
_NO_SPEND = (0, 0, 0)
# Read as the driver gives them (a float: SQLAlchemy's float result processor needs a
# cursor's description on PostgreSQL, which a `Prepared` plan has not).
_AS_GIVEN = {"usual_interval_days", "p_alive", "expected_visits_90d"}


def _plain(name: str) -> Any:
    column = _table(CustomerStatus).c[name]
    if name in _AS_TEXT:
        return type_coerce(column, String)
    return type_coerce(column, NullType) if name in _AS_GIVEN else column


def _stored(*, one: bool = False) -> Any:
    """The status rows of the customers from `first_id` to `last_id` (`id_range`)."""
    return (select(*(_plain(name) for name in _FIGURES))
            .where(id_range(col(CustomerStatus.customer_id), one=one)))


def _still() -> Any:
    """The customers from `first_id` to `last_id` not erased, each with their status row
    if they have one (its columns NULL if not), that row locked until the transaction ends:
    two passes at once (two server processes) record one change, the second waiting (FOR
    UPDATE on PostgreSQL; SQLite has one writer at a time anyway)."""
    table = _table(Customer)
    stored = _stored().with_for_update().subquery("stored")
    return (select(table.c.id, *stored.c)
            .select_from(table.outerjoin(stored, stored.c.customer_id == table.c.id))
            .where(id_range(table.c.id), table.c.erased_at.is_(None)))


_STILL = Prepared(_still())


class _FloatAsGiven(TypeDecorator[float]):
    """A float parameter that goes to the driver as Python has it (the statuses' floats
    are floats or None already): no conversion for each of a pass's 100,000 rows."""

    impl = Float
    cache_ok = True

    def bind_processor(self, dialect: Any) -> None:
        return None


def _upsert(dialect: str, *, staged: bool = False) -> Any:
    """Rows in, each existing one updated: one row per execution, in an `executemany`; or
    (`staged`, PostgreSQL) all at once, read from `_GIVEN` where `copy_in` put them (an
    `executemany` there costs a round trip's work for every row)."""
    table = _table(CustomerStatus)
    at = bindparam("at", type_=UtcDateTime())
    if staged:
        statement = dialect_insert(dialect, table).from_select(
            [*_FIGURES, "changed_at", "computed_at"], select(*_GIVEN.c, at, at))
    else:
        statement = dialect_insert(dialect, table).values(
            {**{name: bindparam(name, type_=_FloatAsGiven() if name in _AS_GIVEN
                                else _value_type(name)) for name in _FIGURES},
             "changed_at": at, "computed_at": at})
    return statement.on_conflict_do_update(index_elements=["customer_id"], set_={
        **{name: statement.excluded[name] for name in _FIGURES[1:]},
        # Figures moved within one status: it became what it is earlier.
        "changed_at": case((table.c.status == statement.excluded.status, table.c.changed_at),
                           else_=statement.excluded.changed_at),
        "computed_at": statement.excluded.computed_at})


def _value_type(name: str) -> Any:
    return String() if name in _AS_TEXT else _table(CustomerStatus).c[name].type


# The rows of a large write on PostgreSQL, on their way in (statuses and reasons as their
# words).
_GIVEN = staging("status_given", *(Column(name, _value_type(name)) for name in _FIGURES))
_UPSERT = Prepared(_upsert)
_UPSERT_STAGED = Prepared(partial(_upsert, staged=True))
# From this many rows, PostgreSQL's are staged. COPY and its statement are three round
# trips: worth it for a batch's thousands of rows, not for the one row written after a
# visit (a recomputation took 1.3 ms at the median with it, 0.65 ms without). The point
# between is a guess, not measured.
_STAGED_FROM = 20


def _write(session: Session, rows: list[tuple], at: datetime) -> None:
    """Write these status rows (`_FIGURES`), computed at `at`."""
    if len(rows) >= _STAGED_FROM and session.connection().dialect.name == "postgresql":
        copy_in(session, _GIVEN, rows)
        _UPSERT_STAGED.rows(session, {"at": at})
    else:
        _UPSERT.many(session, rows, shared={"at": at}, columns=_FIGURES)


_ADD_CHANGE = prepared_insert(StatusChange, ["customer_id", "from_status", "to_status",
                                             "reason", "changed_at"])


@dataclass(frozen=True)
class Moment:
    """When a recomputation stands: the time, the shop's local day, the thresholds, and
    the return-visit model in use (None before its first good fit)."""

    now: datetime
    today: int  # local day number
    offset_s: int  # the shop's offset from UTC now
    thresholds: rhythm.Thresholds
    model: bgnbd.Parameters | None = None

    @classmethod
    def of(cls, db: Executor, zone: ZoneInfo, now: datetime | None = None) -> "Moment":
        """The moment now (or at `now`): the thresholds and the model read in one light
        statement."""
        now = now or utcnow()
        # A join from one row: always one.
        return cls.of_values(_MOMENT.one(db), now, fit.zone_offset(zone, now))

    @classmethod
    def of_values(cls, found: Sequence[Any], now: datetime, offset_s: int) -> "Moment":
        """The moment of a row of `_moment`'s columns read at `now`, when the shop was
        `offset_s` from UTC."""
        values = dict(zip([*_THRESHOLDS, *bgnbd.PARAMETERS], found, strict=False))
        thresholds = rhythm.Thresholds(**{
            name: _DEFAULTS[name] if values[name] is None else values[name]
            for name in _THRESHOLDS})
        model = (bgnbd.Parameters(*(float(values[name]) for name in bgnbd.PARAMETERS))
                 if values[bgnbd.PARAMETERS[0]] is not None else None)
        return cls(now, fit.local_day(now, offset_s), offset_s, thresholds, model)


_THRESHOLDS = list(rhythm.Thresholds.__dataclass_fields__)


def _moment() -> Any:
    """One row: each threshold as saved (NULL: never saved) and the parameters of the
    latest good fit (NULL: none yet), each read as the driver gives it (short: it is also
    a part of `_reads`, whose text the driver parses once only below a length)."""
    settings, fits = _table(RetentionSettings), _table(RetentionFit)
    latest = select(func.max(fits.c.id)).where(fits.c.converged.is_(True)).scalar_subquery()
    one = select(literal(1).label("one")).subquery("one")
    return (select(*(type_coerce(settings.c[name], NullType).label(name)
                     for name in _THRESHOLDS),
                   *(type_coerce(fits.c[name], NullType).label(name)
                     for name in bgnbd.PARAMETERS))
            .select_from(one.outerjoin(settings, settings.c.id == 1)
                         .outerjoin(fits, fits.c.id == latest)))


_MOMENT = Prepared(_moment())


@dataclass(frozen=True)
class Change:
    customer_id: int
    before: Status | None  # None: the customer's first status; may be the same as after's
    after: rhythm.Standing


class StatusHook(Protocol):
    """A higher domain told of every status row a recomputation wrote (a first status, a
    change, or the same status with moved figures: a visit moves the last visit's day),
    and of each drifting customer's (watch, at risk, lapsed) that stood as it was, in its
    transaction: what the hook writes commits with them. Registered at start-up
    (retention imports nothing above it)."""

    def __call__(self, session: Session, changes: Sequence[Change], *, at: datetime) -> None:
        ...


@dataclass(frozen=True)
class Reads:
    """What recomputing the customers of an id range reads (`read`): the customers
    (not erased, ascending), their visits by local day, their spend (recent, before, a
    year's), and their status rows as stored."""

    ids: list[int]
    days: visit_days.DayTable
    spend: dict[int, tuple[int, int, int]]
    stored: dict[int, tuple]


def _reads(dialect: str, *, one: bool) -> Any:
    """All of `Reads` in one statement, one row per customer from `first_id` to `last_id`
    (the domains' own aggregates joined: `visit_days.days_between`,
    `loyalty.spend_windows_between`). `one`: what a recomputation after a visit reads,
    for the customer `first_id` (`id_range`): first the moment's columns (`_moment`), in
    one row even for a customer erased or never there (their columns NULL); their status
    row locked until the transaction ends (PostgreSQL: two recomputations of a customer
    at once record one change; SQLite has one writer at a time anyway); on PostgreSQL
    last, the transaction's commit made not to wait for the disk (`commit_without_waiting`:
    statuses can be computed again)."""
    table = _table(Customer)
    people = table.c
    days = visit_days.days_between(dialect, one=one).subquery("days")
    spend = loyalty.spend_windows_between(one=one).subquery("spend")
    stored = (_stored(one=True).with_for_update() if one else _stored()).subquery("stored")
    columns = [people.id, days.c.visits, days.c.days, spend.c.recent, spend.c.before,
               spend.c.year, *(stored.c[name] for name in _FIGURES)]
    joined = (table.outerjoin(days, days.c.customer_id == people.id)
              .outerjoin(spend, spend.c.customer_id == people.id)
              .outerjoin(stored, stored.c.customer_id == people.id))
    followed = and_(id_range(people.id, one=one), people.erased_at.is_(None))
    if not one:
        return select(*columns).select_from(joined).where(followed).order_by(people.id)
    moment = _moment().subquery("moment")
    statement = select(*moment.c, *columns).select_from(moment.outerjoin(joined, followed))
    if dialect == "postgresql":
        statement = statement.add_columns(func.set_config("synchronous_commit", "off", True))
    return statement


_READS = Prepared(partial(_reads, one=False))
_READS_ONE = Prepared(partial(_reads, one=True))
_MOMENT_WIDTH = len(_THRESHOLDS) + len(bgnbd.PARAMETERS)


def read(db: Executor, *, first_id: int, last_id: int, now: datetime, offset_s: int
         ) -> Reads:
    """What recomputing the customers from `first_id` to `last_id` at `now` reads (a
    `Moment`'s time and offset: its thresholds and model are not needed yet), in one
    statement, locking nothing (the full pass reads its batches ahead)."""
    return _reads_of(_READS.rows(db, _read_params(first_id, last_id, now, offset_s)))


def read_one(db: Executor, *, customer_id: int, zone: ZoneInfo) -> tuple[Moment, Reads]:
    """What recomputing one customer after their visit reads, now, in one statement: the
    moment and the customer (no one when they were erased, or never there), their status
    row locked until the transaction ends, whose commit (PostgreSQL) does not wait for the
    disk: statuses can be computed again after a crash."""
    now = utcnow()
    offset_s = fit.zone_offset(zone, now)
    [found] = _READS_ONE.rows(db, _read_params(customer_id, customer_id, now, offset_s))
    reads = _reads_of([found[_MOMENT_WIDTH:]] if found[_MOMENT_WIDTH] is not None else [])
    return Moment.of_values(found[:_MOMENT_WIDTH], now, offset_s), reads


def _read_params(first_id: int, last_id: int, now: datetime, offset_s: int) -> dict[str, Any]:
    return {"first_id": first_id, "last_id": last_id, "offset_s": offset_s,
            **loyalty.spend_window_params(until=now, year_days=_YEAR_DAYS)}


def _reads_of(found: list[tuple]) -> Reads:
    """`Reads` from rows of `_reads`' customer columns."""
    return Reads(
        [row[0] for row in found],
        visit_days.day_table([row[:3] for row in found if row[1]]),
        {row[0]: loyalty.spend_in_windows(*row[3:6]) for row in found if row[3] is not None},
        {row[6]: row[6:6 + len(_FIGURES)] for row in found if row[6] is not None})


@dataclass(frozen=True)
class Batch:
    """A batch of the full pass read ahead, outside its write transaction (`read_batch`):
    the customers, their status rows as computed, the rows stored as they were read."""

    ids: list[int]
    rows: list[tuple]
    stored: dict[int, tuple]


def read_batch(db: Executor, ids: list[int], *, moment: Moment) -> Batch:
    """The statuses of the customers `ids` (ascending) computed, and their rows as stored,
    in the caller's (read) transaction: the full pass reads batches while it writes the
    one before."""
    reads = read(db, first_id=ids[0], last_id=ids[-1], now=moment.now,
                 offset_s=moment.offset_s)
    return Batch(reads.ids, _computed(reads, moment), reads.stored)


def recompute(session: Session, *, moment: Moment, hub: LocalHub | None = None,
              hooks: Sequence[StatusHook] = (), read: Batch | None = None,
              reads: Reads | None = None) -> list[Change]:
    """Recompute the statuses of some customers, in the caller's transaction: those `read`
    ahead (a batch of the full pass), or those of `reads` (read in this transaction,
    locked); the changes (from a previous status), announced once committed. `hooks`
    hear of every row written. A customer read ahead whose row another recomputation wrote
    since is left as it is (that one came after the read, and its customer's visits after
    it bring another), and so is a customer erased since."""
    if read is not None:
        ids, rows = read.ids, read.rows
        found = _STILL.rows(session, {"first_id": ids[0], "last_id": ids[-1]}) if ids else []
        old = {row[1]: row[1:] for row in found if row[1] is not None}
        still = {row[0] for row in found}
        writes = [row for row in rows if _moved(old.get(row[0]), row)
                  and old.get(row[0]) == read.stored.get(row[0]) and row[0] in still]
    else:
        assert reads is not None
        ids, rows, old = reads.ids, _computed(reads, moment), reads.stored
        writes = [row for row in rows if _moved(old.get(row[0]), row)]
    if writes:
        _write(session, writes, moment.now)
    changes = [Change(row[0], Status(old[row[0]][1]), _standing_of_row(row, moment.today))
               for row in writes if row[0] in old and old[row[0]][1] != row[1]]
    if changes:
        _ADD_CHANGE.many(session, [
            {"customer_id": c.customer_id, "from_status": c.before, "to_status": c.after.status,
             "reason": c.after.reason, "changed_at": moment.now} for c in changes])
        if hub is not None:
            _announce(session, hub, changes, moment.now)
    if hooks:
        # Every row written, and each drifting customer's that stood as it was: what was
        # done since (a case opened, the survey turned on) acts on them at the next pass.
        moved = {row[0] for row in writes}
        steady = [row for row in rows if row[1] in _HEARD_STANDING and row[0] not in moved
                  and row[0] in old and not _moved(old[row[0]], row)]
        heard = [Change(row[0], Status(old[row[0]][1]) if row[0] in old else None,
                        _standing_of_row(row, moment.today)) for row in [*writes, *steady]]
        for hook in hooks:
            hook(session, heard, at=moment.now)
    return changes


# The statuses whose customers the hooks hear of at each recomputation, moved or not.
_HEARD_STANDING = {Status.WATCH.value, Status.AT_RISK.value, Status.LAPSED.value}
# The model's figures move a little every day for everyone (the customer's age grows): a
# row is rewritten for them once they moved by half of what the pages show (a whole
# percent; a tenth of a visit). The other figures are exact.
_SCORES = _FIGURES.index("p_alive")
assert _FIGURES[_SCORES:] == ("p_alive", "expected_visits_90d")
_SHOWN = (0.005, 0.05)


def _moved(stored: tuple | None, row: tuple) -> bool:
    """Whether a computed status row (`_FIGURES`) differs from the one stored (None: none
    yet) by what a night must write."""
    if stored is None or stored[:_SCORES] != row[:_SCORES]:
        return True
    return any((was is None) != (now is None)
               or (was is not None and abs(was - now) >= shown)
               for was, now, shown in zip(stored[_SCORES:], row[_SCORES:], _SHOWN, strict=True))


def _computed(reads: Reads, moment: Moment) -> list[tuple]:
    """The status rows (`_FIGURES`) of the customers of `reads` now: their rhythms, the
    rules' verdicts and the model's scores computed all at once (no Python work per visit,
    little per customer)."""
    ids = reads.ids
    n = len(ids)
    wanted = np.array(ids, dtype=np.int64)
    days = reads.days
    # Where each visited customer stands among `ids`.
    place = np.searchsorted(wanted, days.customer_ids)
    ours = (place < n) & (wanted[np.minimum(place, n - 1)] == days.customer_ids)
    summary = rhythm.rhythms(days.counts, days.days)
    count, first, last = (np.zeros(n, dtype=np.int64) for _ in range(3))
    usual = np.full(n, np.nan)
    at = place[ours]
    count[at], first[at], last[at] = (summary.count[ours], summary.first[ours],
                                      summary.last[ours])
    usual[at] = summary.usual[ours]
    spend = reads.spend
    recent, before, year = (np.array(column, dtype=np.int64).reshape(n) for column in zip(
        *(spend.get(customer_id, _NO_SPEND) for customer_id in ids), strict=True))
    verdict = rhythm.judge(rhythm.Rhythms(count, first, last, usual), today=moment.today,
                           spend_recent_vnd=recent, spend_before_vnd=before,
                           thresholds=moment.thresholds)
    seen = count > 0
    p_alive, expected = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    if moment.model is not None and seen.any():
        alive, visits = fit.scored(moment.model, fit.summarised(
            wanted[seen], count[seen], first[seen], last[seen], today=moment.today))
        p_alive[seen], expected[seen] = alive.tolist(), visits.tolist()
    return list(zip(
        ids, _STATUS_TEXT[verdict.status].tolist(), _REASON_TEXT[verdict.reason].tolist(),
        count.tolist(), _or_none(usual, verdict.rhythmic), _or_none(last, seen),
        recent.tolist(), before.tolist(), _per_90_days(year), p_alive.tolist(),
        expected.tolist(), strict=True))


def _per_90_days(year: np.ndarray) -> list[int]:
    """The usual spend per 90 days from a year's, rounded as `round` does (half to even)."""
    return np.rint(year * 90 / _YEAR_DAYS).astype(np.int64).tolist()


def _or_none(values: np.ndarray, known: np.ndarray) -> list[Any]:
    """`values` as Python numbers, None where not `known`."""
    found = values.astype(object)
    found[~known] = None
    return found.tolist()


def _standing_of_row(row: tuple, today: int) -> rhythm.Standing:
    """The standing of a status row (`_FIGURES`) on the local day `today`."""
    return rhythm.Standing(Status(row[1]), Reason(row[2]), row[3], row[4],
                           rhythm.days_since(row[5], today), *row[6:])


def _announce(session: Session, hub: LocalHub, changes: list[Change], at: datetime) -> None:
    names = customers.audit_labels(session, [change.customer_id for change in changes])
    for change in changes:
        assert change.before is not None  # a change, not a first status
        message = {"type": "status_change", "customer_id": change.customer_id,
                   "customer_name": names.get(change.customer_id),
                   "from_status": change.before.value, "at": at.isoformat(),
                   **public_of(change.customer_id, change.after, changed_at=at,
                               computed_at=at).model_dump(mode="json")}
        on_commit(session, partial(hub.publish, MANAGER_ALERTS, message))


def public_of(customer_id: int, figures: rhythm.Standing, *, changed_at: datetime,
              computed_at: datetime) -> CustomerStatusPublic:
    return CustomerStatusPublic(
        customer_id=customer_id, status=figures.status, reason=figures.reason,
        visit_count=figures.visit_count, usual_interval_days=figures.usual_interval_days,
        days_since=figures.days_since, spend_recent_vnd=figures.spend_recent_vnd,
        spend_before_vnd=figures.spend_before_vnd, spend_drop_pct=figures.spend_drop_pct,
        usual_spend_vnd=figures.usual_spend_vnd, p_alive=figures.p_alive,
        expected_visits_90d=figures.expected_visits_90d,
        value_at_risk_vnd=figures.value_at_risk_vnd, changed_at=changed_at,
        computed_at=computed_at)


# ---------------------------------------------------------------- reading

def status_of(session: Session, *, customer_id: int, zone: ZoneInfo) -> CustomerStatusPublic:
    """The customer's status as last computed; computed now (not saved) for a customer no
    pass has reached yet (404 for no such customer)."""
    customers.guest(session, customer_id=customer_id)  # 404 for no such customer
    row = session.get(CustomerStatus, customer_id)
    if row is None:
        moment = Moment.of(session, zone)
        figures = compute(session, customer_id, moment=moment)
        return public_of(customer_id, figures, changed_at=moment.now, computed_at=moment.now)
    return public_of(customer_id, rhythm.Standing.of_stored(row, fit.local_today(zone)),
                     changed_at=row.changed_at, computed_at=row.computed_at)


def compute(db: Executor, customer_id: int, *, moment: Moment) -> rhythm.Standing:
    """One customer's standing now, from their visits and spend (nothing saved)."""
    reads = read(db, first_id=customer_id, last_id=customer_id, now=moment.now,
                 offset_s=moment.offset_s)
    return _standing_of_row(_computed(replace(reads, ids=[customer_id]), moment)[0],
                            moment.today)


def status_page(session: Session, *, status: Status, zone: ZoneInfo, after: int = 0,
                limit: int = 50) -> CustomerStatusPage:
    """The customers with `status`, by id after `after`, with their names."""
    today = fit.local_today(zone)
    rows = list(session.scalars(
        select(CustomerStatus)
        .where(col(CustomerStatus.status) == status, col(CustomerStatus.customer_id) > after)
        .order_by(col(CustomerStatus.customer_id)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    names = customers.audit_labels(session, [row.customer_id for row in rows])
    items = [CustomerStatusListed(
        **public_of(row.customer_id, rhythm.Standing.of_stored(row, today),
                    changed_at=row.changed_at,
                    computed_at=row.computed_at).model_dump(),
        full_name=names.get(row.customer_id, "")) for row in rows]
    return CustomerStatusPage(items=items, next_cursor=rows[-1].customer_id if more else None)


def changes_since(session: Session, *, since: datetime, limit: int = 200) -> list[StatusChange]:
    """The status changes from `since` on, oldest first (what campaigns read)."""
    return list(session.scalars(
        select(StatusChange).where(col(StatusChange.changed_at) >= since)
        .order_by(col(StatusChange.changed_at), col(StatusChange.id)).limit(limit)))


# ---------------------------------------------------------------- privacy

def export_rows(session: Session, *, customer_id: int) -> dict[str, list[dict[str, Any]]]:
    """The customer's status and its changes (their export)."""
    row = session.get(CustomerStatus, customer_id)
    changes = session.scalars(select(StatusChange)
                              .where(col(StatusChange.customer_id) == customer_id)
                              .order_by(col(StatusChange.changed_at), col(StatusChange.id)))
    status = [] if row is None else [{
        **row.model_dump(exclude={"last_visit_day"}),
        "last_visit_day": None if row.last_visit_day is None else day_date(row.last_visit_day)}]
    return {"status": status,
            "status_changes": [change.model_dump(exclude={"customer_id"})
                               for change in changes]}


def forget(session: Session, *, customer_id: int) -> None:
    """An erased customer's status and its history go: the shop no longer follows them (the
    passes skip erased customers)."""
    session.execute(delete(StatusChange).where(col(StatusChange.customer_id) == customer_id))
    session.execute(delete(CustomerStatus).where(col(CustomerStatus.customer_id) == customer_id))
