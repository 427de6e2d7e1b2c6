"""Images of cards, invitations and badges; batches of an event's badges or invitations."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import FileResponse

from kiosk_server.core.deps import LanguageDep, SessionDep, SettingsDep, SignerDep
from kiosk_server.core.errors import forbidden
from kiosk_server.core.types import Id
from kiosk_server.prints import service
from kiosk_server.prints.models import ExportCreate, ExportPublic
from kiosk_server.staff.deps import Audit, CurrentStaff, StaffOrDevice

router = APIRouter(prefix="/api/v1", tags=["prints"])

PNG = {"content": {"image/png": {}}, "description": "a PNG image"}
# Rendered from data that may change (a name): kept by the browser for a minute at most.
_CACHE = {"Cache-Control": "private, max-age=60"}


def png(data: bytes) -> Response:
    return Response(data, media_type="image/png", headers=_CACHE)


@router.get("/customers/{customer_id}/card.png", response_class=Response,
            responses={200: PNG})
def card_image(customer_id: Id, session: SessionDep, signer: SignerDep, settings: SettingsDep,
               language: LanguageDep, caller: CurrentStaff):
    """Staff. The customer's membership card to print or send: 1011 x 638 px (85.6 x 54 mm
    at 300 dpi). Its QR holds the link to the customer's own card page."""
    return png(service.card_png(session, customer_id=customer_id, signer=signer,
                                settings=settings, language=language))


@router.get("/events/{event_id}/invitations/{invitation_id}/badge.png",
            response_class=Response, responses={200: PNG})
def badge_image(event_id: Id, invitation_id: Id, session: SessionDep, signer: SignerDep,
                settings: SettingsDep, language: LanguageDep, caller: StaffOrDevice):
    """Staff, or a kiosk device of this event. The guest's name badge, A6 at 300 dpi, with
    their invitation's QR; a kiosk prints it as the guest arrives, and gets only the badge
    of a guest it checked in within the last 10 minutes."""
    if not caller.serves_event(event_id):
        raise forbidden()
    return png(service.badge_png(session, event_id=event_id, invitation_id=invitation_id,
                                 signer=signer, settings=settings, language=language,
                                 device_id=caller.device_id))


@router.get("/events/{event_id}/invitations/{invitation_id}/invitation.png",
            response_class=Response, responses={200: PNG})
def invitation_image(
    event_id: Id, invitation_id: Id, session: SessionDep, signer: SignerDep,
    settings: SettingsDep, language: LanguageDep, caller: CurrentStaff,
    size: Annotated[Literal["phone", "email"], Query(
        description="phone: 1080 x 1920; email: 600 px wide")] = "phone",
):
    """Staff. The guest's invitation with its QR, to send or show on a phone."""
    return png(service.invitation_png(session, event_id=event_id, invitation_id=invitation_id,
                                      signer=signer, settings=settings, language=language,
                                      email=size == "email"))


@router.get("/purchases/{purchase_id}/feedback-qr.png", response_class=Response,
            responses={200: PNG})
def feedback_qr(purchase_id: Id, session: SessionDep, signer: SignerDep, settings: SettingsDep,
                caller: CurrentStaff):
    """Staff. The QR of the purchase's feedback link, for the receipt screen: the customer
    scans it with their phone to rate this visit."""
    return png(service.feedback_qr_png(session, purchase_id=purchase_id, signer=signer,
                                       settings=settings))


@router.get("/coupons/{coupon_id}/qr.png", response_class=Response, responses={200: PNG})
def coupon_qr(coupon_id: Id, session: SessionDep, signer: SignerDep, caller: CurrentStaff):
    """Staff. A coupon's QR, for the customer to photograph or to print."""
    return png(service.coupon_qr_png(session, coupon_id=coupon_id, signer=signer))


@router.post("/events/{event_id}/exports", response_model=ExportPublic,
             status_code=status.HTTP_202_ACCEPTED)
def start_export(event_id: Id, body: ExportCreate, request: Request, session: SessionDep,
                 signer: SignerDep, settings: SettingsDep, language: LanguageDep,
                 caller: CurrentStaff, log: Audit):
    """Staff. Start making every guest's badge or invitation as one file (a PDF, or a ZIP
    of PNGs), in the background: follow `GET /api/v1/exports/{id}` until `status` is
    `done`, then download the file. A 500-guest batch takes a few seconds and never
    holds the server up."""
    row = service.start_export(session, event_id=event_id, kind=body.kind,
                               created_by=caller.staff_id, runner=request.app.state.exports,
                               signer=signer, settings=settings, language=language)
    log.record("export.create", row, details=body)
    return service.to_public(row)


@router.get("/events/{event_id}/exports", response_model=list[ExportPublic])
def list_exports(event_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. The event's latest exports, newest first."""
    return [service.to_public(row) for row in service.list_exports(session, event_id=event_id)]


@router.get("/exports/{export_id}", response_model=ExportPublic)
def get_export(export_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. How far an export is: `done` of `total`, then `status` `done` (or `failed`);
    `withdrawn` once the data of one of its guests was erased (its file is deleted)."""
    return service.to_public(service.get_export(session, export_id=export_id))


@router.get("/exports/{export_id}/file", response_class=FileResponse,
            responses={200: {"content": {"application/pdf": {}, "application/zip": {}}},
                       410: {"description": "`export_withdrawn`: made before a guest's data "
                                            "was erased, and deleted; make it again"}})
def export_file(export_id: Id, request: Request, session: SessionDep, caller: CurrentStaff):
    """Staff. The finished file of an export (404 until it is done; 410 once withdrawn)."""
    path = service.export_file(session, export_id=export_id, runner=request.app.state.exports)
    media_type = "application/pdf" if path.suffix == ".pdf" else "application/zip"
    return FileResponse(path, media_type=media_type, filename=path.name)


# A customer's own card, opened from its QR or a link: the token in the path is the
# credential (the same one the card shows), so these need no sign-in, and show only
# that customer.
public_router = APIRouter(tags=["prints"])


@public_router.get("/c/{code}/qr.png", response_class=Response, responses={200: PNG})
def card_qr(code: str, session: SessionDep, signer: SignerDep, settings: SettingsDep):
    """Public. With an active card's code (the credential it shows): the card's QR alone,
    large, for the customer's phone."""
    return Response(service.card_qr_png(session, code=code, signer=signer, settings=settings),
                    media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})
