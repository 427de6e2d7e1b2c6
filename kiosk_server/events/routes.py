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
    EventTime,
    EventUpdate,
    InvitationImportReport,
    InvitationPage,
    InvitationPublic,
    InvitationsCreate,
)
from kiosk_server.staff.deps import Audit, CurrentStaff

router = APIRouter(prefix="/api/v1/events", tags=["events"])


@router.post("", response_model=EventPublic, status_code=status.HTTP_201_CREATED)
def create_event(body: EventCreate, session: SessionDep, caller: CurrentStaff, log: Audit):
    """Staff. Create an event."""
    event = service.create_event(session, data=body)
    log.record("event.create", event, details=body)
    return event


@router.get("", response_model=list[EventPublic])
def list_events(
    session: SessionDep, caller: CurrentStaff,
    when: Annotated[EventTime | None, Query(
        description="upcoming: not started; running: started, not ended; past: ended")] = None,
):
    """Staff. Events, latest first; all of them, or only those upcoming, running or past."""
    return service.list_events(session, when=when)


@router.get("/{event_id}", response_model=EventPublic)
def get_event(event_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. One event."""
    return service.get_event(session, event_id=event_id)


@router.patch("/{event_id}", response_model=EventPublic)
def update_event(event_id: Id, body: EventUpdate, session: SessionDep, caller: CurrentStaff,
                 log: Audit):
    """Staff. Change an event; fields left out stay as they are."""
    event = service.update_event(session, event_id=event_id, data=body)
    log.record("event.update", event, details=body)
    return event


@router.post("/{event_id}/invitations", response_model=list[InvitationPublic],
             status_code=status.HTTP_201_CREATED)
def invite(event_id: Id, body: InvitationsCreate, session: SessionDep, signer: SignerDep,
           caller: CurrentStaff, log: Audit):
    """Staff. Invite customers; inviting someone twice returns their existing invitation."""
    invitations = service.invite(session, event_id=event_id, customer_ids=body.customer_ids)
    log.record("event.invite", ("events", event_id), details=body)
    return service.to_public(session, invitations, signer)


@router.post("/{event_id}/invitations/import", response_model=InvitationImportReport,
             openapi_extra=CSV_BODY)
def import_invitations(
    event_id: Id, body: CsvBody, session: SessionDep, signer: SignerDep, caller: CurrentStaff,
    log: Audit,
    dry_run: Annotated[bool, Query(description="check and count only; save nothing")] = False,
):
    """Staff. Invite everyone in a CSV, creating the customers who are new."""
    report = service.import_invitations(
        session, event_id=event_id, data=body, dry_run=dry_run, signer=signer,
        staff_id=caller.staff_id,
    )
    if report.saved:
        log.record("event.import_invitations", ("events", event_id), details={
            "rows": report.rows, "created_customers": report.created_customers,
            "existing_customers": report.existing_customers})
    return report


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
                      caller: CurrentStaff, log: Audit):
    """Staff. Cancel an invitation; its QR code is refused from then on."""
    invitation = service.cancel_invitation(session, event_id=event_id, invitation_id=invitation_id)
    log.record("invitation.cancel", invitation, details={"event_id": event_id})
    return service.to_public(session, [invitation], signer)[0]
