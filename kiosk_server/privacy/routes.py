"""A customer's data at the counter: handed over as a ZIP, or erased, by an admin."""

from typing import Any

from fastapi import APIRouter, Request, Response

from kiosk_server.core.deps import SessionDep
from kiosk_server.core.guard import refuse_cross_site_read
from kiosk_server.core.types import Id
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import CustomerPublic
from kiosk_server.privacy import service
from kiosk_server.privacy.models import ErasureRequest
from kiosk_server.staff.deps import AdminOnly, StaffWorkDep, admin_only

router = APIRouter(prefix="/api/v1/customers", tags=["privacy"])

ZIP: dict[int | str, dict[str, Any]] = {200: {
    "content": {"application/zip": {}},
    "description": "customer.json and one CSV per part (UTF-8 with BOM)"}}


@router.get("/{customer_id}/export", response_class=Response, responses=ZIP)
def export_customer(customer_id: Id, request: Request, work: StaffWorkDep):
    """Admin. Everything the shop holds about the customer, as a ZIP to hand to them
    (profile, consents and their history, cards, visits, check-ins and invitations,
    purchases, points, coupons, redemptions, feedback and complaints with the shop's
    answers, messages sent to them, notes). Recorded in the audit log. Refused (403) to a
    browser sent by another site."""
    refuse_cross_site_read(request.headers)
    with work.open() as unit:
        admin_only(unit.caller)
        data = service.export_zip(unit.session, customer_id=customer_id)
        unit.log.record("customer.export", ("customers", customer_id))
    return Response(data, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="customer-{customer_id}.zip"',
        "Cache-Control": "no-store"})


@router.post("/{customer_id}/erase", response_model=CustomerPublic)
def erase_customer(customer_id: Id, body: ErasureRequest, request: Request,
                   session: SessionDep, caller: AdminOnly):
    """Admin. Erase the customer's personal data at their request (`confirm` must be true):
    name, phone, e-mail, notes and tags go; their card, coupons, feedback links and
    invitations to coming events are revoked; visits and sales stay, anonymous, in the
    shop's figures; the event batches of badges or invitations that name them are withdrawn
    and their files deleted (make them again). Recorded in the audit log by member number.
    Erasing again changes nothing. Returns the customer as they are now."""
    service.erase_confirmed(session, customer_id=customer_id, confirm=body.confirm,
                            staff_id=caller.staff_id, hooks=request.app.state.erasure_hooks)
    return customers.public_customer(session, customer_id=customer_id)
