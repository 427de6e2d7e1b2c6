"""Membership cards of customers."""

from fastapi import APIRouter, status

from kiosk_server.cards import service
from kiosk_server.cards.models import CardPublic
from kiosk_server.core.deps import SessionDep, SignerDep
from kiosk_server.core.types import Id
from kiosk_server.staff.deps import Audit, CurrentStaff

router = APIRouter(prefix="/api/v1/customers", tags=["cards"])


@router.post("/{customer_id}/card", response_model=CardPublic,
             status_code=status.HTTP_201_CREATED)
def issue_card(customer_id: Id, session: SessionDep, signer: SignerDep, caller: CurrentStaff,
               log: Audit):
    """Staff. Issue the customer a membership card, revoking the one they had."""
    card = service.issue_card(session, customer_id=customer_id)
    log.record("card.issue", card, details={"customer_id": customer_id})
    return service.to_public(card, signer)


@router.get("/{customer_id}/card", response_model=CardPublic)
def get_card(customer_id: Id, session: SessionDep, signer: SignerDep, caller: CurrentStaff):
    """Staff. The customer's active membership card."""
    return service.to_public(service.get_active_card(session, customer_id=customer_id), signer)
