"""Sign-up by poster: a phone form that makes a new customer and their card at once, and,
at an event's poster, lets a walk-in in.

The decision on "the form cannot tell anyone who is a customer":

- A phone number never seen before gets its card at once (201, the card's link): a card
  in seconds is what the poster is for. Answering that way tells the sender that the
  number was not a customer's, and makes it one; it reveals nothing about anybody else.
- A phone or e-mail that already belongs to a customer creates no second record and
  reveals nothing about that customer (no name, no card, no points): the answer is 202
  with the same bytes whichever matched (the phone, the e-mail, both, or two customers),
  the same as the portal's sign-in answer (`portal.service.SIGN_IN_ANSWER`: "if this is
  yours, a sign-in link is on its way: check your messages"). The customer is sent a
  sign-in link on their registered channel (and, at an event's poster, their card's link,
  which the gate admits as a walk-in), never to the address typed in the form unless it
  is theirs.
- The work is the same whichever matched: both lookups always run, a message is queued
  for each customer found, so the time does not tell either.
- Rate limits (per phone, per e-mail, per client address; `staff/throttle.py`'s keys,
  every submission counted before anything is looked up) answer the same 429 whether the
  values belong to a customer or not.

A retry with the same `client_key` acts once and gets the first answer (a different form
under a key already used is refused, 409 `request_reused`); two submissions of one new
phone at the same moment make one customer (the database's unique phone), the second
answered as a registered phone is.
"""

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from kiosk_server.cards import service as cards
from kiosk_server.checkin import service as checkin
from kiosk_server.checkin.models import ScanStatus
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database, id_of
from kiosk_server.core.errors import DomainError, conflict, invalid
from kiosk_server.core.signing import TokenKind, TokenSigner, token_link
from kiosk_server.core.text import normalize_phone
from kiosk_server.core.types import utcnow
from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.customers.contact import ConsentBy
from kiosk_server.customers.models import ConsentSource, Customer, CustomerCreate, VisitListener
from kiosk_server.events import service as events
from kiosk_server.events.models import Event
from kiosk_server.live.hub import LocalHub
from kiosk_server.loyalty import checkout
from kiosk_server.loyalty.models import CardMail
from kiosk_server.messaging.models import Purpose
from kiosk_server.portal import links
from kiosk_server.portal import service as portal
from kiosk_server.signup import posters
from kiosk_server.signup.models import (
    SignupCreated,
    SignupForm,
    SignupRequest,
    WalkIn,
    WalkInStatus,
)
from kiosk_server.staff import throttle

CREATED = 201
ACCEPTED = 202
PER_PHONE = 5
PER_EMAIL = 5
# One venue's guests may share an address (a shop's Wi-Fi behind one router).
PER_ADDRESS = 60
# How long a retry gets the first answer: an answer may hold a card's link, kept no longer
# than a phone would retry.
KEEP_ANSWERS = timedelta(hours=1)

@dataclass(frozen=True)
class Submission:
    """Who is submitting the form, from where, and what the server needs to act on it."""

    address: str
    language: str
    settings: Settings
    signer: TokenSigner
    hub: LocalHub | None = None
    on_visit: VisitListener | None = None  # told of a walk-in's check-in, once committed


@dataclass(frozen=True)
class Answer:
    """The HTTP status and the JSON body, as the first submission under its key got them."""

    status: int
    body: str


def limits(*, phone: str, email: str | None, address: str) -> list[throttle.Limit]:
    """The keys a submission counts under; an e-mail address (up to 254 characters) by its
    digest, so that every key stays within the 200 characters a key may have."""
    found = [throttle.Limit(f"signup:phone:{phone}", PER_PHONE),
             throttle.Limit(f"signup:@{address}"[:200], PER_ADDRESS)]
    if email:
        digest = hashlib.sha256(email.encode()).hexdigest()[:32]
        found.append(throttle.Limit(f"signup:email:{digest}", PER_EMAIL))
    return found


def _too_many(error: DomainError) -> DomainError:
    seconds = int(error.extra.get("retry_after_s", 60))
    minutes = math.ceil(seconds / 60)
    return DomainError(
        "too_many_attempts",
        f"Đã có quá nhiều lần đăng ký với số điện thoại, e-mail này hoặc từ đây. Hãy thử lại "
        f"sau {minutes} phút.",
        f"Too many sign-ups with this phone, this e-mail or from here. Try again in "
        f"{minutes} min.", status=429, extra=error.extra, headers=error.headers)


def _fingerprint(form: SignupForm) -> str:
    fields = form.model_dump(mode="json", exclude={"client_key"})
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def _stored(session: Session, client_key: str) -> SignupRequest | None:
    return session.scalars(select(SignupRequest)
                           .where(col(SignupRequest.client_key) == client_key)).first()


def _replay(stored: SignupRequest, fingerprint: str) -> Answer:
    if stored.fingerprint != fingerprint:
        raise conflict("request_reused",
                       "Mã gửi này đã được dùng cho một đăng ký khác. Hãy tải lại trang.",
                       "This request key was used for another sign-up. Reload the page.",
                       field="client_key")
    return Answer(stored.status_code, stored.answer)


def _phone(raw: str) -> str:
    phone = normalize_phone(raw)
    if phone is None:
        raise invalid("invalid_phone", "Số điện thoại không hợp lệ.", "Invalid phone number.",
                      field="phone")
    return phone


class _Raced(Exception):
    """Another request with the same client key was recorded first."""


