"""Customers: add, find, edit, import, and their visit history."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from kiosk_server.core.deps import SessionDep
from kiosk_server.core.types import Id, PlainText
from kiosk_server.core.uploads import CSV_BODY, CsvBody
from kiosk_server.customers import service
from kiosk_server.customers.models import (
    CustomerCreate,
    CustomerPage,
    CustomerPublic,
    CustomerUpdate,
    ImportReport,
    VisitPublic,
)
from kiosk_server.staff.deps import CurrentStaff

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


@router.post("", response_model=CustomerPublic, status_code=status.HTTP_201_CREATED)
def create_customer(body: CustomerCreate, session: SessionDep, caller: CurrentStaff):
    """Staff. Add a customer."""
    return service.create_customer(session, data=body)


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
    return CustomerPage(items=items, next_cursor=cursor)


@router.post("/import", response_model=ImportReport, openapi_extra=CSV_BODY)
def import_customers(
    body: CsvBody, session: SessionDep, caller: CurrentStaff,
    dry_run: Annotated[bool, Query(description="check and count only; save nothing")] = False,
):
    """Staff. Import customers from a UTF-8 CSV; nothing is saved if any row has an error."""
    return service.import_csv(session, data=body, dry_run=dry_run)


@router.get("/{customer_id}", response_model=CustomerPublic)
def get_customer(customer_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. One customer."""
    return service.get_customer(session, customer_id=customer_id)


@router.patch("/{customer_id}", response_model=CustomerPublic)
def update_customer(
    customer_id: Id, body: CustomerUpdate, session: SessionDep, caller: CurrentStaff
):
    """Staff. Change a customer's details; fields left out stay as they are."""
    return service.update_customer(session, customer_id=customer_id, data=body)


@router.get("/{customer_id}/visits", response_model=list[VisitPublic])
def list_visits(
    customer_id: Id, session: SessionDep, caller: CurrentStaff,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
):
    """Staff. The customer's visits of every kind, newest first."""
    return service.list_visits(session, customer_id=customer_id, limit=limit)
