"""The offline kiosk's API: its copy of the guest list, its sync, its uploads; and the
kiosks' states for the monitor."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from kiosk_server.checkin.routes import scan_context
from kiosk_server.checkin.service import ScanContext
from kiosk_server.core.deps import SessionDep, SettingsDep, SignerDep, model_response
from kiosk_server.core.types import Id
from kiosk_server.offline import service
from kiosk_server.offline.api_models import (
    KioskCopy,
    KioskLine,
    SyncAnswer,
    SyncRequest,
    UploadAnswer,
    UploadRequest,
)
from kiosk_server.staff.deps import CurrentStaff, KioskDevice

router = APIRouter(prefix="/api/v1", tags=["offline"])
# The copy names every guest's lookup: no cache keeps it but the kiosk's own store.
_NOT_STORED = {"Cache-Control": "no-store"}


@router.get("/kiosk/copy", response_model=KioskCopy)
def kiosk_copy(caller: KioskDevice, session: SessionDep, signer: SignerDep,
               settings: SettingsDep):
    """Kiosk device. Its event's guest list as it keeps it to judge scans offline: each
    code's lookup, status, first entry and sealed box (a name only the guest's own code
    opens), the server's sentences as templates, and the feed's last update number to
    sync after. Staff are refused (403 `not_a_kiosk`)."""
    answer = model_response(service.kiosk_copy(session, caller=caller, signer=signer,
                                               settings=settings))
    answer.headers.update(_NOT_STORED)
    return answer


@router.post("/kiosk/sync", response_model=SyncAnswer)
async def kiosk_sync(body: SyncRequest, caller: KioskDevice, request: Request):
    """Kiosk device. Its check with the server (every few seconds while online): the
    check-ins and undos of its event after update `after` (at most 500; `more`: ask
    again), the server's time; and its own state recorded for the monitor (offline
    since, queued scans, last upload), its times corrected for its clock."""
    state = request.app.state
    return model_response(await service.sync(state.db, caller=caller, body=body,
                                             hub=state.hub))


@router.post("/kiosk/uploads", response_model=UploadAnswer)
async def kiosk_uploads(body: UploadRequest, caller: KioskDevice, request: Request,
                        context: Annotated[ScanContext, Depends(scan_context)],
                        settings: SettingsDep):
    """Kiosk device. The scans it judged offline (1 to 100, in the order scanned), each
    recorded once (by its scan_id: a retried batch gets the same answers) exactly as a
    live scan, at its own time; `conflict`: the kiosk let in a guest already checked in
    (a duplicate admission, on the monitor)."""
    return model_response(await service.upload(request.app.state.db, caller=caller,
                                               body=body, context=context, settings=settings))


@router.get("/events/{event_id}/kiosks", response_model=list[KioskLine])
def event_kiosks(event_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. The event's kiosk devices and their states: online (seen in the last 10 s
    and not judging scans by itself), offline since when, or never seen; their queued
    scans and last upload."""
    return service.kiosks(session, event_id=event_id)