def submit(database: Database, *, form: SignupForm, who: Submission) -> Answer:
    """Act on one submission of the poster's form (see the module's docstring), in short
    transactions: the retry looked up, the attempt counted, then the sign-up itself."""
    phone = _phone(form.phone)
    fingerprint = _fingerprint(form)
    with database.session(Access.READ) as session:
        posters.poster_of(session, token=form.token, signer=who.signer)  # 404 before all
        stored = _stored(session, form.client_key)
    if stored is not None:
        return _replay(stored, fingerprint)
    with database.session() as session:
        try:
            throttle.claim(session, limits(phone=phone, email=form.email, address=who.address),
                           what=("lần đăng ký", "sign-ups"))
        except DomainError as error:
            raise _too_many(error) from None
    try:
        with database.session() as session:
            session.execute(delete(SignupRequest).where(
                col(SignupRequest.created_at) < utcnow() - KEEP_ANSWERS))
            record = SignupRequest(client_key=form.client_key, fingerprint=fingerprint)
            session.add(record)
            try:
                with session.begin_nested():
                    session.flush()
            except IntegrityError:
                raise _Raced() from None
            answer = _sign_up(session, form=form, phone=phone, who=who)
            record.status_code, record.answer = answer.status, answer.body
            session.add(record)
    except _Raced:
        with database.session(Access.READ) as session:
            stored = _stored(session, form.client_key)
        assert stored is not None, "the first request under this key was saved"
        return _replay(stored, fingerprint)
    return answer


def _accepted() -> Answer:
    """The portal's sign-in answer, byte for byte."""
    return Answer(ACCEPTED, portal.SIGN_IN_ANSWER.model_dump_json())


def _sign_up(session: Session, *, form: SignupForm, phone: str, who: Submission) -> Answer:
    poster = posters.poster_of(session, token=form.token, signer=who.signer)
    # Both lookups always run: the time does not tell which matched.
    found = [customers.find_by_phone(session, phone=phone),
             *customers.find_by_email(session, email=form.email or "")]
    known = list({id_of(c): c for c in found if c is not None}.values())
    if not known:
        try:
            # In a savepoint of its own, so that a clash takes the new row out of the session.
            with session.begin_nested():
                customer = customers.create_customer(session, data=CustomerCreate(
                    full_name=form.full_name, phone=phone, email=form.email,
                    consent_email=form.consent_email, consent_sms=form.consent_sms),
                    by=ConsentBy(ConsentSource.POSTER))
        except DomainError as error:  # the same phone, signed up at the same moment
            if error.code != "phone_taken":
                raise
            taken = customers.find_by_phone(session, phone=phone)
            assert taken is not None
            known = [taken]
        else:
            return _new_member(session, customer=customer, event=poster.event, who=who)
    for customer in known:
        _remind(session, customer=customer, event=poster.event, who=who)
    return _accepted()


def _new_member(session: Session, *, customer: Customer, event: Event | None,
                who: Submission) -> Answer:
    card = cards.issue_card(session, customer_id=id_of(customer))
    link = token_link(who.settings.public_url, who.signer.sign(TokenKind.CARD, card.serial), "c")
    mail = checkout.mail_card(session, customer, link=link, settings=who.settings)
    walk_in = (_walk_in(session, customer_id=id_of(customer), event=event, who=who)
               if event is not None else None)
    created = SignupCreated(card_url=link, card_mail=mail is not CardMail.NO_ADDRESS,
                            walk_in=walk_in)
    return Answer(CREATED, created.model_dump_json())


def _walk_in(session: Session, *, customer_id: int, event: Event, who: Submission) -> WalkIn:
    """A new member at the event's poster: checked in while the doors are open; invited,
    and told when they open, before; neither once check-in is over (or the event full)."""
    rules = events.gate_rules(session, event_id=id_of(event))
    answer = WalkIn(status=WalkInStatus.CLOSED, event_id=rules.id, event_name=event.name,
                    opens_at=rules.checkin_opens_at)
    now = utcnow()
    if now > rules.checkin_closes_at:
        return answer
    if now < rules.checkin_opens_at:
        invited = events.walk_in(session, event=rules, customer_id=customer_id)
        answer.status = WalkInStatus.INVITED if invited else WalkInStatus.FULL
        return answer
    result = checkin.admit_walk_in(session, event_id=rules.id, customer_id=customer_id,
                                   context=checkin.ScanContext(
                                       secret="", signer=who.signer, language=who.language,
                                       zone=ZoneInfo(who.settings.timezone), hub=who.hub,
                                       on_visit=who.on_visit))
    if result.status is ScanStatus.OK:
        answer.status, answer.checked_in_at = WalkInStatus.CHECKED_IN, result.checked_in_at
    elif result.status is ScanStatus.NOT_INVITED:
        answer.status = WalkInStatus.FULL
    return answer


def _remind(session: Session, *, customer: Customer, event: Event | None,
            who: Submission) -> None:
    """What a customer who is one already is sent instead of a second record: a sign-in
    link on their channel and, at an event's poster, their card, which the gate admits."""
    links.send_sign_in_link(session, customer, settings=who.settings, signer=who.signer)
    if event is None:
        return
    code = cards.active_card_code(session, customer_id=id_of(customer), signer=who.signer)
    if code is None:
        card = cards.issue_card(session, customer_id=id_of(customer))
        code = who.signer.sign(TokenKind.CARD, card.serial)
    link = token_link(who.settings.public_url, code, "c")
    business = who.settings.business_name
    contact.send(session, customer, contact.Content(
        subject=f"Vào cửa {event.name} / Your way in to {event.name}",
        text=(f"Xin chào {customer.full_name},\n\nĐưa mã QR trên thẻ thành viên {business} của "
              f"bạn tại cổng {event.name} để vào: {link}\n\n"
              f"Show the QR code of your {business} membership card at the gate of "
              f"{event.name} to get in: {link}\n")), purpose=Purpose.SERVICE)
