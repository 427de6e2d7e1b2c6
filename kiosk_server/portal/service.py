"""The customer's portal: asking for a sign-in link, the sessions links open, and what a
signed-in customer sees and changes about themself.

A portal session belongs to one customer and can only ever address that customer: no
function here takes a customer id from a request, only from the session
(`session_customer`). An erased customer has no session and cannot use a link.

Asking for a link answers the same whatever was asked (status, body and, as near as
can be, time): the look-up always runs, and a link is queued only when it finds someone.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session, col

from kiosk_server.cards import service as cards
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database, Executor
from kiosk_server.core.errors import DomainError, invalid
from kiosk_server.core.signing import TokenKind, TokenSigner, extract_token_text, token_link
from kiosk_server.core.text import normalize_phone, phone_as_written
from kiosk_server.core.types import utcnow
from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.customers.contact import ConsentBy
from kiosk_server.customers.models import ConsentSource, Customer, CustomerUpdate
from kiosk_server.feedback import answers
from kiosk_server.feedback.answers import first_name
from kiosk_server.feedback.models import FeedbackPagePublic
from kiosk_server.loyalty import coupons
from kiosk_server.loyalty import service as loyalty
from kiosk_server.portal import links
from kiosk_server.portal.models import (
    Me,
    MeConsentChange,
    MeCoupon,
    MeLoyalty,
    MePurchase,
    MeUpdate,
    MeVisit,
    PortalSession,
    SignInAnswer,
    SignInRequest,
)
from kiosk_server.prints.service import member_number
from kiosk_server.privacy import service as privacy
from kiosk_server.privacy.hooks import ErasureHooks
from kiosk_server.staff import service as staff
from kiosk_server.staff import throttle

SESSION_HOURS = 4
SESSION_PREFIX = "kp_"
# Asking for links: a few a quarter hour for one phone, e-mail or card; more from one place
# (a shop's Wi-Fi has many customers behind one address).
PER_VALUE = 3
PER_ADDRESS = 20

SIGN_IN_ANSWER = SignInAnswer(
    code="sign_in_link_requested",
    message="Nếu thông tin này là của bạn, liên kết đăng nhập đang được gửi tới bạn: hãy xem "
            "tin nhắn. / If this is yours, a sign-in link is on its way: check your messages.")


def is_erased(customer: Customer) -> bool:
    """Whether the customer's data was erased (they deleted their account)."""
    return customer.erased_at is not None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- asking for a link -------------------------------------------------------------------

def _value_key(data: SignInRequest) -> str:
    """What was asked, as the rate limit counts it (the same for any form of one value),
    within the 200 characters a key may have."""
    if data.phone:
        key = f"portal:phone:{normalize_phone(data.phone) or data.phone.strip()}"
    elif data.email:
        key = f"portal:email:{data.email.strip().lower()}"
    else:
        key = f"portal:card:{extract_token_text(data.card or '')}"
    return key[:200]


def sign_in_limits(data: SignInRequest, address: str) -> list[throttle.Limit]:
    return [throttle.Limit(_value_key(data), PER_VALUE),
            throttle.Limit(f"portal:@{address}", PER_ADDRESS)]


