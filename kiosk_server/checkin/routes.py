"""The check-in API, the scan log, the live feed, event counters, and kiosk devices."""

from collections.abc import Callable, Coroutine
from functools import partial
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    Query,
    Request,
    Response,
    WebSocket,
    status,
)
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from starlette.concurrency import run_in_threadpool

from kiosk_server.checkin import feed, service, stats, undo
from kiosk_server.checkin.models import (
    CheckinUndone,
    DeviceCreate,
    EventStats,
    GuestPage,
    ScanLogEntry,
    ScanRequest,
    ScanResult,
)
from kiosk_server.checkin.service import ScanContext
from kiosk_server.core.db import Access, Database
from kiosk_server.core.deps import SessionDep, get_language
from kiosk_server.core.guard import media_type
from kiosk_server.core.types import MAX_ID, Id, PlainText
from kiosk_server.events import service as events_service
from kiosk_server.live.hub import Overflow
from kiosk_server.live.socket import found_or_closed, stream_until_closed
from kiosk_server.staff.deps import (
    Audit,
    CurrentStaff,
    StaffOrDeviceCredentials,
    admit_staff,
    credentials_of,
)
from kiosk_server.staff.models import DeviceWithToken, PairingCreate, PairingPublic

router = APIRouter(prefix="/api/v1", tags=["checkin"])


async def scan_context(request: Request, credentials: StaffOrDeviceCredentials) -> ScanContext:
    """Everything a scan needs besides its body (`_ScanRoute` calls this directly)."""
    state = request.app.state
    return ScanContext(secret=credentials, signer=state.signer,
                       language=await get_language(request), zone=state.settings.zone,
                       hub=state.hub, on_visit=state.visit_listener)


class _ScanRoute(APIRoute):
    """Serves `POST /checkins` without FastAPI's general request machinery.

    The busiest endpoint: there, FastAPI's dependency solving and response handling
    cost more than the check-in itself (server CPU per check-in measured 0.64 ms with
    it, 0.43 ms without). The endpoint keeps its signature, so its OpenAPI schema is
    FastAPI's own; this handler resolves exactly what the signature declares, in
    FastAPI's order: the caller's credentials (401), the JSON body (422), the context.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint

        async def handle(request: Request) -> Response:
            credentials = await credentials_of(request)
            if not _is_json(request.headers.get("content-type")):
                raise RequestValidationError([{  # as FastAPI refuses a body of another type
                    "type": "model_attributes_type", "loc": ("body",), "input": {},
                    "msg": "Input should be a valid dictionary or object to extract fields from",
                }])
            try:
                body = ScanRequest.model_validate_json(await request.body())
            except ValidationError as exc:
                raise RequestValidationError([_body_error(error) for error in exc.errors(
                    include_url=False)]) from None
            context = await scan_context(request, credentials)
            return await endpoint(body=body, request=request, context=context)

        return handle


def _is_json(content_type: str | None) -> bool:
    """Whether a body of this `Content-Type` is read as JSON: `application/json` or
    `application/*+json`, or none said (as FastAPI reads the other JSON bodies)."""
    if not content_type:
        return True
    kind = media_type(content_type)
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json"))


def _body_error(error: ErrorDetails) -> dict:
    """A pydantic error about the body, as FastAPI reports it (`loc` under "body"; for
    unreadable JSON no echo of the raw bytes, which may not even be text)."""
    if error["type"] == "json_invalid":
        return {"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error",
                "input": {}, "ctx": {"error": error.get("ctx", {}).get("error", "")}}
    return {**error, "loc": ("body", *error["loc"])}


_scan_router = APIRouter(route_class=_ScanRoute)


@_scan_router.post("/checkins", response_model=ScanResult)
async def check_in(body: ScanRequest, request: Request,
                   context: Annotated[ScanContext, Depends(scan_context)]) -> Response:
    """Staff, or a kiosk device of this event. Judge a scanned code; every outcome is a 200."""
    # The answer as the scan log keeps it: a ScanResult serialized once, in the service.
    answer = await service.scan_queued(request.app.state.db.writer, request=body,
                                       context=context)
    return Response(answer, media_type="application/json")


router.include_router(_scan_router)


@router.get("/events/{event_id}/stats", response_model=EventStats)
def event_stats(event_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. Invited, checked in, not arrived; arrivals per minute (last 15 minutes);
    each gate's count, pace and kiosk-reported times; and the entry plan: time to
    clear the remaining guests (null, with `forecast_gap` saying why, until there is
    enough data), and whether a queue is building (over the last minute only)."""
    return stats.event_stats(session, event_id=event_id)


