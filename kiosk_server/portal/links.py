"""One-time sign-in links to a customer's portal.

A link holds a signed token of kind `L` (core/signing.py); its serial is stored with the
customer it signs in, when it expires (15 minutes after it was made) and when it was used.
Opening it (GET) only checks it: mail scanners and chat apps fetch a link to show a
preview, and must not spend it. The customer's press on the page it opens spends it
(POST): one conditional UPDATE (`used_at IS NULL AND expires_at > now`), so two presses,
or two browsers, at the same moment sign in once between them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlmodel import Session, col

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Executor
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial, token_link
from kiosk_server.core.types import utcnow
from kiosk_server.customers import contact
from kiosk_server.customers.models import Customer
from kiosk_server.messaging.models import Purpose
from kiosk_server.portal.models import SignInLink

LINK_MINUTES = 15
LINK_PAGE = "p"


def issue_link(session: Session, *, customer_id: int, signer: TokenSigner,
               now: datetime | None = None) -> str:
    """A new one-time sign-in token for the customer, valid for 15 minutes from `now`."""
    now = now or utcnow()
    serial = new_serial()
    session.add(SignInLink(serial=serial, customer_id=customer_id, created_at=now,
                           expires_at=now + timedelta(minutes=LINK_MINUTES)))
    session.flush()
    return signer.sign(TokenKind.SIGN_IN, serial)


def link_url(public_url: str, token: str) -> str:
    """The link a sign-in token opens: `<public url>/p/<token>`."""
    return token_link(public_url, token, LINK_PAGE)


def expires_at(session: Session, *, token: str, signer: TokenSigner) -> datetime | None:
    """When the link of a token just issued expires (None for a token that is not one)."""
    serial = signer.serial_of(token, TokenKind.SIGN_IN)
    if serial is None:
        return None
    return session.scalar(select(col(SignInLink.expires_at))
                          .where(col(SignInLink.serial) == serial))


def _message(*, name: str, business: str, url: str) -> contact.Content:
    subject = f"Đăng nhập trang của bạn tại {business} / Sign in to your {business} page"
    text = (f"Xin chào {name},\n\nMở liên kết này để vào trang thành viên của bạn tại "
            f"{business} (dùng được một lần, trong {LINK_MINUTES} phút): {url}\n"
            f"Nếu bạn không yêu cầu, hãy bỏ qua tin này.\n\n"
            f"Sign in to your {business} page (once, within {LINK_MINUTES} minutes): {url}\n")
    return contact.Content(subject=subject, text=text)


def send_sign_in_link(session: Session, customer: Customer, *, settings: Settings,
                      signer: TokenSigner) -> None:
    """Issue a sign-in link and queue it to the customer as a service message on their best
    channel. A customer with no address, or erased, gets nothing, and the caller sees no
    difference."""
    if customer.id is None or customer.erased_at is not None or not (
            customer.email or customer.phone):
        return
    token = issue_link(session, customer_id=customer.id, signer=signer)
    contact.send(session, customer, _message(
        name=customer.full_name, business=settings.business_name,
        url=link_url(settings.public_url, token)), purpose=Purpose.SERVICE)


class LinkRefusal(StrEnum):
    UNKNOWN = "unknown"  # not a sign-in token, forged, or never issued
    SPENT = "spent"  # used already, or expired


@dataclass(frozen=True)
class LinkUse:
    """What opening a link gave: the customer it signed in, or why it did not."""

    customer_id: int | None
    refusal: LinkRefusal | None


def check_link(db: Executor, *, token: str, signer: TokenSigner,
               now: datetime | None = None) -> LinkUse:
    """Whether a sign-in link would sign in now, and whom, without spending it."""
    serial = signer.serial_of(token, TokenKind.SIGN_IN)
    if serial is None:
        return LinkUse(None, LinkRefusal.UNKNOWN)
    row = db.execute(select(col(SignInLink.customer_id), col(SignInLink.used_at),
                            col(SignInLink.expires_at))
                     .where(col(SignInLink.serial) == serial)).first()
    if row is None:
        return LinkUse(None, LinkRefusal.UNKNOWN)
    if row.used_at is not None or row.expires_at <= (now or utcnow()):
        return LinkUse(None, LinkRefusal.SPENT)
    return LinkUse(row.customer_id, None)


def use_link(db: Executor, *, token: str, signer: TokenSigner,
             now: datetime | None = None) -> LinkUse:
    """Spend a sign-in link: the customer it signs in, once, while it is valid."""
    now = now or utcnow()
    serial = signer.serial_of(token, TokenKind.SIGN_IN)
    if serial is None:
        return LinkUse(None, LinkRefusal.UNKNOWN)
    spent = cast(CursorResult, db.execute(
        update(SignInLink)
        .where(col(SignInLink.serial) == serial, col(SignInLink.used_at).is_(None),
               col(SignInLink.expires_at) > now)
        .values(used_at=now).execution_options(synchronize_session=False))).rowcount
    customer_id = db.scalar(select(col(SignInLink.customer_id))
                            .where(col(SignInLink.serial) == serial))
    if customer_id is None:
        return LinkUse(None, LinkRefusal.UNKNOWN)
    if spent != 1:
        return LinkUse(None, LinkRefusal.SPENT)
    return LinkUse(customer_id, None)


def revoke_links(db: Executor, *, customer_id: int, now: datetime | None = None) -> None:
    """Spend every unused link of the customer (they signed out everywhere, or were
    erased)."""
    db.execute(update(SignInLink)
               .where(col(SignInLink.customer_id) == customer_id,
                      col(SignInLink.used_at).is_(None))
               .values(used_at=now or utcnow()))
