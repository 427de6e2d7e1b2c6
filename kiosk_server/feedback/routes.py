"""Feedback on visits (the customer's page, by its signed link), complaints (recorded at the
till or opened by a low rating, then followed in a queue), ratings, managers' live alerts."""

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request, WebSocket, status

from kiosk_server.core.deps import SessionDep, SettingsDep, SignerDep
from kiosk_server.core.types import Id
from kiosk_server.customers import service as customers
from kiosk_server.feedback import answers, ratings, service
from kiosk_server.feedback import settings as shop_settings
from kiosk_server.feedback.models import (
    ComplaintChange,
    ComplaintCreate,
    ComplaintPublic,
    ComplaintResolve,
    ComplaintStatus,
    FeedbackAnswer,
    FeedbackLink,
    FeedbackPagePublic,
    FeedbackSettingsPublic,
    FeedbackSettingsUpdate,
    RatingsReport,
)
from kiosk_server.live.channels import MANAGER_ALERTS
from kiosk_server.live.socket import relay, stream_until_closed
from kiosk_server.staff.deps import AdminOnly, Audit, CurrentStaff, admit_manager
from kiosk_server.staff.models import Role

router = APIRouter(prefix="/api/v1", tags=["feedback"])

# A feedback link's token (44 characters); anything much longer is not one.
Token = Annotated[str, Path(max_length=64, description="the signed token of the feedback link")]


@router.get("/feedback-settings", response_model=FeedbackSettingsPublic)
def feedback_settings(session: SessionDep, caller: CurrentStaff):
    """Staff. The shop's follow-up settings: a feedback request by message after each visit
    (on or off, how long after), and a thank-you coupon for each answer (on or off, its
    value, how long it lasts). Both are off until an admin turns them on."""
    return shop_settings.to_public(shop_settings.current(session))


@router.put("/feedback-settings", response_model=FeedbackSettingsPublic)
def change_feedback_settings(body: FeedbackSettingsUpdate, session: SessionDep,
                             caller: AdminOnly, log: Audit):
    """Admin. Change the follow-up settings (all of them, as the form shows them). Turning
    the feedback request on starts from now: visits before it are never messaged. A
    percentage is at most 100 (422 `percent_too_high`)."""
    row, changed = shop_settings.update_settings(session, data=body, by=caller.staff_id)
    if changed:
        log.record("settings.feedback", ("feedback_settings", row.id),
                   details={name: body.model_dump(mode="json")[name] for name in changed})
    return shop_settings.to_public(row)


@router.get("/feedback/{token}", response_model=FeedbackPagePublic)
def feedback_page(token: Token, session: SessionDep, signer: SignerDep, request: Request):
    """Public. The signed link is the credential. What the feedback page shows: the visit,
    who served it (their given name only), the answer given so far and whether it may still
    be changed, what the shop did about a low rating, and the thank-you coupon the answer
    earned. 404 for a link that is not one."""
    return answers.feedback_page(session, token=token, signer=signer,
                                 hooks=request.app.state.answer_hooks)


@router.put("/feedback/{token}", response_model=FeedbackPagePublic)
def give_feedback(token: Token, body: FeedbackAnswer, session: SessionDep, signer: SignerDep,
                  request: Request):
    """Public. The signed link is the credential. Rate the visit and who served it, with a
    comment: one answer per visit, which may be changed for a day (409 `feedback_closed`
    after, 429 after too many changes). A rating of 2 or less opens a complaint and alerts
    the managers live. When the shop thanks answers, the first answer for a visit (whatever
    its rating) earns one coupon for the next visit (`thanks`); a change earns nothing more."""
    return answers.give_answer(session, token=token, signer=signer, data=body,
                               hub=request.app.state.hub, hooks=request.app.state.answer_hooks)


@router.post("/customers/{customer_id}/visits/{visit_id}/feedback-link",
             response_model=FeedbackLink)
def feedback_link(customer_id: Id, visit_id: Id, session: SessionDep, caller: CurrentStaff,
                  signer: SignerDep, settings: SettingsDep):
    """Staff. The feedback link of one of the customer's visits (an event's check-in as well
    as a sale), issued once: asking again gives the same link. For a follow-up message, or
    to hand it over after an event."""
    return service.link_for_visit(session, customer_id=customer_id, visit_id=visit_id,
                                  signer=signer, public_url=settings.public_url)


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


@router.get("/complaints", response_model=list[ComplaintPublic])
def complaint_queue(session: SessionDep, caller: CurrentStaff,
                    status_filter: Annotated[ComplaintStatus | None, Query(alias="status")] = None,
                    before: Annotated[Id | None, Query(description="ids below this")] = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50):
    """Staff. Complaints of every customer, newest first, of one status or all, each with
    its changes of status (who, when, note)."""
    return service.to_public(session, service.complaint_queue(
        session, status=status_filter, before=before, limit=limit))


@router.get("/complaints/{complaint_id}", response_model=ComplaintPublic)
def get_complaint(complaint_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. One complaint with its changes of status."""
    return service.to_public(session, [service.get_complaint(session,
                                                             complaint_id=complaint_id)])[0]


@router.post("/complaints/{complaint_id}/status", response_model=ComplaintPublic)
def change_complaint_status(complaint_id: Id, body: ComplaintChange, session: SessionDep,
                            caller: CurrentStaff, log: Audit):
    """Staff. Move a complaint forward: open → contacted → resolved (or open → resolved),
    with an optional note; the note of a resolution is shown to the customer. 409
    `complaint_status_refused` for a move back, or one someone else made first."""
    complaint = service.change_status(session, complaint_id=complaint_id, change=body,
                                      by=caller.staff_id)
    if body.status is ComplaintStatus.RESOLVED:
        log.record("complaint.resolve", complaint, details=body)
    else:
        log.record("complaint.contact", complaint, details=body)
    return service.to_public(session, [complaint])[0]


@router.post("/complaints/{complaint_id}/resolve", response_model=ComplaintPublic)
def resolve_complaint(complaint_id: Id, body: ComplaintResolve, session: SessionDep,
                      caller: CurrentStaff, log: Audit):
    """Staff. Close a complaint, saying what was done about it."""
    complaint = service.resolve_complaint(session, complaint_id=complaint_id,
                                          resolution=body.resolution, by=caller.staff_id)
    log.record("complaint.resolve", complaint, details=body)
    return service.to_public(session, [complaint])[0]


@router.get("/ratings", response_model=RatingsReport)
def ratings_report(session: SessionDep, caller: CurrentStaff, settings: SettingsDep,
                   staff_id: Annotated[Id | None, Query(description="one staff member")] = None,
                   weeks: Annotated[int, Query(ge=1, le=104)] = 12):
    """Staff (their own) or admin. A staff member reads their own ratings, an admin
    everyone's or one staff member's (`staff_id`). Averages with
    their number of answers, per staff member and per ISO week, and the comments."""
    return ratings.ratings_report(
        session, staff_id=ratings.visible_staff_id(caller, staff_id), weeks=weeks,
        zone=ZoneInfo(settings.timezone), with_customers=caller.role is Role.ADMIN)


@router.websocket("/alerts/live")
async def manager_alerts(websocket: WebSocket):
    """Admin (session cookie or bearer token). Managers' alerts, live: the first message,
    `{"type": "ready"}`, comes once alerts are being followed (read the open complaints
    after it); then each low rating is a `feedback_alert`. Another `ready` means some may
    have been missed. Closes with 4401 without staff credentials, 4403 for a staff member
    who is not an admin."""
    if not await admit_manager(websocket):
        return
    await stream_until_closed(websocket, relay(websocket, MANAGER_ALERTS))
