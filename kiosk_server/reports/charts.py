"""The owner's charts: each one a table of figures per week, month or day of a span of the
shop's local days, read through the domains' services in a few aggregate queries, handed
out as JSON (the page draws it) or as CSV (the same table).

A chart is a function of (session, span) returning its rows, registered with its columns
by `@chart(name, columns)`: adding one is that function and its card on the page
(kiosk_ui/static/admin/insights.js). Weeks run from Monday to Sunday and are named by their
Monday; months by "YYYY-MM". Shares are fractions from 0 to 1, rounded to 4 places."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.calls import winback
from kiosk_server.core.calendar import Span, month_name, week_start
from kiosk_server.core.db import Database, dialect_insert
from kiosk_server.core.db import table_of as _table
from kiosk_server.core.errors import invalid, not_found
from kiosk_server.core.spreadsheet import csv_bytes
from kiosk_server.core.types import utcnow
from kiosk_server.customers import visit_days
from kiosk_server.feedback import ratings
from kiosk_server.loyalty import service as loyalty
from kiosk_server.reports.models import Cell, ChartData, StatusCount
from kiosk_server.retention import counts
from kiosk_server.retention.models import Status
from kiosk_server.retention.service import Moment

COHORT_MONTHS = 12  # a cohort is followed from its first month (+0) to +11
DEFAULT_MONTHS = 6  # the span when none is asked: this month and the five before
Rows = list[list[Cell]]


@dataclass(frozen=True)
class Chart:
    columns: tuple[str, ...]
    rows: Callable[[Session, Span], Rows]


CHARTS: dict[str, Chart] = {}


def chart(name: str, columns: Sequence[str]) -> Callable[[Callable[[Session, Span], Rows]],
                                                          Callable[[Session, Span], Rows]]:
    """Registers a chart: its name in the URL, its columns, the function of its rows."""
    def register(rows: Callable[[Session, Span], Rows]) -> Callable[[Session, Span], Rows]:
        CHARTS[name] = Chart(tuple(columns), rows)
        return rows
    return register


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _weeks(span: Span, found: dict[int, Any]) -> list[int]:
    """Every week of the span, when any has data (empty data gives no rows at all)."""
    if not found:
        return []
    first = (span.first - week_start(0)).days // 7
    last = (span.last - week_start(0)).days // 7
    return list(range(first, last + 1))


@chart("statuses", ["day", *Status])
def _statuses(session: Session, span: Span) -> Rows:
    found = session.execute(select(col(StatusCount.day), col(StatusCount.status),
                                   col(StatusCount.customers))
                            .where(col(StatusCount.day).between(span.first, span.last))).all()
    days: dict[date, dict[Status, int]] = {}
    for day, status, customers in found:
        days.setdefault(day, {})[Status(status)] = customers
    return [[day.isoformat(), *(days[day].get(status, 0) for status in Status)]
            for day in sorted(days)]


@chart("returning", ["week", "customers", "returning", "returning_share"])
def _returning(session: Session, span: Span) -> Rows:
    found = {week: (people, back)
             for week, _visits, people, back in visit_days.weekly_visitors(session, span=span)}
    rows: Rows = []
    for week in _weeks(span, found):
        people, back = found.get(week, (0, 0))
        rows.append([week_start(week).isoformat(), people, back, _share(back, people)])
    return rows


@chart("activity", ["week", "visits", "sales", "sales_vnd"])
def _activity(session: Session, span: Span) -> Rows:
    visits = {week: count for week, count, _people, _back
              in visit_days.weekly_visitors(session, span=span)}
    sales = loyalty.weekly_sales(session, span=span)
    return [[week_start(week).isoformat(), visits.get(week, 0), *sales.get(week, (0, 0))]
            for week in _weeks(span, visits | sales)]


@chart("cohorts", ["month", "customers", *(f"m{k}" for k in range(COHORT_MONTHS))])
def _cohorts(session: Session, span: Span) -> Rows:
    sizes, still = visit_days.cohorts(session, span=span, months=COHORT_MONTHS)
    # A later month the shop has not reached yet has no share (not 0 %).
    now_month = span.last_month
    return [[month_name(month), size,
             *(_share(still.get((month, k), 0), size) if month + k <= now_month else None
               for k in range(COHORT_MONTHS))]
            for month, size in sorted(sizes.items())]


@chart("staff_ratings", ["month", "staff_id", "staff_name", "average", "answers"])
def _staff_ratings(session: Session, span: Span) -> Rows:
    return [[month_name(month), person, name, average, answers] for month, person, name,
            average, answers in ratings.monthly_staff_ratings(session, span=span)]


@chart("reasons", ["reason", "call", "survey", "total"])
def _reasons(session: Session, span: Span) -> Rows:
    found = winback.reasons(session, since=span.start, until=span.end)
    return ([[row.reason.value, row.call, row.survey, row.total] for row in found.reasons]
            if any(row.total for row in found.reasons) else [])


@chart("win_back", ["month", "contacted_rate", "contacted_n", "held_out_rate", "held_out_n"])
def _win_back(session: Session, span: Span) -> Rows:
    """Per month of the cases' opening: the share of drawn cases come back within the
    window, contacted against held out (cases still within their window not counted)."""
    zone = timezone(timedelta(seconds=span.offset_s))
    found = winback.comparison(session, now=utcnow(), zone=zone)
    first, last = month_name(span.first_month), month_name(span.last_month)
    return [[row.month, row.contacted_rate, row.contacted_n, row.held_out_rate, row.held_out_n]
            for row in found.months if first <= row.month <= last]


# ---------------------------------------------------------------- reading


def default_span(zone: ZoneInfo, now: datetime | None = None) -> tuple[date, date]:
    """This month and the five before, to today."""
    today = (now or utcnow()).astimezone(zone).date()
    months = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1), today


def chart_data(session: Session, *, name: str, first: date | None, last: date | None,
               zone: ZoneInfo) -> ChartData:
    """A chart's table over local days `first` to `last` (by default `default_span`); 404
    for no such chart, 400 `span_reversed` when `first` is after `last`."""
    found = CHARTS.get(name)
    if found is None:
        raise not_found("biểu đồ", "Chart", code="no_such_chart")
    default_first, default_last = default_span(zone)
    last = last or default_last
    first = first or min(default_first, last)
    if first > last:
        raise invalid("span_reversed", "Ngày bắt đầu phải trước ngày kết thúc.",
                      "The first day must come before the last one.", field="from")
    return ChartData(chart=name, first_day=first, last_day=last, columns=list(found.columns),
                     rows=found.rows(session, Span.of(first, last, zone)))


def chart_csv(data: ChartData) -> bytes:
    """The chart's table as a CSV file."""
    return csv_bytes(data.columns, data.rows)


