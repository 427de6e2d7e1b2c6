"""The caller of a portal endpoint: the customer whose session cookie it carries."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyCookie

from kiosk_server.core.deps import SessionDep
from kiosk_server.core.errors import unauthenticated
from kiosk_server.portal import service

PORTAL_COOKIE = "kiosk_portal"

_cookie = APIKeyCookie(name=PORTAL_COOKIE, auto_error=False, scheme_name="PortalSession",
                       description="A customer's portal session (from a sign-in link)")


def _secret(cookie: Annotated[str | None, Depends(_cookie)]) -> str:
    if not cookie:
        raise unauthenticated()
    return cookie


PortalSecret = Annotated[str, Depends(_secret)]


def _customer(session: SessionDep, secret: PortalSecret) -> int:
    """The signed-in customer's id, checked on every request (401 once the session ended,
    expired, or the customer was erased)."""
    customer_id = service.session_customer(session, secret=secret)
    if customer_id is None:
        raise unauthenticated()
    return customer_id


# The customer signed in to their portal: the id of the only customer the request may
# address.
CurrentCustomer = Annotated[int, Depends(_customer)]
