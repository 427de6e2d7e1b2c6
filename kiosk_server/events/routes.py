"""Events and their invitations."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from kiosk_server.core.deps import SessionDep, SignerDep
from kiosk_server.core.types import Id
from kiosk_server.core.uploads import (
    CSV_BODY,
    IMPORT_CONFLICTS,
    CsvBody,
    DryRun,
    Previewed,
    SkipBadRows,
)
from kiosk_server.customers.imports import ImportOptions
from kiosk_server.events import send_progress, sending, service
from kiosk_server.events.models import (
    EventCreate,
    EventPublic,
    EventTime,
    EventUpdate,
    InvitationImportReport,
    InvitationPage,
    InvitationPublic,
    InvitationsCreate,
    InvitationSendCreate,
    InvitationSendPublic,
    SendProgress,
)
from kiosk_server.events.send_worker import InvitationSender
from kiosk_server.staff.deps import Audit, CurrentStaff, StaffWorkDep

router = APIRouter(prefix="/api/v1/events", tags=["events"])


async def _sender(request: Request) -> InvitationSender:
    return request.app.state.invitation_sender


# Works the sends of this process (given by `create_app`).
SenderDep = Annotated[InvitationSender, Depends(_sender)]


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
             openapi_extra=CSV_BODY, responses=IMPORT_CONFLICTS)
def import_invitations(event_id: Id, body: CsvBody, work: StaffWorkDep, signer: SignerDep,
                       dry_run: DryRun = False, skip_bad_rows: SkipBadRows = False,
                       preview: Previewed = None):
    """Staff. Invite everyone in a CSV, creating the customers who are new: a preview
    (`dry_run`), or the good rows in short transactions (see `POST /customers/import`)."""
    return service.import_invitations(
        work, event_id=event_id, data=body, signer=signer,
        options=ImportOptions(dry_run=dry_run, skip_bad_rows=skip_bad_rows, previewed=preview))


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


@router.post("/{event_id}/invitation-sends", response_model=InvitationSendPublic,
             status_code=status.HTTP_202_ACCEPTED)
def send_invitations(event_id: Id, body: InvitationSendCreate, session: SessionDep,
                     sender: SenderDep, caller: CurrentStaff, log: Audit):
    """Staff. Send each guest their invitation: an e-mail with its QR and the link to their
    phone page, or, when their phone is how to reach them, a phone message with the link.
    To the guests not sent it yet (default), or to all (`again: true` to send it a second
    time to those who have it; without it, `409 again_not_confirmed`). Cancelled
    invitations are never sent. Queued in the background, a batch at a time: follow
    `GET .../invitation-sends/progress`. The same `key` again, or a request while a send
    runs, gets that send (`409 send_in_progress` if it asked for something else)."""
    run = sending.start_send(session, event_id=event_id, data=body, log=log, work=sender.start)
    return sending.to_public(run)


@router.get("/{event_id}/invitation-sends/progress", response_model=SendProgress)
def sending_progress(event_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. Where the event's invitations stand: each guest once, by their latest
    message (queued, sent, failed, unknown), or not sent yet (reachable or not, with
    those who cannot be reached named); and the latest send."""
    return send_progress.progress(session, event_id=event_id)


# A guest's own invitation, opened from the link they were sent: the token in the path is
# the credential (the same one the QR holds), so this needs no sign-in.
public_router = APIRouter(tags=["events"])


@public_router.get("/i/{code}/qr.png", response_class=Response,
                   responses={200: {"content": {"image/png": {}}, "description": "a PNG"}})
def invitation_qr(code: str, session: SessionDep, signer: SignerDep):
    """Public. With an active invitation's code (the credential it shows): its QR alone,
    large, for the guest's phone; the kiosk at the gate scans it."""
    found = sending.phone_invitation(session, code=code, signer=signer)
    return Response(sending.qr_png(found.token), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=86400"})
