"""The owner's reports as tables, for files (CSV, Excel): the attendance of an event, the
customers with their status and its reason, the sales per day and per staff member.

A report is read a page at a time, each page in a short read transaction of its own that
ends before its rows are written out: a large shop's table is never in memory at once, a
CSV is sent while it is read, and no transaction is held while a slow client downloads
(the check-in writer never waits on a report). Headers and words follow `language`;
times are the shop's (its time zone)."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from kiosk_server.checkin import service as checkin
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database
from kiosk_server.core.errors import invalid
from kiosk_server.core.spreadsheet import Sheet, shop_time
from kiosk_server.core.text import YES_NO, Words, phone_as_written, say
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.events import service as events
from kiosk_server.events.models import InvitationStatus
from kiosk_server.loyalty import figures
from kiosk_server.loyalty import service as loyalty
from kiosk_server.retention import fit, words
from kiosk_server.staff import service as staff

# Rows per read transaction.
PAGE = 500
# The longest sales report, in days: a year and a day (one query per page of sales).
MAX_SALES_DAYS = 366



@dataclass(frozen=True)
class Report:
    """A report's sheets and the name its files take (the report and its dates)."""

    file_name: str
    sheets: list[Sheet]


def _sheet(title: Words, columns: Sequence[Words], rows: Any, language: str) -> Sheet:
    return Sheet(say(title, language), [say(column, language) for column in columns], rows)


# ------------------------------------------------------------------------- attendance

_ATTENDANCE: list[Words] = [
    ("Khách", "Guest"), ("Điện thoại", "Phone"), ("E-mail", "E-mail"), ("Hạng", "Tier"),
    ("Mời lúc", "Invited at"), ("Tình trạng", "Status"), ("Check-in lúc", "Checked in at"),
    ("Cổng", "Gate"), ("Khách vãng lai", "Walk-in"),
]
_ARRIVED: Words = ("Đã đến", "Checked in")
_NOT_ARRIVED: Words = ("Chưa đến", "Not arrived")
_CANCELLED: Words = ("Đã huỷ", "Cancelled")


def attendance(database: Database, *, event_id: int, language: str, settings: Settings
               ) -> Report:
    """One row per invitation of the event (cancelled ones too): the guest, how to reach
    them, their tier, when they were invited, whether and when and where they came in,
    and whether they walked in. 404 (`event_not_found`) for no such event."""
    with database.session(Access.READ) as session:
        event = events.get_event(session, event_id=event_id)
    day = event.starts_at.astimezone(settings.zone).date()
    rows = _attendance_rows(database, event_id=event_id, language=language, settings=settings)
    return Report(f"attendance-{event_id}-{day.isoformat()}",
                  [_sheet(("Tham dự", "Attendance"), _ATTENDANCE, rows, language)])


def _attendance_rows(database: Database, *, event_id: int, language: str, settings: Settings
                     ) -> Iterator[list[Any]]:
    after = 0
    while True:
        with database.session(Access.READ) as session:
            page = events.invitations_after(session, event_id=event_id, after_id=after,
                                            limit=PAGE)
            if not page:
                return
            ids = [invitation.customer_id for invitation in page]
            people = customers.get_customers(session, customer_ids=ids)
            arrivals = checkin.arrivals_of(session, invitation_ids=[i.id for i in page])
            tiers = figures.standings_of(session, customer_ids=ids, settings=settings,
                                         now=utcnow())
        for invitation in page:
            person = people[invitation.customer_id]
            arrived_at, gate = arrivals.get(invitation.id, (None, ""))
            status = (_CANCELLED if invitation.status is InvitationStatus.CANCELLED
                      else _ARRIVED if arrived_at else _NOT_ARRIVED)
            yield [person.full_name, phone_as_written(person.phone), person.email,
                   tiers[invitation.customer_id].tier,
                   shop_time(invitation.created_at, settings.zone), say(status, language),
                   shop_time(arrived_at, settings.zone), gate,
                   say(YES_NO[invitation.walk_in], language)]
        after = page[-1].id


# -------------------------------------------------------------------------- customers

_CUSTOMERS: list[Words] = [
    ("Mã thành viên", "Member number"), ("Họ tên", "Name"), ("Điện thoại", "Phone"),
    ("E-mail", "E-mail"), ("Hạng", "Tier"), ("Điểm", "Points"), ("Nhịp ghé", "Status"),
    ("Lý do", "Reason"), ("Số lần ghé", "Visits"), ("Lần ghé cuối", "Last visit"),
    ("Chi tiêu 90 ngày (VND)", "Spend, last 90 days (VND)"),
    ("Đăng ký lúc", "Registered at"), ("Nhãn", "Tags"), ("Ghi chú", "Notes"),
]


