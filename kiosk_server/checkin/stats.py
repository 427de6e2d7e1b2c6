"""An event's counters and entry planning: who is in, who is missing, how fast each
gate goes, and whether guests are queuing.

Queues are seen through the kiosks' own reports: a kiosk says, with each scan, how
long it had been ready and waiting before the code came (`idle_ms`). When codes come
as soon as the kiosk is ready, guests are standing in line; arrivals are outpacing
what the gate can take, and the staff member should open another kiosk. Only the last
minute's reports count, and a gate that has scanned nothing for a while has no queue:
the warning goes as soon as the line does.

The forecast (time to clear the remaining guests, how late the last ones get in) is
given only on enough data: a handful of scans a minute apart says nothing about the
next hour. Without it the plan says why (`ForecastGap`).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from kiosk_server.checkin.feed import last_seq
from kiosk_server.checkin.models import (
    Checkin,
    EntryPlan,
    EventStats,
    ForecastGap,
    GateStats,
    MinuteCount,
    Scan,
)
from kiosk_server.core.types import utcnow
from kiosk_server.events import service as events

CHART_MINUTES = 15
RATE_WINDOW = timedelta(minutes=5)
REPORTS_WINDOW = timedelta(minutes=15)
RESULT_REPORTS = 50  # the median scan-to-answer time is over a kiosk's last 50 reports
IDLE_WINDOW = timedelta(minutes=1)
IDLE_REPORTS = 10
QUEUE_MIN_REPORTS = 5
QUEUE_IDLE_MS = 3000  # ready for less than this before the next code: someone was waiting
QUEUE_QUIET = timedelta(seconds=20)  # no scan for this long: nobody is waiting at the gate
FORECAST_MIN_ARRIVALS = 10  # check-ins within the rate window before a pace is forecast
FORECAST_MIN_SPAN = timedelta(minutes=3)  # since the first check-in


def event_stats(session: Session, *, event_id: int, now: datetime | None = None) -> EventStats:
    """Invited, checked in, still missing; arrivals per minute; each gate; entry planning."""
    event = events.get_event(session, event_id=event_id)
    now = now or utcnow()
    invited = events.count_invited(session, event_id=event_id)
    checked_in, entries, first_at, recent = session.execute(
        select(func.count().filter(col(Checkin.entry_number) == 1), func.count(),
               func.min(Checkin.checked_in_at),
               func.count().filter(col(Checkin.entry_number) == 1,
                                   col(Checkin.checked_in_at) >= now - RATE_WINDOW))
        .where(col(Checkin.event_id) == event_id)
    ).one()
    chart = _arrivals_by_minute(session, event_id=event_id, now=now)
    # Rates are over the last 5 minutes, or since the first check-in if that is more recent.
    window = RATE_WINDOW
    if first_at is not None:
        window = min(RATE_WINDOW, max(now - first_at, timedelta(minutes=1)))
    gates = _gates(session, event_id=event_id, now=now, window=window)
    remaining = max(invited - checked_in, 0)
    return EventStats(
        event_id=event_id, invited=invited, checked_in=checked_in, not_arrived=remaining,
        entries=entries,
        arrivals_per_minute=round(sum(m.arrivals for m in chart) / CHART_MINUTES, 2),
        arrivals_by_minute=chart, gates=gates,
        last_seq=last_seq(session, event_id=event_id),
        planning=_plan(remaining=remaining, gates=gates, starts_at=event.starts_at, now=now,
                       gap=_forecast_gap(recent=recent,
                                         since=now - first_at if first_at else None)),
    )


def _arrivals_by_minute(session: Session, *, event_id: int, now: datetime) -> list[MinuteCount]:
    end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(minutes=CHART_MINUTES)
    recent = session.scalars(
        select(col(Checkin.checked_in_at)).where(
            col(Checkin.event_id) == event_id, col(Checkin.entry_number) == 1,
            col(Checkin.checked_in_at) >= start, col(Checkin.checked_in_at) < end,
        )
    ).all()
    buckets = [0] * CHART_MINUTES
    for moment in recent:
        buckets[int((moment - start).total_seconds() // 60)] += 1
    return [MinuteCount(minute=start + timedelta(minutes=i), arrivals=n)
            for i, n in enumerate(buckets)]


@dataclass
class _Gate:
    checked_in: int = 0
    recent: int = 0
    scans: int = 0
    result_ms: list[int] = field(default_factory=list)
    idle_ms: list[int] = field(default_factory=list)
    last_report: datetime | None = None  # the newest scan whose kiosk said how long it idled

    def queue(self, now: datetime) -> bool:
        """Codes came as soon as the kiosk was ready, and still do."""
        return (len(self.idle_ms) >= QUEUE_MIN_REPORTS and median(self.idle_ms) < QUEUE_IDLE_MS
                and self.last_report is not None and now - self.last_report < QUEUE_QUIET)


def _gates(session: Session, *, event_id: int, now: datetime, window: timedelta
           ) -> list[GateStats]:
    gates: dict[str, _Gate] = {}
    for gate, checked_in, recent in session.execute(
        select(col(Checkin.gate), func.count(),
               func.count().filter(col(Checkin.checked_in_at) >= now - window))
        .where(col(Checkin.event_id) == event_id, col(Checkin.entry_number) == 1)
        .group_by(col(Checkin.gate))
    ):
        gates[gate] = _Gate(checked_in=checked_in, recent=recent)
    for gate, scans in session.execute(
        select(col(Scan.gate), func.count()).where(col(Scan.event_id) == event_id)
        .group_by(col(Scan.gate))
    ):
        gates.setdefault(gate, _Gate()).scans = scans
    reports = session.execute(
        select(col(Scan.gate), col(Scan.scanned_at), col(Scan.idle_ms), col(Scan.result_ms))
        .where(col(Scan.event_id) == event_id, col(Scan.scanned_at) >= now - REPORTS_WINDOW,
               or_(col(Scan.idle_ms).is_not(None), col(Scan.result_ms).is_not(None)))
        .order_by(col(Scan.id).desc()).limit(len(gates) * RESULT_REPORTS * 2)
    )
    for gate, scanned_at, idle_ms, result_ms in reports:  # newest first
        seen = gates.setdefault(gate, _Gate())
        if result_ms is not None and len(seen.result_ms) < RESULT_REPORTS:
            seen.result_ms.append(result_ms)
        if (idle_ms is not None and len(seen.idle_ms) < IDLE_REPORTS
                and scanned_at >= now - IDLE_WINDOW):
            seen.idle_ms.append(idle_ms)
            seen.last_report = max(seen.last_report or scanned_at, scanned_at)
    minutes = window.total_seconds() / 60
    return [
        GateStats(
            gate=name, checked_in=gate.checked_in, scans=gate.scans,
            per_minute=round(gate.recent / minutes, 1),
            median_result_ms=_median(gate.result_ms), median_idle_ms=_median(gate.idle_ms),
            queue=gate.queue(now),
        )
        for name, gate in sorted(gates.items())
    ]


def _median(values: list[int]) -> int | None:
    return round(median(values)) if values else None


def _forecast_gap(*, recent: int, since: timedelta | None) -> ForecastGap | None:
    """Why the pace says nothing yet about when everyone is in (None: it does)."""
    if since is None or recent == 0:
        return ForecastGap.NO_ARRIVALS
    if recent < FORECAST_MIN_ARRIVALS:
        return ForecastGap.FEW_ARRIVALS
    if since < FORECAST_MIN_SPAN:
        return ForecastGap.TOO_EARLY
    return None


def _plan(*, remaining: int, gates: list[GateStats], starts_at: datetime, now: datetime,
          gap: ForecastGap | None) -> EntryPlan:
    per_minute = round(sum(gate.per_minute for gate in gates), 1)
    minutes_to_clear = None
    if remaining == 0:
        minutes_to_clear, gap = 0.0, None
    elif gap is None and per_minute > 0:
        minutes_to_clear = round(remaining / per_minute, 1)
    late_by = None
    if minutes_to_clear is not None and remaining > 0:
        finish = now + timedelta(minutes=minutes_to_clear)
        if finish > starts_at:
            late_by = round((finish - starts_at).total_seconds() / 60, 1)
    return EntryPlan(
        remaining=remaining, per_minute=per_minute, minutes_to_clear=minutes_to_clear,
        forecast_gap=gap, queue_building=any(gate.queue for gate in gates),
        starts_at=starts_at, late_by_minutes=late_by,
    )
