"""The till: a customer's standing, recording a purchase, voiding one."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from kiosk_server.core.deps import SessionDep, SettingsDep
from kiosk_server.core.types import Id
from kiosk_server.loyalty import service
from kiosk_server.loyalty.models import (
    LoyaltyStatus,
    PurchaseCreate,
    PurchasePublic,
    PurchaseResult,
    PurchaseVoid,
)
from kiosk_server.staff.deps import AdminOnly, Audit, CurrentStaff

router = APIRouter(prefix="/api/v1", tags=["loyalty"])


@router.get("/customers/{customer_id}/loyalty", response_model=LoyaltyStatus)
def loyalty_status(customer_id: Id, session: SessionDep, settings: SettingsDep,
                   caller: CurrentStaff):
    """Staff. The customer's points, spend (last 12 months and in all) and tier."""
    return service.customer_status(session, customer_id=customer_id, settings=settings)


@router.post("/customers/{customer_id}/purchases", response_model=PurchaseResult,
             status_code=status.HTTP_201_CREATED,
             responses={200: {"description": "this request_id was recorded before: its result"}})
def record_purchase(customer_id: Id, body: PurchaseCreate, request: Request, response: Response,
                    session: SessionDep, settings: SettingsDep, caller: CurrentStaff,
                    log: Audit):
    """Staff. Record a sale to the customer, served by the signed-in staff member: a visit in
    their history, and points (1 per 10,000 VND by default). Sent again with the same
    `request_id`, it is answered with what was recorded (200), not recorded twice."""
    result = service.record_purchase(session, customer_id=customer_id, data=body,
                                     staff_id=caller.staff_id, settings=settings,
                                     hub=request.app.state.hub)
    if result.replayed:
        response.status_code = status.HTTP_200_OK
    else:
        log.record("purchase.create", ("purchases", result.purchase.id), details=body)
    return result


@router.get("/customers/{customer_id}/purchases", response_model=list[PurchasePublic])
def list_purchases(customer_id: Id, session: SessionDep, caller: CurrentStaff,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100):
    """Staff. The customer's purchases, newest first, voided ones included."""
    return service.purchases_of(session, customer_id=customer_id, limit=limit)


@router.post("/purchases/{purchase_id}/void", response_model=PurchasePublic)
def void_purchase(purchase_id: Id, body: PurchaseVoid, session: SessionDep, caller: AdminOnly,
                  log: Audit):
    """Admin. Void a purchase: its points and spend stop counting; it stays on record, with
    who voided it, when and why."""
    purchase = service.void_purchase(session, purchase_id=purchase_id, by=caller.staff_id,
                                     reason=body.reason)
    log.record("purchase.void", purchase, details=body)
    return purchase
