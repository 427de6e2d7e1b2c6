"""Events and their invitations."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from kiosk_server.core.deps import SessionDep, SignerDep
from kiosk_server.core.types import Id
from kiosk_server.core.uploads import CSV_BODY, CsvBody
from kiosk_server.events import service
from kiosk_server.events.models import (
    EventCreate,
    EventPublic,
    EventUpdate,
    InvitationImportReport,
    InvitationPage,
    InvitationPublic,
    InvitationsCreate,
)
from kiosk_server.staff.deps import CurrentStaff

router = APIRouter(prefix="/api/v1/events", tags=["events"])


@router.post("", response_model=EventPublic, status_code=status.HTTP_201_CREATED)
def create_event(body: EventCreate, session: SessionDep, caller: CurrentStaff):
    """Staff. Create an event."""
    return service.create_event(session, data=body)


@router.get("", response_model=list[EventPublic])
def list_events(session: SessionDep, caller: CurrentStaff):
    """Staff. All events, latest first."""
    return service.list_events(session)


@router.get("/{event_id}", response_model=EventPublic)
def get_event(event_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. One event."""
    return service.get_event(session, event_id=event_id)


@router.patch("/{event_id}", response_model=EventPublic)
def update_event(event_id: Id, body: EventUpdate, session: SessionDep, caller: CurrentStaff):
    """Staff. Change an event; fields left out stay as they are."""
    return service.update_event(session, event_id=event_id, data=body)


@router.post("/{event_id}/invitations", response_model=list[InvitationPublic],
             status_code=status.HTTP_201_CREATED)
def invite(event_id: Id, body: InvitationsCreate, session: SessionDep, signer: SignerDep,
           caller: CurrentStaff):
    """Staff. Invite customers; inviting someone twice returns their existing invitation."""
    invitations = service.invite(session, event_id=event_id, customer_ids=body.customer_ids)
    return service.to_public(session, invitations, signer)


@router.post("/{event_id}/invitations/import", response_model=InvitationImportReport,
             openapi_extra=CSV_BODY)
def import_invitations(
    event_id: Id, body: CsvBody, session: SessionDep, signer: SignerDep, caller: CurrentStaff,
    dry_run: Annotated[bool, Query(description="check and count only; save nothing")] = False,
):
    """Staff. Invite everyone in a CSV, creating the customers who are new."""
    return service.import_invitations(
        session, event_id=event_id, data=body, dry_run=dry_run, signer=signer
    )


@router.get("/{event_id}/invitations", response_model=InvitationPage)
def list_invitations(
    event_id: Id, session: SessionDep, signer: SignerDep, caller: CurrentStaff,
    after: Id | None = None, limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 100,
):
    """Staff. The event's invitations, a page at a time."""
    rows, cursor = service.list_invitations(session, event_id=event_id, after=after, limit=limit)
    return InvitationPage(items=service.to_public(session, rows, signer), next_cursor=cursor)


@router.delete("/{event_id}/invitations/{invitation_id}", response_model=InvitationPublic)
def cancel_invitation(event_id: Id, invitation_id: Id, session: SessionDep, signer: SignerDep,
                      caller: CurrentStaff):
    """Staff. Cancel an invitation; its QR code is refused from then on."""
    invitation = service.cancel_invitation(session, event_id=event_id, invitation_id=invitation_id)
    return service.to_public(session, [invitation], signer)[0]
