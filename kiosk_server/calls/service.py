"""The call list: staff flags ("may be leaving"), the list of open cases by value at risk,
assigning and closing cases, and the calls made on them with what the customers said.

Cases in the hold-out are never listed nor callable: nobody contacts them, so that the
share of them who come back anyway says what the calls achieve."""

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from kiosk_server.calls import cases, value
from kiosk_server.calls.models import (
    AnswerSource,
    Assigned,
    Call,
    CallCreate,
    CallOutcome,
    CallPublic,
    Case,
    CaseListed,
    CasePage,
    CaseSource,
    CaseState,
    CloseReason,
    Group,
    LeaveAnswer,
    LeaveReason,
    LeavingFlag,
    LeavingFlagCreate,
    LeavingFlagPublic,
    VisitSeen,
)
from kiosk_server.core.db import id_of
from kiosk_server.core.errors import DomainError, conflict, invalid, not_found
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.feedback import answers as feedback_answers
from kiosk_server.feedback import service as feedback
from kiosk_server.retention import service as retention
from kiosk_server.staff import service as staff
from kiosk_server.staff.service import Principal

Flagged = LeavingFlag | LeavingFlagPublic
LISTED_GROUPS = (Group.CONTACT, Group.NOT_DRAWN)
LAST_VISITS = 3
SERVED_FROM_VISITS = 10


def _request_reused() -> DomainError:
    return conflict("request_reused",
                    "Mã gửi này đã được dùng cho một việc khác. Hãy tải lại trang.",
                    "This request key was used for something else. Reload the page.",
                    field="client_key")


def _no_such_case() -> DomainError:
    return not_found("trường hợp cần gọi", "Case", code="case_not_found")