@router.get("/events/{event_id}/guests", response_model=GuestPage)
def guest_list(
    event_id: Id, session: SessionDep, caller: CurrentStaff,
    q: Annotated[PlainText, Query(max_length=200,
                                  description="name (any diacritics) or phone (any form)")] = "",
    arrived: Annotated[bool | None, Query(
        description="true: only guests checked in; false: only those not arrived")] = None,
    tag: Annotated[PlainText | None, Query(max_length=32,
                                           description='only guests with this tag ("vip")')] = None,
    after: Annotated[Id | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    """Staff. The event's invited guests (cancelled invitations left out), whether and
    where they checked in; by customer id, a page at a time."""
    items, cursor = service.guest_list(session, event_id=event_id, query=q, arrived=arrived,
                                       tag=tag, after=after, limit=limit)
    return GuestPage(items=items, next_cursor=cursor)


@router.post("/events/{event_id}/guests/{customer_id}/checkin/undo",
             response_model=CheckinUndone)
def undo_checkin(event_id: Id, customer_id: Id, request: Request, session: SessionDep,
                 caller: CurrentStaff, log: Audit):
    """Staff. Undo the guest's latest entry, made by mistake: they count as not arrived
    again (unless it was a re-entry) and the visit leaves their history; the
    scan stays in the log, marked undone; the event's feed gets a numbered `undo` update.
    409 `not_checked_in` when the guest has no entry to undo."""
    undone = undo.undo_checkin(session, event_id=event_id, customer_id=customer_id,
                               by=caller.staff_id, hub=request.app.state.hub)
    log.record("checkin.undo", ("customers", customer_id), details=undone.model_dump(
        mode="json", include={"event_id", "scan_id", "entry_number", "checked_in_at",
                              "gate"}))
    return undone


@router.get("/events/{event_id}/scans", response_model=list[ScanLogEntry])
def scan_log(
    event_id: Id, session: SessionDep, caller: CurrentStaff,
    before: Annotated[Id | None, Query(description="id of the oldest scan already seen")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):
    """Staff. Every scan of the event, accepted or not, newest first."""
    return service.scan_log(session, event_id=event_id, before=before, limit=limit)


@router.post("/events/{event_id}/pairings", response_model=PairingPublic,
             status_code=status.HTTP_201_CREATED)
def create_pairing(event_id: Id, body: PairingCreate, session: SessionDep, caller: CurrentStaff,
                   log: Audit):
    """Staff. A short code, valid for a few minutes and once, that a kiosk enters to become
    a device of this event's gate (`POST /api/v1/devices/pair`)."""
    pairing, code = service.create_pairing(session, event_id=event_id, gate=body.gate,
                                           created_by=caller.staff_id)
    log.record("pairing.create", pairing, details=body)
    return PairingPublic(code=code, event_id=pairing.event_id, gate=pairing.gate,
                         expires_at=pairing.expires_at)


@router.post("/events/{event_id}/devices", response_model=DeviceWithToken,
             status_code=status.HTTP_201_CREATED)
def register_device(event_id: Id, body: DeviceCreate, session: SessionDep, caller: CurrentStaff,
                    log: Audit):
    """Staff. A kiosk device for this event's gate; its token is shown only in this answer."""
    device, token = service.register_device(
        session, event_id=event_id, name=body.name, gate=body.gate, created_by=caller.staff_id
    )
    log.record("device.create", device, details=body)
    return DeviceWithToken(**device.model_dump(), token=token)


@router.websocket("/events/{event_id}/live")
async def live_feed(websocket: WebSocket, event_id: Id, after: Annotated[int, Query(
        ge=0, le=MAX_ID, description="the last update number already seen (0: from the start)"
)] = 0, alerts: Annotated[bool, Query(
        description="also the messages that are not numbered: the managers' alerts about "
                    "this event's guests (a low rating given after a check-in, "
                    "`feedback_alert`) and its kiosks' states as they change (`kiosk`, "
                    "as GET /events/{event_id}/kiosks lists them)")] = False):
    """Staff (session cookie or bearer token). The event's scans, live, each with its
    update number `seq` (1, 2, 3... per event). A client that reconnects with
    `after=<last seq seen>` gets every update it missed exactly once, in order, then the
    new ones. Closes with 4401 without valid staff credentials, 4404 for an unknown event."""
    state = websocket.app.state
    if not await admit_staff(websocket):
        return
    if not await found_or_closed(
            websocket, partial(events_service.get_event, event_id=event_id), "event"):
        return
    await stream_until_closed(websocket, _feed(websocket, state, event_id, after, alerts))


async def _feed(websocket: WebSocket, state, event_id: int, last: int, alerts: bool) -> None:
    while True:  # a subscriber that overflowed (or lost Redis) starts again from `last`
        async with state.hub.subscribe(feed.feed_channel(event_id)) as updates:
            last = await _send_missed(websocket, state.db, event_id, last)
            try:
                async for update in updates:
                    if "seq" not in update:  # an alert about a guest, not a scan
                        if alerts:
                            await websocket.send_text(update.text)
                        continue
                    if update["seq"] <= last:
                        continue  # already sent from the database
                    if update["seq"] > last + 1:  # a gap: fill it from the record
                        last = await _send_missed(websocket, state.db, event_id, last)
                        if update["seq"] <= last:
                            continue
                    await websocket.send_text(update.text)
                    last = update["seq"]
            except Overflow:
                continue


async def _send_missed(websocket: WebSocket, database: Database, event_id: int, last: int
                       ) -> int:
    while True:
        missed = await run_in_threadpool(_feed_after, database, event_id, last)
        for update in missed:
            await websocket.send_json(update)
            last = update["seq"]
        if len(missed) < feed.FEED_PAGE:
            return last


def _feed_after(database: Database, event_id: int, after: int) -> list[dict]:
    with database.session(Access.READ) as session:
        return feed.feed_after(session, event_id=event_id, after=after)

