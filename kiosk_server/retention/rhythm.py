"""A customer's own rhythm and the status it gives: pure functions, no database.

Visits are counted by day (the shop's local day): a sale and a check-in on one afternoon
are one visit, so that the intervals between visits are the customer's rhythm, not the
minutes between two records. The usual interval is the median of the intervals between
their visit days, once they have `min_intervals` of them; before that, they are `new`.

The days are summed up (how many, the last, the median interval) for a batch of customers
at once with numpy (`rhythms`), and the rules judge them all at once too (`judge`);
`standing` is one customer's.

The status is the most serious any rule gives: overdue (days since the last visit against
the usual interval), spend down (the last 90 days against the 90 before), or no visit for
`lapsed_after_days`. Its reason is the rule that gave it, with the figures a sentence is
said from (`sentence`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kiosk_server.retention.models import Reason, RetentionSettings, Status


@dataclass(frozen=True)
class Thresholds:
    """The settings' thresholds, as the rules read them (their defaults are the settings
    row's: `Thresholds.of(RetentionSettings())`)."""

    min_intervals: int
    watch_overdue: float
    at_risk_overdue: float
    lapsed_overdue: float
    watch_spend_drop_pct: int
    at_risk_spend_drop_pct: int
    lapsed_after_days: int

    @classmethod
    def of(cls, row: RetentionSettings) -> "Thresholds":
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Standing:
    """A customer's status, its reason and the figures behind them."""

    status: Status
    reason: Reason
    visit_count: int  # distinct visit days
    usual_interval_days: float | None
    days_since: int | None
    spend_recent_vnd: int
    spend_before_vnd: int
    usual_spend_vnd: int = 0  # per 90 days, from the last 365
    # The return-visit model's scores (None: no good fit yet, or no visit to score).
    p_alive: float | None = None
    expected_visits_90d: float | None = None

    @property
    def spend_drop_pct(self) -> int | None:
        """How far the recent spend is below the one before, in whole % (None: not down)."""
        return drop_pct(self.spend_recent_vnd, self.spend_before_vnd)

    @property
    def value_at_risk_vnd(self) -> int | None:
        """The usual spend the shop stands to lose: its share the model gives to the
        customer being gone (None without a score)."""
        if self.p_alive is None:
            return None
        return round(self.usual_spend_vnd * (1 - self.p_alive))

    @classmethod
    def of_stored(cls, row: Any, today: int) -> "Standing":
        """The standing a saved status says (a `CustomerStatus`, or a row of its columns)
        on the local day `today`: its days since the last visit counted to that day."""
        return cls(Status(row.status), Reason(row.reason), row.visit_count,
                   row.usual_interval_days, days_since(row.last_visit_day, today),
                   row.spend_recent_vnd, row.spend_before_vnd, row.usual_spend_vnd,
                   row.p_alive, row.expected_visits_90d)


def days_since(last_visit_day: int | None, today: int) -> int | None:
    """The days from a last visit's day to `today` (day numbers; None: no visit)."""
    return None if last_visit_day is None else today - last_visit_day


def drop_pct(recent: int, before: int) -> int | None:
    if before <= 0 or recent >= before:
        return None
    return round((before - recent) * 100 / before)


@dataclass(frozen=True)
class Rhythms:
    """Customers' visit days summed up, all at once (arrays, one entry per customer)."""

    count: NDArray[np.int64]  # distinct visit days
    first: NDArray[np.int64]  # the first and last of them (0 without any)
    last: NDArray[np.int64]
    usual: NDArray[np.float64]  # the median of the intervals between them (nan: none)


# A day number (days since 1970: below 2**22 until the year 13,000) in the low bits of a
# sort key whose high bits are the customer's place: one flat sort sorts every customer.
_DAY_BITS = 22
_DAY_MASK = (1 << _DAY_BITS) - 1


