"""The shop's BG/NBD model: fitted on its own visit history, stored, and used to score
customers (how likely each is still a customer, how many visits to expect in 90 days).

The model's "transactions" are visit days: a customer who comes twice on one day came
once. Days are the shop's calendar days (`Settings.timezone`), at the zone's UTC offset of
the moment of the fit (a zone with daylight saving time is off by an hour for half the
year: a visit near midnight may fall on the neighbouring day). The fit runs outside any
write transaction: read the history (a read transaction), compute, then save the result
in a short write transaction.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlmodel import Field, Session, SQLModel, col

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database, Executor
from kiosk_server.core.errors import DomainError, conflict
from kiosk_server.core.types import UtcDateTime, utcnow
from kiosk_server.customers import visit_days
from kiosk_server.retention import bgnbd
from kiosk_server.staff.deps import StaffWork, admin_only

logger = logging.getLogger(__name__)

HORIZON_DAYS = 90
_SECONDS_A_DAY = 86_400
# One fit at a time in a process: a fit of a large shop keeps a core busy for seconds, and
# a second one started meanwhile (a double click, two admins) would only repeat it.
_FITTING = threading.Lock()


class RetentionFit(SQLModel, table=True):
    """One fit of the model, a good one or a failed one (whose parameters are empty): the
    model in use is the latest good one."""

    __tablename__ = "retention_fits"
    id: int | None = Field(default=None, primary_key=True)
    fitted_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    customers: int = Field(description="customers with at least one visit, fitted on")
    converged: bool
    r: float | None = None
    alpha: float | None = Field(default=None, description="in days")
    a: float | None = None
    b: float | None = None
    log_likelihood: float | None = None
    utc_offset_seconds: int = Field(description="the calendar the visits were counted by")
    message: str = Field(default="", max_length=500,
                         description="why a fit failed (the optimizer's words)")
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id")


class ModelStatus(StrEnum):
    FITTED = "fitted"
    NOT_FITTED = "not_fitted"


class RetentionFitPublic(SQLModel):
    fitted_at: datetime
    customers: int
    converged: bool
    r: float
    alpha: float = Field(description="in days")
    a: float
    b: float
    log_likelihood: float


class RetentionFitFailure(SQLModel):
    fitted_at: datetime
    customers: int
    reason: str


class RetentionModelPublic(SQLModel):
    """The model in use: `fit` is the latest good fit (null while `status` is
    `not_fitted`); `last_failure` is a failed fit made after it, if any."""

    status: ModelStatus
    time_unit: str = Field(default="day", description="the unit of t_x, T and alpha")
    horizon_days: int = Field(default=HORIZON_DAYS,
                              description="the expected visits are over this many days")
    fit: RetentionFitPublic | None
    last_failure: RetentionFitFailure | None


@dataclass(frozen=True)
class History:
    """Each customer's (x, t_x, T) in days: repeat visit days, the last one counted from
    the first, and days known from the first to today."""

    customer_ids: NDArray[np.int64]
    x: NDArray[np.float64]
    t_x: NDArray[np.float64]
    T: NDArray[np.float64]


def utc_offset(settings: Settings, now: datetime) -> int:
    """The shop's UTC offset at `now`, in seconds."""
    return zone_offset(settings.zone, now)


