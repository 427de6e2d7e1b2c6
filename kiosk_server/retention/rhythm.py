"""A customer's own rhythm and the status it gives: pure functions, no database.

Visits are counted by day (the shop's local day): a sale and a check-in on one afternoon
are one visit, so that the intervals between visits are the customer's rhythm, not the
minutes between two records. The usual interval is the median of the intervals between
their visit days, once they have `min_intervals` of them; before that, they are `new`.

The status is the most serious any rule gives: overdue (days since the last visit against
the usual interval), spend down (the last 90 days against the 90 before), or no visit for
`lapsed_after_days`. Its reason is the rule that gave it, with the figures a sentence is
said from (`sentence`)."""

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk_server.retention.models import Reason, RetentionSettings, Status

_SEVERITY = {Status.NEW: 0, Status.ACTIVE: 0, Status.WATCH: 1, Status.AT_RISK: 2,
             Status.LAPSED: 3}


@dataclass(frozen=True)
class Thresholds:
    """The settings' thresholds, as the rules read them."""

    min_intervals: int = 3
    watch_overdue: float = 1.5
    at_risk_overdue: float = 2.0
    lapsed_overdue: float = 3.0
    watch_spend_drop_pct: int = 20
    at_risk_spend_drop_pct: int = 50
    lapsed_after_days: int = 180

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


def drop_pct(recent: int, before: int) -> int | None:
    if before <= 0 or recent >= before:
        return None
    return round((before - recent) * 100 / before)


def standing(visit_days: Sequence[int], *, today: int, spend_recent_vnd: int = 0,
             spend_before_vnd: int = 0, thresholds: Thresholds, usual_spend_vnd: int = 0,
             score: tuple[float, float] | None = None) -> Standing:
    """The status of a customer whose visits fell on `visit_days` (day numbers, ascending,
    distinct), as of day `today`, with their spend in the last 90 days and the 90 before;
    their usual spend and the model's `score` (P(alive), expected visits) are carried
    along, the rules do not read them. (Run for every customer by the nightly pass: kept
    to plain arithmetic.)"""
    count = len(visit_days)
    since = today - visit_days[-1] if count else None
    usual = _median_interval(visit_days) if count > thresholds.min_intervals else None
    status, reason = Status.NEW, Reason.FEW_VISITS
    if usual is not None and since is not None:
        status = _by_overdue(since, usual, thresholds)
        reason = Reason.ON_RHYTHM if status is Status.ACTIVE else Reason.OVERDUE
        by_spend = _by_spend(spend_recent_vnd, spend_before_vnd, thresholds)
        # The more serious; between equals, the rhythm (it says the most).
        if _SEVERITY[by_spend] > _SEVERITY[status]:
            status, reason = by_spend, Reason.SPEND_DOWN
    if (since is not None and since >= thresholds.lapsed_after_days
            and status is not Status.LAPSED):
        status, reason = Status.LAPSED, Reason.LONG_ABSENCE
    p_alive, expected = score if score is not None else (None, None)
    return Standing(status, reason, count, usual, since, spend_recent_vnd, spend_before_vnd,
                    usual_spend_vnd, p_alive, expected)


def _median_interval(days: Sequence[int]) -> float:
    intervals = sorted([later - earlier for earlier, later in zip(days, days[1:], strict=False)])
    middle = len(intervals) // 2
    if len(intervals) % 2:
        return float(intervals[middle])
    return (intervals[middle - 1] + intervals[middle]) / 2


def _by_overdue(since: int, usual: float, thresholds: Thresholds) -> Status:
    if since >= thresholds.lapsed_overdue * usual:
        return Status.LAPSED
    if since >= thresholds.at_risk_overdue * usual:
        return Status.AT_RISK
    if since >= thresholds.watch_overdue * usual:
        return Status.WATCH
    return Status.ACTIVE


def _by_spend(recent: int, before: int, thresholds: Thresholds) -> Status:
    if before <= 0 or recent >= before:
        return Status.ACTIVE
    # In whole numbers: a drop of exactly the threshold counts.
    if (before - recent) * 100 >= thresholds.at_risk_spend_drop_pct * before:
        return Status.AT_RISK
    if (before - recent) * 100 >= thresholds.watch_spend_drop_pct * before:
        return Status.WATCH
    return Status.ACTIVE


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
