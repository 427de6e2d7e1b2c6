"""What the call view shows of a case (the customer's history beside the script), the call
log as a spreadsheet, and the customer's part of the call list in their export and on
their erasure."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import Session, col

from kiosk_server.calls import cases, service, settings, value
from kiosk_server.calls.models import (
    Call,
    Case,
    CaseDetail,
    CloseReason,
    LeaveAnswer,
    LeavingFlag,
    LowRating,
)
from kiosk_server.core.db import id_of
from kiosk_server.core.errors import invalid
from kiosk_server.core.spreadsheet import csv_bytes
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.feedback import answers as feedback_answers
from kiosk_server.feedback import service as feedback
from kiosk_server.feedback.erasure import Rows, rows_of
from kiosk_server.loyalty import service as loyalty
from kiosk_server.staff import service as staff

HISTORY = 10  # visits, purchases, low ratings shown
LOG_DAYS = 366  # the longest call log one download holds


def case_detail(session: Session, *, case_id: int, zone: ZoneInfo) -> CaseDetail:
    """The case (open or closed, never a held-out one: 409 `case_held_out`) with the
    customer's visits and purchases, who served them, complaints and low ratings with
    their words, the flags, the calls so far, and the script."""
    case = service.get_case(session, case_id=case_id)
    service.refuse_held_out(case)
    customer_id = case.customer_id
    flags = service.flags_of(session, customer_id=customer_id)
    row = service.listed_rows(
        session, [case], flags={id_of(case): flags}, zone=zone,
        values=value.values_at_risk(session, [customer_id]))[0]
    low = feedback_answers.low_ratings_of(session, customer_id=customer_id, limit=HISTORY)
    names = staff.staff_names(session, staff_ids=[answer.staff_id for answer in low])
    return CaseDetail(
        case=row, state=case.state,
        visits=service.visits_seen(session, customer_id=customer_id, limit=HISTORY),
        purchases=loyalty.listed(session, loyalty.purchases_of(
            session, customer_id=customer_id, limit=HISTORY)),
        complaints=feedback.to_public(session, feedback.complaints_of(
            session, customer_id=customer_id, limit=HISTORY)),
        low_ratings=[LowRating(answered_at=answer.answered_at,
                               visit_rating=answer.visit_rating,
                               staff_rating=answer.staff_rating, comment=answer.comment,
                               staff_name=names.get(answer.staff_id)) for answer in low],
        flags=flags, calls=service.calls_of(session, case_id=case_id),
        script=[line.strip() for line in settings.current(session).script.splitlines()
                if line.strip()])


# ---------------------------------------------------------------- the call log

LOG_COLUMNS = ("time", "customer", "phone", "staff", "outcome", "reason", "words",
               "will_return", "follow_up_on", "notes")


def _local_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    if last < first:
        raise invalid("ends_before_start", "Ngày cuối phải sau ngày đầu.",
                      "The last day must come after the first.", field="to")
    if (last - first).days >= LOG_DAYS:
        raise invalid("range_too_long", "Mỗi lần tải tối đa 366 ngày.",
                      "At most 366 days per download.", field="to")
    return (datetime.combine(first, time(), zone),
            datetime.combine(last + timedelta(days=1), time(), zone))


def call_log_csv(session: Session, *, first: date, last: date, zone: ZoneInfo) -> bytes:
    """Every call made from `first` to `last` (the shop's days), one row each, oldest
    first: a CSV no spreadsheet runs a formula from."""
    since, until = _local_bounds(first, last, zone)
    calls = list(session.scalars(
        select(Call).where(col(Call.called_at) >= since, col(Call.called_at) < until)
        .order_by(col(Call.called_at), col(Call.id))))
    said = service.calls_public(session, calls)
    people = customers.get_customers(session, customer_ids=sorted({c.customer_id
                                                                   for c in calls}))
    rows = []
    for call in said:
        person = people.get(call.customer_id)
        rows.append((call.called_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                     person.full_name if person else "", person.phone if person else "",
                     call.staff_name, call.outcome, call.reason, call.words,
                     call.will_return, call.follow_up_on, call.notes))
    return csv_bytes(LOG_COLUMNS, rows)


# ---------------------------------------------------------------- privacy

def export_rows(session: Session, *, customer_id: int) -> dict[str, Rows]:
    """The customer's cases on the call list, the flags raised on them with their words,
    the calls made to them and what they said (their export)."""
    return {
        "call_cases": rows_of(session, Case, ("id", "source", "opened_at", "state",
                                            "returned_at", "closed_at", "close_reason"),
                            col(Case.customer_id) == customer_id),
        "leaving_flags": rows_of(session, LeavingFlag, ("case_id", "flagged_at", "place", "words"),
                               col(LeavingFlag.customer_id) == customer_id),
        "calls": rows_of(session, Call, ("id", "case_id", "called_at", "outcome", "notes",
                                       "follow_up_on"), col(Call.customer_id) == customer_id),
        "leave_answers": rows_of(session, LeaveAnswer, ("case_id", "source", "answered_at",
                                                      "reason", "words", "will_return"),
                               col(LeaveAnswer.customer_id) == customer_id),
    }


def forget(session: Session, *, customer_id: int) -> None:
    """Erasure: the words of the flags, the calls' notes and the customer's own words are
    blanked (the reasons stay, anonymous, in the counts); an open case closes as
    `erased`."""
    for statement in (
        update(LeavingFlag).where(col(LeavingFlag.customer_id) == customer_id).values(words=""),
        update(Call).where(col(Call.customer_id) == customer_id).values(notes=""),
        update(LeaveAnswer).where(col(LeaveAnswer.customer_id) == customer_id)
        .values(words=""),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    for case in cases.open_cases_of(session, [customer_id]).values():
        cases.close_case(session, case, reason=CloseReason.ERASED, at=utcnow())