def zone_offset(zone: ZoneInfo, now: datetime) -> int:
    """`zone`'s offset from UTC at `now`, in seconds."""
    offset = now.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def local_day(moment: datetime, utc_offset_seconds: int) -> int:
    """`moment`'s day number (days since 1970-01-01) on the calendar of this offset."""
    return int((moment.timestamp() + utc_offset_seconds) // _SECONDS_A_DAY)


def local_today(zone: ZoneInfo, now: datetime | None = None) -> int:
    """The day number of `now` (default: now) in `zone`: what a stored status's days since
    the last visit are counted to."""
    now = now or utcnow()
    return local_day(now, zone_offset(zone, now))


def history(db: Executor, *, utc_offset_seconds: int, now: datetime,
            customer_ids: list[int] | None = None) -> History:
    """The summary the model is fitted on, for every customer with a visit (or these)."""
    rows = visit_days.visit_day_summary(db, utc_offset_seconds=utc_offset_seconds,
                                       customer_ids=customer_ids)
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    ids, days, first, last = table.T
    return summarised(ids, days, first, last, today=local_day(now, utc_offset_seconds))


def summarised(customer_ids: NDArray[np.int64], days: NDArray[np.int64],
               first: NDArray[np.int64], last: NDArray[np.int64], *, today: int) -> History:
    """The model's (x, t_x, T) of customers who visited on `days` days, the first and the
    last of them on these day numbers, as of day `today`."""
    t_x = (last - first).astype(np.float64)
    # A visit dated after today (a clock set wrong) must not make T < t_x.
    return History(customer_ids=customer_ids, x=(days - 1).astype(np.float64), t_x=t_x,
                   T=np.maximum(today - first, t_x).astype(np.float64))


def scored(parameters: bgnbd.Parameters, summary: History
           ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """P(alive) and the visits expected in the next `HORIZON_DAYS` of each customer of
    `summary` (one array each, in its order)."""
    return (bgnbd.probability_alive(parameters, summary.x, summary.t_x, summary.T),
            bgnbd.expected_visits(parameters, HORIZON_DAYS, summary.x, summary.t_x,
                                  summary.T))


def _latest(db: Executor, *, converged: bool) -> RetentionFit | None:
    statement = (select(RetentionFit).where(col(RetentionFit.converged) == converged)
                 .order_by(col(RetentionFit.id).desc()).limit(1))
    return db.execute(statement).scalars().first()


def current_fit(db: Executor) -> RetentionFit | None:
    """The model in use: the latest good fit (None before the first)."""
    return _latest(db, converged=True)


def parameters_of(fit: RetentionFit | None) -> bgnbd.Parameters | None:
    """A good fit's parameters (None for no fit)."""
    if fit is None:
        return None
    assert fit.r is not None and fit.alpha is not None and fit.a is not None \
        and fit.b is not None  # a good fit has all four
    return bgnbd.Parameters(fit.r, fit.alpha, fit.a, fit.b)


# The floats as the driver gives them (SQLAlchemy's float result processor needs a
# cursor's description on PostgreSQL, which a `Prepared` plan has not).
def model_status(session: Session) -> RetentionModelPublic:
    """The model in use and, if the latest fit failed, that failure."""
    good = current_fit(session)
    failed = _latest(session, converged=False)
    if failed is not None and good is not None and (failed.id or 0) < (good.id or 0):
        failed = None
    return RetentionModelPublic(
        status=ModelStatus.FITTED if good else ModelStatus.NOT_FITTED,
        fit=RetentionFitPublic.model_validate(good, from_attributes=True) if good else None,
        last_failure=(RetentionFitFailure(fitted_at=failed.fitted_at,
                                          customers=failed.customers, reason=failed.message)
                      if failed else None))


def _attempt(summary: History, offset: int, staff_id: int | None
             ) -> tuple[RetentionFit, DomainError | None]:
    """Fit `summary`: the row to store, and the refusal to raise once it is stored."""
    row = RetentionFit(customers=int(summary.x.size), converged=False,
                       utc_offset_seconds=offset, staff_id=staff_id)
    try:
        result = bgnbd.fit(summary.x, summary.t_x, summary.T)
    except DomainError as refusal:
        row.message = str(refusal.extra.get("reason", refusal.code))[:500]
        logger.warning("retention fit refused on %d customers: %s", row.customers,
                       row.message)
        return row, refusal
    p = result.parameters
    row.converged, row.r, row.alpha, row.a, row.b = True, p.r, p.alpha, p.a, p.b
    row.log_likelihood = result.log_likelihood
    return row, None


def fit_now(work: StaffWork, *, settings: Settings, now: datetime | None = None
            ) -> RetentionModelPublic:
    """Admin: fit the model on the whole history now and store it (audited). The history
    is read in a read transaction and the fit computed outside any transaction; the
    result is saved in a short one. A fit that fails is stored as such and refused
    (409): the model in use stays the last good one. A fit asked for while another runs
    in this process is refused (409 `retention_fit_running`)."""
    now = now or utcnow()
    offset = utc_offset(settings, now)
    with work.open(Access.READ) as unit:
        admin_only(unit.caller)
        summary = history(unit.session, utc_offset_seconds=offset, now=now)
    if not _FITTING.acquire(blocking=False):
        raise conflict("retention_fit_running",
                       "Mô hình đang được ước lượng; xin chờ lần này xong.",
                       "The model is being estimated already; wait for that to finish.")
    try:
        row, refusal = _attempt(summary, offset, None)
    finally:
        _FITTING.release()
    with work.open() as unit:
        admin_only(unit.caller)
        row.staff_id = unit.caller.staff_id
        unit.session.add(row)
        unit.session.flush()
        unit.log.record("retention.fit", row, details={
            "customers": row.customers, "converged": row.converged})
        status = model_status(unit.session)
    if refusal is not None:
        raise refusal
    return status


def refit(database: Database, *, zone: ZoneInfo, now: datetime | None = None
          ) -> RetentionFit | None:
    """Fit the model on the whole history and store the fit, as `fit_now` does but asked
    by no one (the nightly pass, `kiosk retention recompute --fit`): not audited. A fit
    that fails is stored and logged, and the model in use stays the last good one. None
    (nothing done) while another fit runs in this process: that one gives the fresh
    model."""
    now = now or utcnow()
    offset = zone_offset(zone, now)
    with database.session(Access.READ) as session:
        summary = history(session, utc_offset_seconds=offset, now=now)
    if not _FITTING.acquire(blocking=False):
        logger.info("retention fit skipped: another one is running")
        return None
    try:
        row, _ = _attempt(summary, offset, None)
    finally:
        _FITTING.release()
    with database.session() as session:
        session.add(row)
    return row


def scores(session: Session, customer_ids: list[int], *, now: datetime | None = None
           ) -> dict[int, tuple[float, float]]:
    """{customer id: (P(alive), expected visits in the next 90 days)} by the model in use,
    for those of these customers who have visited; empty before the first good fit."""
    fit = current_fit(session)
    parameters = parameters_of(fit)
    if fit is None or parameters is None or not customer_ids:
        return {}
    summary = history(session, utc_offset_seconds=fit.utc_offset_seconds,
                      now=now or utcnow(), customer_ids=customer_ids)
    alive, visits = scored(parameters, summary)
    return {int(i): (float(p), float(v))
            for i, p, v in zip(summary.customer_ids, alive, visits, strict=True)}


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Fits, for the audit log (its sentences say which model)."""
    return {fit_id: "Mô hình khách quay lại" for fit_id in ids}
