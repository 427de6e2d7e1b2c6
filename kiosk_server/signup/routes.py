"""Sign-up by poster: the posters (for staff to print) and the form's submission (public)."""

from typing import Any

from fastapi import APIRouter, Request, Response, status

from kiosk_server.core.deps import (
    DatabaseDep,
    LanguageDep,
    SessionDep,
    SettingsDep,
    SignerDep,
    client_address,
)
from kiosk_server.core.types import Id
from kiosk_server.portal.models import SignInAnswer
from kiosk_server.signup import posters, service
from kiosk_server.signup.models import SignupCreated, SignupForm
from kiosk_server.staff.deps import CurrentStaff

router = APIRouter(prefix="/api/v1", tags=["signup"])

PDF = {"content": {"application/pdf": {}}, "description": "an A4 PDF"}
ANSWERS: dict[int | str, dict[str, Any]] = {
    201: {"model": SignupCreated, "description": "a new member: their card at once"},
    202: {"model": SignInAnswer, "description": "the phone or e-mail is a customer's: a "
          "sign-in link was sent on their channel (the same bytes whichever matched, and "
          "the same as `POST /api/v1/portal/sign-in`'s)"},
    404: {"description": "`poster_not_found`: not a poster's token (forged, another kind) "
          "or an event that no longer admits walk-ins"},
    409: {"description": "`request_reused`: this client_key came with another form"},
    429: {"description": "`too_many_attempts`: too many sign-ups with this phone or e-mail, "
          "or from this address, lately (`Retry-After`)"},
}


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, max-age=60"})


@router.get("/signup/poster.pdf", response_class=Response, responses={200: PDF})
def shop_poster(settings: SettingsDep, signer: SignerDep, caller: CurrentStaff):
    """Staff. The shop's registration poster (A4 PDF): its QR opens the sign-up form."""
    return _pdf(posters.shop_poster_pdf(settings=settings, signer=signer), "poster.pdf")


@router.get("/events/{event_id}/signup-poster.pdf", response_class=Response,
            responses={200: PDF, 409: {"description": "`walk_ins_not_allowed`"}})
def event_poster(event_id: Id, session: SessionDep, settings: SettingsDep, signer: SignerDep,
                 caller: CurrentStaff):
    """Staff. An event's registration poster for walk-ins (A4 PDF); 409
    `walk_ins_not_allowed` for an event that admits none."""
    return _pdf(posters.event_poster_pdf(session, event_id=event_id, settings=settings,
                                         signer=signer), f"event-{event_id}-poster.pdf")


@router.post("/signup", response_model=SignupCreated, status_code=status.HTTP_201_CREATED,
             responses=ANSWERS)
def sign_up(body: SignupForm, request: Request, database: DatabaseDep, settings: SettingsDep,
            signer: SignerDep, language: LanguageDep):
    """Public. The poster's signed token is the pass. A new phone: a customer and their
    card at once (201; e-mailed too if an address is given; at an event's poster, checked
    in while the doors are open). A phone or e-mail that is a customer's already: 202,
    the same answer whichever matched, and a sign-in link on their channel."""
    answer = service.submit(database, form=body, who=service.Submission(
        address=client_address(request), language=language,
        settings=settings, signer=signer, hub=request.app.state.hub,
        on_visit=request.app.state.visit_listener))
    return Response(answer.body, status_code=answer.status, media_type="application/json",
                    headers={"Cache-Control": "no-store"})
