"""The call list: flags, open cases by value at risk, assigning and closing them, calls and
their outcomes, the call script and settings, the call log."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from kiosk_server.calls import history, service, settings
from kiosk_server.calls.models import (
    Assigned,
    AssigneeUpdate,
    CallCreate,
    CallPublic,
    CallSettingsPublic,
    CallSettingsUpdate,
    CaseDetail,
    CasePage,
    CasePublic,
    LeavingFlagCreate,
    LeavingFlagPublic,
)
from kiosk_server.core.deps import SessionDep, SettingsDep
from kiosk_server.core.guard import refuse_cross_site_read
from kiosk_server.core.types import Id
from kiosk_server.staff.deps import AdminOnly, Audit, CurrentStaff

router = APIRouter(prefix="/api/v1", tags=["calls"])

REUSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "`request_reused`: this client_key came with another request"}}
NOT_CALLABLE: dict[int | str, dict[str, Any]] = {
    409: {"description": "`case_held_out` (nobody contacts the hold-out), `case_closed`"}}
CSV: dict[int | str, dict[str, Any]] = {200: {
    "content": {"text/csv": {}}, "description": "one row per call (UTF-8 with BOM)"}}


@router.post("/customers/{customer_id}/leaving-flags", response_model=LeavingFlagPublic,
             status_code=status.HTTP_201_CREATED, responses=REUSED)
def flag_leaving(customer_id: Id, body: LeavingFlagCreate, session: SessionDep,
                 caller: CurrentStaff, log: Audit):
    """Staff. "This customer may be leaving", in the staff member's words: the customer is
    put on the call list whatever the numbers say (a held-out case is released). A retry
    with the same `client_key` acts once and gets the first answer."""
    flag, recorded = service.flag_leaving(session, customer_id=customer_id, data=body,
                                          by=caller.staff_id)
    if recorded:
        log.record("customer.flag_leaving", ("customers", customer_id),
                   details={"case_id": flag.case_id, "place": flag.place.value})
    return flag


@router.get("/calls/cases", response_model=CasePage)
def call_list(
    session: SessionDep, caller: CurrentStaff, settings_: SettingsDep,
    assigned: Annotated[Assigned, Query(description="me: mine; nobody: unassigned; "
                                                    "anyone: all")] = Assigned.ANYONE,
    cursor: Annotated[str | None, Query(pattern=service.CURSOR_PATTERN,
                                        description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
):
    """Staff. The open cases to call (never the hold-out), flagged customers first, then
    by value at risk (usual spend times the probability they are gone), a page at a
    time."""
    return service.case_page(session, assigned=assigned, caller=caller,
                             zone=settings_.zone, after=cursor, limit=limit)


@router.get("/calls/cases/{case_id}", response_model=CaseDetail, responses=NOT_CALLABLE)
def call_case(case_id: Id, session: SessionDep, caller: CurrentStaff,
              settings_: SettingsDep):
    """Staff. A case with the customer's history for the call: visits and purchases, who
    served them, complaints and low ratings with their words, flags, calls, the script."""
    return history.case_detail(session, case_id=case_id, zone=settings_.zone)


@router.put("/calls/cases/{case_id}/assignee", response_model=CasePublic,
            responses=NOT_CALLABLE)
def assign_case(case_id: Id, body: AssigneeUpdate, session: SessionDep, caller: AdminOnly,
                log: Audit):
    """Admin. Give the case to a staff member to call (`staff_id` null: to nobody)."""
    case = service.assign(session, case_id=case_id, staff_id=body.staff_id,
                          by=caller.staff_id)
    log.record("retention.case_assign", case, details=body)
    return case


@router.post("/calls/cases/{case_id}/close", response_model=CasePublic,
             responses=NOT_CALLABLE)
def close_case(case_id: Id, session: SessionDep, caller: AdminOnly, log: Audit):
    """Admin. Close the case (done: reached, or given up); closing it again changes
    nothing."""
    case, closed = service.close_by_staff(session, case_id=case_id, by=caller.staff_id)
    if closed:
        log.record("retention.case_close", case)
    return case


@router.post("/calls/cases/{case_id}/calls", response_model=CallPublic,
             status_code=status.HTTP_201_CREATED,
             responses={409: {"description": "`case_held_out`, `case_closed`, "
                                             "`request_reused`"}})
def record_call(case_id: Id, body: CallCreate, session: SessionDep, caller: CurrentStaff,
                log: Audit, settings_: SettingsDep):
    """Staff. A call made on the case: its outcome, notes, a follow-up date (not in the
    past) and, when the customer was reached, why they left (`words` required for
    `other`) and whether they will come back. A retry with the same `client_key` acts
    once and gets the first answer."""
    call, recorded = service.record_call(session, case_id=case_id, data=body,
                                         by=caller.staff_id, zone=settings_.zone)
    if recorded:
        log.record("retention.call", ("retention_cases", case_id),
                   details={"call_id": call.id, "outcome": call.outcome.value})
    return call


@router.get("/calls/settings", response_model=CallSettingsPublic)
def call_settings(session: SessionDep, caller: CurrentStaff):
    """Staff. The call script (the owner's questions, one a line), the hold-out share, the
    win-back window, whether the exit survey is sent."""
    return settings.to_public(settings.current(session))


@router.put("/calls/settings", response_model=CallSettingsPublic)
def change_call_settings(body: CallSettingsUpdate, session: SessionDep, caller: AdminOnly,
                         log: Audit):
    """Admin. Change the call list's settings (all of them, as the form shows them)."""
    row, changed = settings.update_settings(session, data=body, by=caller.staff_id)
    if changed:
        log.record("settings.calls", ("call_settings", row.id),
                   details={name: body.model_dump(mode="json")[name] for name in changed})
    return settings.to_public(row)


@router.get("/calls/log.csv", response_class=Response, responses=CSV)
def call_log(
    request: Request, session: SessionDep, caller: AdminOnly, settings_: SettingsDep,
    first: Annotated[date, Query(alias="from", description="the first day (shop's zone)")],
    last: Annotated[date, Query(alias="to", description="the last day, included")],
):
    """Admin. Every call made in these days, one row each: time (shop's zone), customer,
    phone, staff, outcome, reason, words, will return, follow-up, notes. Refused (403) to a
    browser sent by another site."""
    refuse_cross_site_read(request.headers)
    data = history.call_log_csv(session, first=first, last=last, zone=settings_.zone)
    return Response(data, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="call-log-{first}-{last}.csv"',
        "Cache-Control": "no-store"})