# ---------------------------------------------------------------- statuses over time


def _save_counts(session: Session, day: date, found: dict[Status, int]) -> None:
    statement = dialect_insert(session.get_bind().dialect.name, _table(StatusCount))
    session.execute(statement.on_conflict_do_update(
        index_elements=["day", "status"], set_={"customers": statement.excluded.customers}),
        [{"day": day, "status": status, "customers": count} for status, count in found.items()])


class RecordStatusCounts:
    """After each full pass of the statuses: the day's customers per status, in one short
    transaction (the day's last pass wins). Registered in `wiring.retention_hooks`."""

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone

    def __call__(self, database: Database, at: datetime) -> None:
        with database.session() as session:
            _save_counts(session, at.astimezone(self._zone).date(), counts.status_counts(session))


def record_status_history(database: Database, *, zone: ZoneInfo, weeks: int,
                          now: datetime | None = None) -> int:
    """The customers per status at the end of each of the last `weeks` Sundays, computed
    from the visits and sales before then (the demo's history: the chart of statuses has a
    line from the start, not one point). A few seconds for a demo of thousands of
    customers: each batch's visit days are read once, the spend once per Sunday. The
    number of days written."""
    today = (now or utcnow()).astimezone(zone).date()
    last = today - timedelta(days=(today.weekday() + 1) % 7 or 7)  # today's is the pass's
    sundays = [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    with database.session() as session:
        moments = [Moment.of(session, zone, _end_of(sunday, zone)) for sunday in sundays]
    found = counts.counts_as_of(database, moments)
    with database.session() as session:
        for sunday, day_counts in zip(sundays, found, strict=True):
            _save_counts(session, sunday, day_counts)
    return len(sundays)


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    """A day's last minute in the shop, in UTC."""
    return datetime.combine(day, time(23, 59), zone).astimezone(UTC)
