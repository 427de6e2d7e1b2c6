"""Customers: add, find, edit, import, and their visit history."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, status

from kiosk_server.core.deps import SessionDep, SettingsDep
from kiosk_server.core.types import Id, PlainText, utcnow
from kiosk_server.core.uploads import (
    CSV_BODY,
    IMPORT_CONFLICTS,
    CsvBody,
    DryRun,
    Previewed,
    SkipBadRows,
)
from kiosk_server.customers import contact, imports, service
from kiosk_server.customers.contact import ConsentBy
from kiosk_server.customers.models import (
    ConsentChangePublic,
    ConsentSource,
    CustomerCreate,
    CustomerPage,
    CustomerPublic,
    CustomerUpdate,
    ImportReport,
    NoteCreate,
    VisitPublic,
)
from kiosk_server.live.socket import found_or_closed, relay, stream_until_closed
from kiosk_server.staff import service as staff
from kiosk_server.staff.deps import Audit, CurrentStaff, StaffWorkDep, admit_staff

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


@router.post("", response_model=CustomerPublic, status_code=status.HTTP_201_CREATED)
def create_customer(body: CustomerCreate, session: SessionDep, caller: CurrentStaff,
                    log: Audit):
    """Staff. Add a customer."""
    customer = service.create_customer(
        session, data=body, by=ConsentBy(ConsentSource.STAFF, caller.staff_id))
    log.record("customer.create", customer, details=body)
    return customer


@router.get("", response_model=CustomerPage)
def search_customers(
    session: SessionDep,
    caller: CurrentStaff,
    q: Annotated[PlainText, Query(max_length=200,
                                  description="name (any diacritics) or phone")] = "",
    after: Annotated[Id | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
):
    """Staff. Find customers by name or phone, a page at a time."""
    items, cursor = service.search_customers(session, query=q, after=after, limit=limit)
    return CustomerPage.model_validate({"items": items, "next_cursor": cursor})


@router.post("/import", response_model=ImportReport, openapi_extra=CSV_BODY,
             responses=IMPORT_CONFLICTS)
def import_customers(body: CsvBody, work: StaffWorkDep, dry_run: DryRun = False,
                     skip_bad_rows: SkipBadRows = False, preview: Previewed = None):
    """Staff. Preview a UTF-8 CSV of customers (`dry_run`: each of the first 50 rows with its
    problems, the counts, the existing customers matched), or import its good rows: in short
    transactions, so that check-ins go on meanwhile. Sent again after a failure, the same
    file carries on where it stopped."""
    return imports.import_file(
        work, data=body,
        options=imports.ImportOptions(dry_run=dry_run, skip_bad_rows=skip_bad_rows,
                                      previewed=preview),
        target=imports.ImportTarget(scope="customers",
                                    audit=("customer.import", ("customers", None))))


@router.get("/{customer_id}", response_model=CustomerPublic)
def get_customer(customer_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. One customer."""
    return service.get_customer(session, customer_id=customer_id)


@router.patch("/{customer_id}", response_model=CustomerPublic)
def update_customer(
    customer_id: Id, body: CustomerUpdate, session: SessionDep, caller: CurrentStaff, log: Audit
):
    """Staff. Change a customer's details; fields left out stay as they are."""
    customer = service.update_customer(
        session, customer_id=customer_id, data=body,
        by=ConsentBy(ConsentSource.STAFF, caller.staff_id))
    log.record("customer.update", customer, details=body)
    return customer


@router.post("/{customer_id}/notes", response_model=CustomerPublic)
def add_note(customer_id: Id, body: NoteCreate, session: SessionDep, settings: SettingsDep,
             caller: CurrentStaff, log: Audit):
    """Staff. Add a note to the customer's notes, dated and signed with the caller's name, on
    top of the earlier ones (what the next person serving them should know)."""
    author = staff.staff_names(session, staff_ids=[caller.staff_id]).get(
        caller.staff_id, caller.username)
    customer = service.add_note(session, customer_id=customer_id, text=body.text,
                                author=author, at=utcnow().astimezone(settings.zone))
    log.record("customer.note", customer, details=body)
    return customer


@router.get("/{customer_id}/consent", response_model=list[ConsentChangePublic])
def consent_history(customer_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. Every change of the customer's consent to be contacted, newest first: channel,
    purpose, given or withdrawn, where (till, portal, poster, import, staff, migration),
    by whom and when."""
    service.get_customer(session, customer_id=customer_id)
    history = contact.consent_history(session, customer_id=customer_id)
    names = staff.staff_names(session, staff_ids={change.staff_id for change in history})
    return [change.model_copy(update={
        "staff_name": names.get(change.staff_id) if change.staff_id else None})
            for change in history]


@router.get("/{customer_id}/visits", response_model=list[VisitPublic])
def list_visits(
    customer_id: Id, session: SessionDep, caller: CurrentStaff,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
):
    """Staff. The customer's visits of every kind, newest first."""
    return service.list_visits(session, customer_id=customer_id, limit=limit)


@router.websocket("/{customer_id}/live")
async def live_visits(websocket: WebSocket, customer_id: Id):
    """Staff (session cookie or bearer token). The customer's new visits, live, for a page
    showing their history. The first message, `{"type": "ready"}`, comes once the new
    visits are being followed: read the history (`GET .../visits`) after it and drop
    what arrives twice (by visit id). Each new visit is then a `VisitUpdate`; another
    `ready` means some may have been missed: read the history again. Closes with 4401
    without valid staff credentials, 4404 for an unknown customer."""
    if not await admit_staff(websocket):
        return
    if not await found_or_closed(
            websocket, partial(service.get_customer, customer_id=customer_id), "customer"):
        return
    await stream_until_closed(websocket, relay(websocket, service.visits_channel(customer_id)))

