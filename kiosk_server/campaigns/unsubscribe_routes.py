"""The unsubscribe link of a campaign message: its page, and its one-click POST."""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from kiosk_server.campaigns import unsubscribe
from kiosk_server.campaigns.unsubscribe import UnsubscribePublic
from kiosk_server.core.deps import SessionDep, SettingsDep, SignerDep
from kiosk_server.core.errors import DomainError
from kiosk_ui import page

router = APIRouter(tags=["campaigns"])

# An unsubscribe link's token (44 characters); anything much longer is not one.
Token = Annotated[str, Path(max_length=64, description="the signed token of the link")]
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@router.get("/u/{token}", response_class=HTMLResponse, include_in_schema=False)
@router.get("/U/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_page(token: Token, session: SessionDep, signer: SignerDep,
                     settings: SettingsDep) -> HTMLResponse:
    """Public. The signed link is the credential. Says what unsubscribing does and offers
    one button (opening it changes nothing: mail scanners open links); a link that is not
    one says so (404)."""
    try:
        found = unsubscribe.standing(session, token=token, signer=signer)
    except DomainError as refused:
        return HTMLResponse(page("unsubscribe.html", business=settings.business_name,
                                 colour=settings.brand_primary, token="", channel="",
                                 state="invalid"),
                            status_code=refused.status, headers=_PRIVATE)
    return HTMLResponse(page("unsubscribe.html", business=settings.business_name,
                             colour=settings.brand_primary, token=token,
                             channel=found.channel.value,
                             state="done" if found.unsubscribed else "ask"), headers=_PRIVATE)


@router.post("/u/{token}", response_model=UnsubscribePublic)
@router.post("/U/{token}", response_model=UnsubscribePublic, include_in_schema=False)
def unsubscribe_one_click(token: Token, session: SessionDep, signer: SignerDep):
    """Public. The signed link is the credential (RFC 8058 one-click: a mail program POSTs
    `List-Unsubscribe=One-Click`, whatever the body says it acts the same). Withdraws the
    customer's marketing consent on the message's channel, recorded in their consent
    history, and cancels every marketing message not sent to them yet there. A repeat
    answers the same and records nothing more; 404 `unsubscribe_not_found` for a link that
    is not one."""
    return unsubscribe.unsubscribe(session, token=token, signer=signer)
