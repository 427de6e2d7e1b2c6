"""The customer's portal: sign-in links, and /api/v1/me, which addresses only the signed-in
customer (no customer id is ever taken from a path or a body)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from badges import export, qr
from kiosk_server.core.deps import DatabaseDep, SessionDep, SettingsDep, SignerDep, client_address
from kiosk_server.core.types import Id
from kiosk_server.feedback.models import FeedbackPagePublic
from kiosk_server.portal import service
from kiosk_server.portal.deps import PORTAL_COOKIE, CurrentCustomer, PortalSecret
from kiosk_server.portal.models import (
    DeleteConfirmation,
    LinkSpend,
    Me,
    MeConsentChange,
    MePurchase,
    MeUpdate,
    MeVisit,
    PortalLink,
    PortalOpened,
    SignInAnswer,
    SignInRequest,
)
from kiosk_server.staff.deps import Audit, CurrentStaff

router = APIRouter(prefix="/api/v1", tags=["portal"])



@router.post("/portal/sign-in", response_model=SignInAnswer,
             status_code=status.HTTP_202_ACCEPTED,
             responses={429: {"description": "too many links asked for this phone, e-mail "
                                             "or card, or from this address, lately: "
                                             "`Retry-After` says when to try again"}})
def request_sign_in(body: SignInRequest, request: Request, database: DatabaseDep,
                    settings: SettingsDep, signer: SignerDep):
    """Public. Ask for a one-time sign-in link to one's own page, by phone, e-mail or card
    code: it goes to the customer's phone or e-mail, if they are one. The answer is the
    same (202, same body) whether or not they are."""
    return service.request_sign_in(database, data=body, address=client_address(request),
                                   settings=settings, signer=signer)


@router.post("/portal/session", response_model=PortalOpened,
             responses={404: {"description": "`sign_in_link_unknown`: not a sign-in link"},
                        410: {"description": "`sign_in_link_spent`: used already, expired, or "
                                             "its customer's data was erased"}})
def open_session(body: LinkSpend, response: Response, session: SessionDep,
                 settings: SettingsDep, signer: SignerDep):
    """Public. Spend a one-time sign-in link (the customer's press on the page `/p/<token>`
    opens; opening that page spends nothing, so a link preview leaves it whole): it opens a
    portal session (an HttpOnly cookie) and answers where to go. A link signs in once: of
    two presses at the same moment, one."""
    signed_in = service.sign_in_with_link(session, token=body.token, signer=signer)
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(PORTAL_COOKIE, signed_in.secret, max_age=service.SESSION_HOURS * 3600,
                        httponly=True, samesite="lax", path="/",
                        secure=settings.public_url.startswith("https://"))
    return PortalOpened(go="/me")


@router.post("/customers/{customer_id}/portal-link", response_model=PortalLink,
             status_code=status.HTTP_201_CREATED)
def staff_portal_link(customer_id: Id, session: SessionDep, settings: SettingsDep,
                      signer: SignerDep, caller: CurrentStaff, log: Audit):
    """Staff. A one-time sign-in link for the customer at the till (valid 15 minutes), with
    its QR for them to scan with their phone."""
    url, expires_at = service.staff_link(session, customer_id=customer_id, settings=settings,
                                         signer=signer)
    log.record("customer.portal_link", ("customers", customer_id))
    picture = export.png_bytes(qr.qr_image(url, 10))
    return PortalLink(url=url, expires_at=expires_at,
                      qr_png=export.png_data_url(picture))


@router.get("/me", response_model=Me)
def get_me(session: SessionDep, settings: SettingsDep, signer: SignerDep,
           customer_id: CurrentCustomer):
    """Customer (portal session). Their profile, consents, card, points, tier and progress,
    coupons."""
    return service.me(session, customer_id=customer_id, settings=settings, signer=signer)


@router.patch("/me", response_model=Me)
def update_me(body: MeUpdate, session: SessionDep, settings: SettingsDep, signer: SignerDep,
              customer_id: CurrentCustomer):
    """Customer (portal session). Change their name, phone, e-mail, preferred channel and
    consents (each consent change is kept, as made on the portal)."""
    service.update_me(session, customer_id=customer_id, data=body)
    return service.me(session, customer_id=customer_id, settings=settings, signer=signer)


@router.get("/me/visits", response_model=list[MeVisit])
def my_visits(session: SessionDep, customer_id: CurrentCustomer):
    """Customer (portal session). Their visits, newest first."""
    return service.visits(session, customer_id=customer_id)


@router.get("/me/purchases", response_model=list[MePurchase])
def my_purchases(session: SessionDep, customer_id: CurrentCustomer):
    """Customer (portal session). Their purchases, newest first."""
    return service.purchases(session, customer_id=customer_id)


@router.get("/me/feedback", response_model=list[FeedbackPagePublic])
def my_feedback(session: SessionDep, customer_id: CurrentCustomer):
    """Customer (portal session). What they said about their visits, and the shop's answers."""
    return service.feedback(session, customer_id=customer_id)


@router.get("/me/consents", response_model=list[MeConsentChange])
def my_consents(session: SessionDep, customer_id: CurrentCustomer,
                limit: Annotated[int, Query(ge=1, le=500)] = 200):
    """Customer (portal session). Every change of their consent, newest first."""
    return service.consent_history(session, customer_id=customer_id)[:limit]


@router.get("/me/export", response_class=Response,
            responses={200: {"content": {"application/zip": {}},
                             "description": "a ZIP: customer.json and a CSV per part"}})
def export_me(session: SessionDep, customer_id: CurrentCustomer):
    """Customer (portal session). Download everything the shop holds about them: a ZIP of
    `customer.json` and one CSV per part (visits, purchases...)."""
    return Response(service.export(session, customer_id=customer_id),
                    media_type="application/zip", headers={
                        "Content-Disposition": 'attachment; filename="my-data.zip"',
                        "Cache-Control": "no-store"})


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
def delete_me(body: DeleteConfirmation, request: Request, response: Response,
              session: SessionDep, customer_id: CurrentCustomer):
    """Customer (portal session). Delete their account (`confirm`: the word "DELETE" or
    "XOÁ"): their personal data is erased, their card, coupons and links revoked, and every
    session of theirs, this one too, ends."""
    service.delete_account(session, customer_id=customer_id, confirm=body.confirm,
                           hooks=request.app.state.erasure_hooks)
    response.delete_cookie(PORTAL_COOKIE, path="/")


@router.post("/me/sign-out", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(response: Response, session: SessionDep, secret: PortalSecret,
             customer_id: CurrentCustomer):
    """Customer (portal session). End this session."""
    service.sign_out(session, secret=secret)
    response.delete_cookie(PORTAL_COOKIE, path="/")