def rhythms(counts: NDArray[np.int64], days: NDArray[np.int64]) -> Rhythms:
    """The rhythms of customers whose visits fell on `days` (the first `counts[0]` the
    first customer's, and so on; in any order, a day any number of times), with numpy:
    the nightly pass sums up every customer's days this way, a batch at once."""
    n = counts.size
    place = np.repeat(np.arange(n, dtype=np.int64), counts)
    key = np.sort((place << _DAY_BITS) | days)
    key = key[np.concatenate((key[:1] >= 0, key[1:] != key[:-1]))]  # each day once
    place, day = key >> _DAY_BITS, key & _DAY_MASK
    count = np.bincount(place, minlength=n)
    ends = np.cumsum(count)
    seen = count > 0
    first, last = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    first[seen], last[seen] = day[(ends - count)[seen]], day[ends[seen] - 1]
    same = place[1:] == place[:-1]
    gaps = np.sort((place[1:][same] << _DAY_BITS) | (day[1:] - day[:-1])[same]) & _DAY_MASK
    intervals = np.maximum(count - 1, 0)
    starts = np.cumsum(intervals) - intervals
    usual = np.full(n, np.nan)
    has = intervals > 0
    low = (starts + (intervals - 1) // 2)[has]
    high = (starts + intervals // 2)[has]
    usual[has] = (gaps[low] + gaps[high]) / 2
    return Rhythms(count, first, last, usual)


# Statuses and reasons by code, in the rules' arrays: a status's code is its severity
# order (a more serious status has a higher code; new and active are equally well).
STATUSES = (Status.NEW, Status.ACTIVE, Status.WATCH, Status.AT_RISK, Status.LAPSED)
REASONS = tuple(Reason)
_NEW, _ACTIVE, _WATCH, _AT_RISK, _LAPSED = range(len(STATUSES))
_FEW_VISITS, _ON_RHYTHM, _OVERDUE, _SPEND_DOWN, _LONG_ABSENCE = (
    REASONS.index(reason) for reason in (Reason.FEW_VISITS, Reason.ON_RHYTHM, Reason.OVERDUE,
                                         Reason.SPEND_DOWN, Reason.LONG_ABSENCE))


@dataclass(frozen=True)
class Judgement:
    """The rules' verdicts on customers, all at once (arrays, one entry per customer)."""

    status: NDArray[np.int64]  # codes: STATUSES[code]
    reason: NDArray[np.int64]  # codes: REASONS[code]
    since: NDArray[np.int64]  # days since the last visit (meaningless without a visit)
    rhythmic: NDArray[np.bool_]  # enough intervals for a usual one


def judge(summary: Rhythms, *, today: int, spend_recent_vnd: NDArray[np.int64],
          spend_before_vnd: NDArray[np.int64], thresholds: Thresholds) -> Judgement:
    """The status of each customer of `summary` as of day `today`, with their spend in the
    last 90 days and the 90 before: the most serious the rules give (plain arithmetic on
    arrays, run for every customer by the nightly pass)."""
    since = today - summary.last
    rhythmic = summary.count > thresholds.min_intervals
    usual = summary.usual
    # nan (no usual interval) compares false: active, then new below.
    by_rhythm = np.select([since >= thresholds.lapsed_overdue * usual,
                           since >= thresholds.at_risk_overdue * usual,
                           since >= thresholds.watch_overdue * usual], [_LAPSED, _AT_RISK, _WATCH],
                          _ACTIVE)
    recent, before = spend_recent_vnd, spend_before_vnd
    # In whole numbers: a drop of exactly the threshold counts.
    drop = np.where((before > 0) & (recent < before), (before - recent) * 100, -1)
    by_spend = np.select([drop >= thresholds.at_risk_spend_drop_pct * before,
                          drop >= thresholds.watch_spend_drop_pct * before],
                         [_AT_RISK, _WATCH], _ACTIVE)
    # The more serious; between equals, the rhythm (it says the most).
    spend_worse = by_spend > by_rhythm
    status = np.where(rhythmic, np.maximum(by_rhythm, by_spend), _NEW)
    reason = np.where(~rhythmic, _FEW_VISITS,
                      np.where(spend_worse, _SPEND_DOWN,
                               np.where(by_rhythm == _ACTIVE, _ON_RHYTHM, _OVERDUE)))
    away = (summary.count > 0) & (since >= thresholds.lapsed_after_days) & (status != _LAPSED)
    status[away], reason[away] = _LAPSED, _LONG_ABSENCE
    return Judgement(status, reason, since, rhythmic)


def standing(visit_days: Sequence[int], *, today: int, spend_recent_vnd: int = 0,
             spend_before_vnd: int = 0, thresholds: Thresholds, usual_spend_vnd: int = 0,
             score: tuple[float, float] | None = None) -> Standing:
    """The status of one customer whose visits fell on `visit_days` (day numbers), as of
    day `today`, with their spend in the last 90 days and the 90 before (`judge`); their
    usual spend and the model's `score` (P(alive), expected visits) are carried along."""
    summary = rhythms(np.array([len(visit_days)], dtype=np.int64),
                      np.array(visit_days, dtype=np.int64))
    verdict = judge(summary, today=today, spend_recent_vnd=np.array([spend_recent_vnd]),
                    spend_before_vnd=np.array([spend_before_vnd]), thresholds=thresholds)
    count = int(summary.count[0])
    p_alive, expected = score if score is not None else (None, None)
    return Standing(STATUSES[verdict.status[0]], REASONS[verdict.reason[0]], count,
                    float(summary.usual[0]) if verdict.rhythmic[0] else None,
                    int(verdict.since[0]) if count else None, spend_recent_vnd,
                    spend_before_vnd, usual_spend_vnd, p_alive, expected)


def _interval_words(days: float) -> str:
    return f"{days:g}" if days != int(days) else str(int(days))


def sentence(figures: Standing, language: str) -> str:
    """The reason as a person says it, in `language` ("vi" or "en")."""
    vi = language != "en"
    reason = figures.reason
    if reason is Reason.FEW_VISITS:
        if not figures.visit_count:
            return "chưa ghé lần nào" if vi else "no visits yet"
        return (f"mới ghé {figures.visit_count} lần" if vi
                else f"{figures.visit_count} visit{'s' if figures.visit_count > 1 else ''} so far")
    if reason is Reason.LONG_ABSENCE:
        return (f"không ghé {figures.days_since} ngày" if vi
                else f"no visit for {figures.days_since} days")
    if reason is Reason.SPEND_DOWN:
        drop = figures.spend_drop_pct
        return (f"chi tiêu 90 ngày qua giảm {drop} %" if vi
                else f"spending in the last 90 days down {drop} %")
    usual = _interval_words(figures.usual_interval_days or 0)
    since = figures.days_since
    if vi:
        return f"thường ghé mỗi ~{usual} ngày, lần cuối cách đây {since} ngày"
    return f"usually visits every ~{usual} days, last visit {since} days ago"