def customer_list(database: Database, *, language: str, settings: Settings) -> Report:
    """Every customer whose data was not erased, by member number: how to reach them,
    tier and points, their status and its reason as the pages say it, visits, last visit
    (the shop's day), spend over the last 90 days, when they registered, tags and notes."""
    today = utcnow().astimezone(settings.zone).date()
    rows = _customer_rows(database, language=language, settings=settings)
    return Report(f"customers-{today.isoformat()}",
                  [_sheet(("Khách hàng", "Customers"), _CUSTOMERS, rows, language)])


def _customer_rows(database: Database, *, language: str, settings: Settings
                   ) -> Iterator[list[Any]]:
    after = 0
    while True:
        now = utcnow()
        with database.session(Access.READ) as session:
            ids = customers.customer_ids(session, after_id=after, limit=PAGE)
            if not ids:
                return
            people = customers.get_customers(session, customer_ids=ids)
            standings = figures.standings_of(session, customer_ids=ids, settings=settings,
                                             now=now)
            spend = loyalty.spend_windows(session, first_id=ids[0], last_id=ids[-1], until=now)
            statuses = words.statuses_of(session, customer_ids=ids)
        today = fit.local_today(settings.zone, now)
        for customer_id in ids:
            person, standing = people[customer_id], standings[customer_id]
            status = statuses.get(customer_id)
            last_visit = shop_time(person.last_visit_at, settings.zone)
            yield [customer_id, person.full_name, phone_as_written(person.phone), person.email,
                   standing.tier, standing.points,
                   words.status_word(status.status, language) if status else None,
                   words.reason_sentence(status, language, today=today) if status
                   else None,
                   person.visit_count, last_visit.date() if last_visit else None,
                   spend.get(customer_id, (0, 0))[0], shop_time(person.created_at, settings.zone),
                   person.tags, person.notes]
        after = ids[-1]


# ------------------------------------------------------------------------------ sales

_BY_DAY: list[Words] = [("Ngày", "Date"), ("Số đơn", "Sales"),
                        ("Doanh thu (VND)", "Total (VND)"), ("Phiếu giảm giá đã dùng",
                                                              "Coupons used")]
_BY_STAFF: list[Words] = [("Nhân viên", "Staff member"), ("Số đơn", "Sales"),
                          ("Doanh thu (VND)", "Total (VND)")]
_NOBODY: Words = ("(không rõ)", "(unknown)")


def _add(totals: list[int], *values: int) -> None:
    for n, value in enumerate(values):
        totals[n] += value


def _checked_range(first: date, last: date) -> None:
    if last < first:
        raise invalid("dates_out_of_order", "Ngày kết thúc phải từ ngày bắt đầu trở đi.",
                      "The end date must be on or after the start date.", field="to")
    if (last - first).days + 1 > MAX_SALES_DAYS:
        raise invalid("range_too_long",
                      f"Một báo cáo bán hàng dài tối đa {MAX_SALES_DAYS} ngày.",
                      f"A sales report covers {MAX_SALES_DAYS} days at most.", field="to")


def sales(database: Database, *, first: date, last: date, language: str, settings: Settings
          ) -> Report:
    """The sales (voids left out) from day `first` to day `last` (the shop's days, both
    included): one row per day, every day even without a sale (count, total, coupons used
    with them), and one row per staff member who served them (count, total; the most
    first). 400 (`dates_out_of_order`, `range_too_long`) for a range that is not one."""
    _checked_range(first, last)
    days = {first + timedelta(days=n): [0, 0, 0] for n in range((last - first).days + 1)}
    by_staff: dict[int | None, list[int]] = {}
    zone = settings.zone
    since = datetime.combine(first, time(), zone)
    until = datetime.combine(last + timedelta(days=1), time(), zone)
    after = 0
    while True:
        with database.session(Access.READ) as session:
            page = figures.sales_after(session, since=since, until=until, after_id=after,
                                       limit=PAGE)
        for sale in page:
            _add(days[sale.occurred_at.astimezone(zone).date()],
                 1, sale.amount_vnd, sale.coupons)
            _add(by_staff.setdefault(sale.staff_id, [0, 0]), 1, sale.amount_vnd)
        if not page:
            break
        after = page[-1].id
    with database.session(Access.READ) as session:
        names = staff.staff_names(session, staff_ids=list(by_staff))
    staff_rows = sorted(((names.get(staff_id) or say(_NOBODY, language), count, total)
                         for staff_id, (count, total) in by_staff.items()),
                        key=lambda row: (-row[2], row[0]))
    return Report(f"sales-{first.isoformat()}-{last.isoformat()}", [
        _sheet(("Theo ngày", "By day"), _BY_DAY,
               [[day, *figures_of] for day, figures_of in days.items()], language),
        _sheet(("Theo nhân viên", "By staff member"), _BY_STAFF, staff_rows, language)])