def _too_many(refused: DomainError) -> DomainError:
    seconds = int(refused.extra.get("retry_after_s", 60))
    minutes = -(-seconds // 60)
    return DomainError(
        "too_many_requests",
        f"Bạn đã yêu cầu nhiều liên kết đăng nhập. Hãy thử lại sau {minutes} phút.",
        f"Many sign-in links were asked for. Try again in {minutes} min.",
        status=429, extra=refused.extra, headers=refused.headers)


def _customers_asked(session: Session, data: SignInRequest, signer: TokenSigner
                     ) -> list[Customer]:
    """The customers a sign-in request names (none, usually one)."""
    if data.phone:
        found = customers.find_by_phone(session, phone=data.phone)
        return [found] if found else []
    if data.email:
        return customers.find_by_email(session, email=data.email)
    token = signer.verify(data.card or "")
    holder = (cards.card_holder(session, serial=token.serial)
              if token is not None and token.kind is TokenKind.CARD else None)
    if holder is None or not holder.active:
        return []
    return [customers.get_customer(session, customer_id=holder.customer_id)]


def request_sign_in(database: Database, *, data: SignInRequest, address: str,
                    settings: Settings, signer: TokenSigner) -> SignInAnswer:
    """Send a sign-in link to the customer this phone, e-mail or card names, if any; the
    answer is the same either way. Every request counts against the value's and the
    address's limits (429 past them, for any value alike)."""
    limits = sign_in_limits(data, address)
    with database.session() as session:
        try:
            throttle.check(session, limits, what=throttle.SIGN_IN)
        except DomainError as refused:
            raise _too_many(refused) from None
        throttle.record_failure(session, limits)
        for customer in _customers_asked(session, data, signer):
            if not is_erased(customer):
                links.send_sign_in_link(session, customer, settings=settings, signer=signer)
    return SIGN_IN_ANSWER


# --- sessions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SignedIn:
    customer_id: int
    secret: str


def _refused(refusal: links.LinkRefusal) -> DomainError:
    if refusal is links.LinkRefusal.SPENT:
        return DomainError("sign_in_link_spent",
                           "Liên kết đăng nhập này đã hết hạn hoặc đã được dùng. Hãy yêu cầu "
                           "một liên kết mới.",
                           "This sign-in link has expired or was already used. Ask for a new "
                           "one.", status=410)
    return DomainError("sign_in_link_unknown", "Không tìm thấy liên kết đăng nhập này.",
                       "This sign-in link was not found.", status=404)


def _signs_in(session: Session, found: links.LinkUse) -> int:
    """The customer a link signs in; else why not (404 unknown, 410 spent or erased)."""
    if found.customer_id is None:
        raise _refused(found.refusal or links.LinkRefusal.UNKNOWN)
    if is_erased(customers.get_customer(session, customer_id=found.customer_id)):
        raise _refused(links.LinkRefusal.SPENT)
    return found.customer_id


def check_link(session: Session, *, token: str, signer: TokenSigner) -> None:
    """Refuses a link that would sign nobody in (404, 410), and spends nothing: opening a
    link (a preview fetching it too) only shows the button that signs in."""
    _signs_in(session, links.check_link(session, token=token, signer=signer))


def sign_in_with_link(session: Session, *, token: str, signer: TokenSigner,
                      now: datetime | None = None) -> SignedIn:
    """Spend a link and open a portal session for its customer: the session's secret (for
    the cookie); a link that signs nobody in is refused (404, 410). Two at once: one."""
    now = now or utcnow()
    customer_id = _signs_in(session, links.use_link(session, token=token, signer=signer,
                                                    now=now))
    secret = SESSION_PREFIX + secrets.token_urlsafe(32)
    session.add(PortalSession(digest=_digest(secret), customer_id=customer_id,
                              created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)))
    return SignedIn(customer_id, secret)


def session_customer(session: Session, *, secret: str, now: datetime | None = None
                     ) -> int | None:
    """The customer a portal session belongs to, while it is open and they are not erased."""
    if not secret.startswith(SESSION_PREFIX) or len(secret) > 100:
        return None
    customer_id = session.scalar(select(col(PortalSession.customer_id)).where(
        col(PortalSession.digest) == _digest(secret), col(PortalSession.revoked_at).is_(None),
        col(PortalSession.expires_at) > (now or utcnow())))
    if customer_id is None:
        return None
    customer = session.get(Customer, customer_id)
    return customer_id if customer is not None and not is_erased(customer) else None


def sign_out(session: Session, *, secret: str) -> None:
    """End this portal session."""
    session.execute(update(PortalSession)
                    .where(col(PortalSession.digest) == _digest(secret),
                           col(PortalSession.revoked_at).is_(None))
                    .values(revoked_at=utcnow()))


def sign_out_everywhere(db: Executor, *, customer_id: int) -> None:
    """End every portal session of the customer and spend their unused links."""
    db.execute(update(PortalSession)
               .where(col(PortalSession.customer_id) == customer_id,
                      col(PortalSession.revoked_at).is_(None))
               .values(revoked_at=utcnow()))
    links.revoke_links(db, customer_id=customer_id)


def staff_link(session: Session, *, customer_id: int, settings: Settings,
               signer: TokenSigner) -> tuple[str, datetime]:
    """A sign-in link for a customer at the till (shown as a QR): its URL and expiry."""
    customers.get_live_customer(session, customer_id=customer_id)  # 409 customer_erased
    now = utcnow()
    token = links.issue_link(session, customer_id=customer_id, signer=signer, now=now)
    return links.link_url(settings.public_url, token), now + timedelta(minutes=links.LINK_MINUTES)


# --- what the customer sees and changes --------------------------------------------------