def get_case(session: Session, *, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise _no_such_case()
    return case


def refuse_held_out(case: Case) -> None:
    """409 `case_held_out` for a case in the hold-out: nobody sees or calls it."""
    if case.group is Group.HOLD_OUT:
        raise conflict("case_held_out",
                       "Khách này thuộc nhóm đối chứng: không ai gọi hay nhắn cho họ.",
                       "This customer is in the hold-out: nobody calls or messages them.")


def callable_case(session: Session, *, case_id: int) -> Case:
    """A case staff may work on: open and not held out (409 `case_closed`,
    `case_held_out`)."""
    case = get_case(session, case_id=case_id)
    refuse_held_out(case)
    if case.state is not CaseState.OPEN:
        raise conflict("case_closed", "Trường hợp này đã đóng.", "This case is closed.")
    return case


# ---------------------------------------------------------------- flags

def _flag_public(session: Session, flag: LeavingFlag) -> LeavingFlagPublic:
    names = staff.staff_names(session, staff_ids=[flag.staff_id])
    return LeavingFlagPublic(**flag.model_dump(), staff_name=names.get(flag.staff_id))


def _flag_by_key(session: Session, client_key: str) -> LeavingFlag | None:
    return session.scalars(select(LeavingFlag)
                           .where(col(LeavingFlag.client_key) == client_key)).first()


def _replayed(flag: LeavingFlag, customer_id: int) -> LeavingFlag:
    if flag.customer_id != customer_id:
        raise _request_reused()
    return flag


def flag_leaving(session: Session, *, customer_id: int, data: LeavingFlagCreate,
                 by: int | None) -> tuple[LeavingFlagPublic, bool]:
    """Record that the customer may be leaving and put them on the call list whatever the
    numbers say: their open case (a held-out one released: the staff member's word wins,
    and the case leaves the comparison), or a new one, not drawn. A retry with the same
    `client_key` acts once; the flag, and whether this call recorded it."""
    earlier = _flag_by_key(session, data.client_key)
    if earlier is not None:
        return _flag_public(session, _replayed(earlier, customer_id)), False
    customers.get_live_customer(session, customer_id=customer_id)
    now = utcnow()
    case = cases.open_case(session, customer_id=customer_id, source=CaseSource.FLAG,
                           group=Group.NOT_DRAWN, at=now)
    flag = LeavingFlag(customer_id=customer_id, case_id=id_of(case), staff_id=by,
                       place=data.place, words=data.words, client_key=data.client_key,
                       flagged_at=now)
    try:
        with session.begin_nested():
            session.add(flag)
            session.flush()
    except IntegrityError:  # the same key, recorded at this moment by another request
        raced = _flag_by_key(session, data.client_key)
        assert raced is not None
        return _flag_public(session, _replayed(raced, customer_id)), False
    if case.group is Group.HOLD_OUT:
        case.group = Group.NOT_DRAWN
        session.add(case)
    return _flag_public(session, flag), True


# ---------------------------------------------------------------- the list

def _listed_cases(session: Session, *, assigned: Assigned, caller: Principal) -> list[Case]:
    query = select(Case).where(col(Case.state) == CaseState.OPEN,
                               col(Case.group).in_(LISTED_GROUPS))
    if assigned is Assigned.ME:
        query = query.where(col(Case.assigned_to) == caller.staff_id)
    elif assigned is Assigned.NOBODY:
        query = query.where(col(Case.assigned_to).is_(None))
    return list(session.scalars(query))


def _open_flags(session: Session) -> dict[int, list[LeavingFlag]]:
    """The flags of the open cases, by case, newest first."""
    found: dict[int, list[LeavingFlag]] = {}
    for flag in session.scalars(select(LeavingFlag)
                                .join(Case, col(Case.id) == col(LeavingFlag.case_id))
                                .where(col(Case.state) == CaseState.OPEN)
                                .order_by(col(LeavingFlag.flagged_at).desc())):
        found.setdefault(flag.case_id, []).append(flag)
    return found


# A page's cursor: its last case's place in the order (unflagged 0/1, minus the value at
# risk, opened at in microseconds since 1970, id), written "1:-90000:1796000000000000:42".
CURSOR_PATTERN = r"^[01]:-?\d{1,18}:-?\d{1,20}:\d{1,18}$"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def case_page(session: Session, *, assigned: Assigned, caller: Principal, zone: ZoneInfo,
              after: str | None = None, limit: int = 20) -> CasePage:
    """The open cases to call, flagged ones first, then by value at risk, a page at a
    time: the one after the case the cursor `after` names (`CURSOR_PATTERN`), wherever
    that case now stands in the order (or would, once called and closed)."""
    listed = _listed_cases(session, assigned=assigned, caller=caller)
    flags = _open_flags(session)
    values = value.values_at_risk(session, [case.customer_id for case in listed])

    def place(case: Case) -> tuple[int, ...]:
        return (0 if flags.get(id_of(case)) else 1, -values[case.customer_id][2],
                (case.opened_at - _EPOCH) // timedelta(microseconds=1), id_of(case))

    placed = sorted(((place(case), case) for case in listed), key=lambda pair: pair[0])
    places = [where for where, _ in placed]
    start = (0 if after is None
             else bisect_right(places, tuple(int(part) for part in after.split(":"))))
    end = start + limit
    page = [case for _, case in placed[start:end]]
    return CasePage(items=listed_rows(session, page, flags=flags, values=values, zone=zone),
                    total=len(listed),
                    next_cursor=":".join(map(str, places[end - 1])) if end < len(placed)
                    else None,
                    ranked_by_model=value.ranked_by_model(session))


def listed_rows(session: Session, page: list[Case], *, flags: Mapping[int, Sequence[Flagged]],
                values: dict[int, value.Value], zone: ZoneInfo) -> list[CaseListed]:
    """The call list's rows of these cases (`flags`: each case's, newest first)."""
    people = customers.get_customers(session, customer_ids=[case.customer_id for case in page])
    names = staff.staff_names(session, staff_ids=[case.assigned_to for case in page])
    low = feedback_answers.low_rating_counts(session, customer_ids=list(people))
    rows = []
    for case in page:
        person = people[case.customer_id]
        status = retention.status_of(session, customer_id=case.customer_id, zone=zone)
        visits = visits_seen(session, customer_id=case.customer_id, limit=SERVED_FROM_VISITS)
        usual, p_alive, at_risk = values[case.customer_id]
        rows.append(CaseListed(
            id=id_of(case), customer_id=case.customer_id, full_name=person.full_name,
            phone=person.phone, source=case.source, group=case.group,
            opened_at=case.opened_at, status=status.status, reason=status.reason,
            usual_interval_days=status.usual_interval_days, days_since=status.days_since,
            spend_drop_pct=status.spend_drop_pct, visit_count=status.visit_count,
            usual_spend_vnd=usual, p_alive=p_alive, value_at_risk_vnd=at_risk,
            flagged=bool(flags.get(id_of(case))),
            flags=[flag.words for flag in flags.get(id_of(case), [])],
            last_visits=visits[:LAST_VISITS],
            served_by=list(dict.fromkeys(v.staff_name for v in visits if v.staff_name)),
            open_complaints=len(feedback.complaints_of(session, customer_id=case.customer_id,
                                                       open_only=True)),
            low_ratings=low.get(case.customer_id, 0),
            assigned_to=case.assigned_to, assignee_name=names.get(case.assigned_to),
            follow_up_on=case.follow_up_on))
    return rows


def visits_seen(session: Session, *, customer_id: int, limit: int) -> list[VisitSeen]:
    """The customer's latest visits, newest first, with who served each."""
    visits = customers.recent_visits(session, customer_id=customer_id, limit=limit)
    names = staff.staff_names(session, staff_ids=[visit.staff_id for visit in visits])
    return [VisitSeen(occurred_at=visit.occurred_at, kind=visit.kind.value,
                      staff_name=names.get(visit.staff_id)) for visit in visits]


# ---------------------------------------------------------------- assigning, closing

def assign(session: Session, *, case_id: int, staff_id: int | None, by: int | None) -> Case:
    """Give the case to a staff member to call (None: to nobody yet)."""
    case = callable_case(session, case_id=case_id)
    if staff_id is not None:
        staff.active_staff_member(session, staff_id=staff_id)
    case.assigned_to, case.assigned_by, case.assigned_at = staff_id, by, utcnow()
    session.add(case)
    session.flush()
    return case


def close_by_staff(session: Session, *, case_id: int, by: int | None) -> tuple[Case, bool]:
    """Close the case (done: reached, or given up); closing it again changes nothing. The
    case, and whether this call closed it."""
    case = get_case(session, case_id=case_id)
    if case.state is CaseState.CLOSED:
        return case, False
    case = callable_case(session, case_id=case_id)
    cases.close_case(session, case, reason=CloseReason.CLOSED_BY_STAFF, at=utcnow(), by=by)
    return case, True


# ---------------------------------------------------------------- calls

def _call_by_key(session: Session, client_key: str) -> Call | None:
    return session.scalars(select(Call).where(col(Call.client_key) == client_key)).first()


def calls_public(session: Session, calls: Sequence[Call]) -> list[CallPublic]:
    """Calls with who made them and what the customer said."""
    names = staff.staff_names(session, staff_ids=[call.staff_id for call in calls])
    answers = {answer.call_id: answer for answer in session.scalars(
        select(LeaveAnswer).where(col(LeaveAnswer.call_id).in_([call.id for call in calls])))}
    out = []
    for call in calls:
        answer = answers.get(call.id)
        out.append(CallPublic(
            **call.model_dump(), staff_name=names.get(call.staff_id),
            reason=answer.reason if answer else None, words=answer.words if answer else "",
            will_return=answer.will_return if answer else None))
    return out


def _check_call(data: CallCreate, *, today: date) -> None:
    if data.follow_up_on is not None and data.follow_up_on < today:
        raise invalid("follow_up_in_past", "Ngày gọi lại không được ở quá khứ.",
                      "The follow-up date cannot be in the past.", field="follow_up_on")
    if data.outcome is not CallOutcome.REACHED:
        if data.reason is not None or data.will_return is not None:
            raise invalid("answer_without_reach",
                          "Chỉ ghi lý do và ý định quay lại khi đã nói chuyện được với khách.",
                          "A reason and whether they will return are for a call that "
                          "reached the customer.", field="reason")
        return
    if data.reason is None:
        raise invalid("reason_needed", "Hãy chọn lý do khách ít ghé.",
                      "Choose why the customer stopped coming.", field="reason")
    if data.reason is LeaveReason.OTHER and not data.words:
        raise invalid("words_needed", "Hãy ghi lại lời khách nói khi chọn \"Lý do khác\".",
                      "Write down the customer's words for \"Other\".", field="words")


def record_call(session: Session, *, case_id: int, data: CallCreate, by: int | None,
                zone: ZoneInfo) -> tuple[CallPublic, bool]:
    """Record a call on an open case that is not held out, with what the customer said when
    reached (a reason for leaving, whether they will return); its follow-up date becomes
    the case's. A retry with the same `client_key` acts once; the call, and whether this
    request recorded it."""
    earlier = _call_by_key(session, data.client_key)
    if earlier is not None:
        if earlier.case_id != case_id:
            raise _request_reused()
        return calls_public(session, [earlier])[0], False
    now = utcnow()
    _check_call(data, today=now.astimezone(zone).date())
    case = callable_case(session, case_id=case_id)
    call = Call(case_id=case_id, customer_id=case.customer_id, staff_id=by,
                outcome=data.outcome, notes=data.notes, follow_up_on=data.follow_up_on,
                client_key=data.client_key, called_at=now)
    try:
        with session.begin_nested():
            session.add(call)
            session.flush()
    except IntegrityError:  # the same key, recorded at this moment by another request
        raced = _call_by_key(session, data.client_key)
        assert raced is not None
        if raced.case_id != case_id:
            raise _request_reused() from None
        return calls_public(session, [raced])[0], False
    if data.reason is not None:
        session.add(LeaveAnswer(customer_id=case.customer_id, case_id=case_id,
                                source=AnswerSource.CALL, call_id=call.id, reason=data.reason,
                                words=data.words, will_return=data.will_return,
                                answered_at=now))
    session.execute(update(Case).where(col(Case.id) == case_id)
                    .values(follow_up_on=data.follow_up_on)
                    .execution_options(synchronize_session=False))
    session.flush()
    return calls_public(session, [call])[0], True


def calls_of(session: Session, *, case_id: int) -> list[CallPublic]:
    """The case's calls, oldest first."""
    return calls_public(session, list(session.scalars(
        select(Call).where(col(Call.case_id) == case_id)
        .order_by(col(Call.called_at), col(Call.id)))))


def flags_of(session: Session, *, customer_id: int) -> list[LeavingFlagPublic]:
    """Every flag raised on the customer, newest first."""
    flags = list(session.scalars(select(LeavingFlag)
                                 .where(col(LeavingFlag.customer_id) == customer_id)
                                 .order_by(col(LeavingFlag.flagged_at).desc())))
    names = staff.staff_names(session, staff_ids=[flag.staff_id for flag in flags])
    return [LeavingFlagPublic(**flag.model_dump(), staff_name=names.get(flag.staff_id))
            for flag in flags]


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Cases by their customer's full name (for the audit log)."""
    return customers.owner_labels(session, session.execute(
        select(col(Case.id), col(Case.customer_id)).where(col(Case.id).in_(ids))))

