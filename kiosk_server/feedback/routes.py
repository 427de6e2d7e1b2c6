"""Complaints about how a customer was served: recorded by staff, resolved by staff."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from kiosk_server.core.deps import SessionDep
from kiosk_server.core.types import Id
from kiosk_server.customers import service as customers
from kiosk_server.feedback import service
from kiosk_server.feedback.models import ComplaintCreate, ComplaintPublic, ComplaintResolve
from kiosk_server.staff.deps import Audit, CurrentStaff

router = APIRouter(prefix="/api/v1", tags=["feedback"])


@router.post("/customers/{customer_id}/complaints", response_model=ComplaintPublic,
             status_code=status.HTTP_201_CREATED)
def open_complaint(customer_id: Id, body: ComplaintCreate, session: SessionDep,
                   caller: CurrentStaff, log: Audit):
    """Staff. Record a complaint the customer made about how they were served (optionally
    about one staff member and one visit). It stays open on their record, shown to whoever
    serves them next, until resolved."""
    complaint = service.open_complaint(session, customer_id=customer_id, data=body,
                                       opened_by=caller.staff_id)
    log.record("complaint.open", complaint, details=body)
    return service.to_public(session, [complaint])[0]


@router.get("/customers/{customer_id}/complaints", response_model=list[ComplaintPublic])
def list_complaints(customer_id: Id, session: SessionDep, caller: CurrentStaff,
                    open_only: Annotated[bool, Query(alias="open")] = False):
    """Staff. The customer's complaints, newest first (`open=true`: unresolved only)."""
    customers.get_customer(session, customer_id=customer_id)
    return service.to_public(session, service.complaints_of(
        session, customer_id=customer_id, open_only=open_only))


@router.post("/complaints/{complaint_id}/resolve", response_model=ComplaintPublic)
def resolve_complaint(complaint_id: Id, body: ComplaintResolve, session: SessionDep,
                      caller: CurrentStaff, log: Audit):
    """Staff. Close a complaint, saying what was done about it."""
    complaint = service.resolve_complaint(session, complaint_id=complaint_id,
                                          resolution=body.resolution, by=caller.staff_id)
    log.record("complaint.resolve", complaint, details=body)
    return service.to_public(session, [complaint])[0]