def _loyalty(session: Session, customer_id: int, settings: Settings) -> MeLoyalty:
    standing = loyalty.status(session, customer_id=customer_id, settings=settings)
    starts = {tier.name: tier.threshold_vnd for tier in loyalty.tiers_of(settings)}
    return MeLoyalty(points=standing.points, tier=standing.tier, next_tier=standing.next_tier,
                     spend_12m_vnd=standing.spend_12m_vnd,
                     to_next_tier_vnd=standing.to_next_tier_vnd,
                     next_tier_from_vnd=starts.get(standing.next_tier or ""))


def me(session: Session, *, customer_id: int, settings: Settings, signer: TokenSigner) -> Me:
    """The customer's profile, consents, card, points, tier and coupons."""
    customer = customers.get_customer(session, customer_id=customer_id)
    code = cards.active_card_code(session, customer_id=customer_id, signer=signer)
    return Me(
        member_number=member_number(customer_id), full_name=customer.full_name,
        phone=phone_as_written(customer.phone), email=customer.email,
        consent_email=customer.consent_email, consent_sms=customer.consent_sms,
        preferred_channel=customer.preferred_channel, language=customer.language,
        card_url=token_link(settings.public_url, code, "c") if code else None,
        loyalty=_loyalty(session, customer_id, settings),
        coupons=[MeCoupon.model_validate(coupon, from_attributes=True) for coupon in
                 coupons.coupons_of(session, customer_id=customer_id, signer=signer)])


def update_me(session: Session, *, customer_id: int, data: MeUpdate) -> None:
    """Change the customer's own profile and consents (each consent change recorded as
    made on the portal, by no employee)."""
    changes = data.model_dump(exclude_unset=True)
    if "full_name" in changes and changes["full_name"] is None:
        raise invalid("name_required", "Cần có họ tên.", "A name is required.",
                      field="full_name")
    customers.update_customer(session, customer_id=customer_id,
                              data=CustomerUpdate.model_validate(changes),
                              by=ConsentBy(ConsentSource.PORTAL))


def visits(session: Session, *, customer_id: int) -> list[MeVisit]:
    return [MeVisit(kind=row.kind, occurred_at=row.occurred_at, gate=row.gate)
            for row in customers.list_visits(session, customer_id=customer_id, limit=200)]


def _first_names(session: Session, staff_ids: set[int | None]) -> dict[int | None, str | None]:
    names = staff.staff_names(session, staff_ids=staff_ids - {None})
    return {staff_id: first_name(name) for staff_id, name in names.items()}


def purchases(session: Session, *, customer_id: int) -> list[MePurchase]:
    rows = loyalty.purchases_of(session, customer_id=customer_id, limit=200)
    names = _first_names(session, {row.staff_id for row in rows})
    return [MePurchase(amount_vnd=row.amount_vnd, points=row.points, items=row.items,
                       occurred_at=row.occurred_at, voided=row.voided_at is not None,
                       staff_first_name=names.get(row.staff_id)) for row in rows]


def feedback(session: Session, *, customer_id: int) -> list[FeedbackPagePublic]:
    return answers.answers_of(session, customer_id=customer_id)


def consent_history(session: Session, *, customer_id: int) -> list[MeConsentChange]:
    history = contact.consent_history(session, customer_id=customer_id)
    names = _first_names(session, {change.staff_id for change in history})
    return [MeConsentChange(channel=change.channel, granted=change.granted,
                            source=change.source, occurred_at=change.occurred_at,
                            staff_first_name=names.get(change.staff_id))
            for change in history]


# --- their data, and the end of their account --------------------------------------------

def export(session: Session, *, customer_id: int) -> bytes:
    """Everything the shop holds about the customer, as a ZIP of JSON and CSV files."""
    return privacy.export_zip(session, customer_id=customer_id)


def delete_account(session: Session, *, customer_id: int, confirm: str,
                   hooks: ErasureHooks) -> None:
    """Erase the customer at their own request (the word typed to confirm it), and end
    every session and link of theirs."""
    if confirm.strip().upper() not in {"DELETE", "XOÁ", "XÓA"}:
        raise invalid("confirmation_needed", 'Hãy gõ "XOÁ" để xác nhận xoá tài khoản.',
                      'Type "DELETE" to confirm deleting your account.', field="confirm")
    privacy.erase(session, customer_id=customer_id, by_customer=True, hooks=hooks)
    sign_out_everywhere(session, customer_id=customer_id)

