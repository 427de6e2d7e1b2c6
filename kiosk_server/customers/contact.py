"""Reaching a customer: their consent per channel, its history, and the one question every
sender asks before queuing a message for them.

Consent is per channel (e-mail, SMS/Zalo) and per purpose. A service message (a card
they asked for, a sign-in link) needs none and is marked `service`; a marketing message
goes only to a channel they agreed to. Nothing is agreed by default: silence is not
consent. Each change is kept in `consent_changes` with where it was made and by whom.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.core.types import utcnow
from kiosk_server.customers.models import (
    ConsentChange,
    ConsentChangePublic,
    ConsentSource,
    Customer,
)
from kiosk_server.messaging import service as messaging
from kiosk_server.messaging.models import Channel, Purpose

CONSENT_FIELDS = {Channel.EMAIL: "consent_email", Channel.SMS: "consent_sms"}
ADDRESS_FIELDS = {Channel.EMAIL: "email", Channel.SMS: "phone"}


@dataclass(frozen=True)
class ConsentBy:
    """Where a change of consent comes from, and the employee who made it (if one did)."""

    source: ConsentSource
    staff_id: int | None = None


class Refusal(StrEnum):
    NO_CONSENT = "no_consent"  # marketing, and they did not agree to this channel
    NO_ADDRESS = "no_address"  # no e-mail address, or no phone number, for this channel


@dataclass(frozen=True)
class Permission:
    """The answer to "may this message be sent?": the address to use, or why not."""

    channel: Channel
    purpose: Purpose
    address: str | None
    refusal: Refusal | None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def has_consent(customer: Customer, channel: Channel) -> bool:
    return bool(getattr(customer, CONSENT_FIELDS[channel]))


def address_of(customer: Customer, channel: Channel) -> str | None:
    """Where the channel reaches the customer: their e-mail address, or their phone."""
    return getattr(customer, ADDRESS_FIELDS[channel])


def set_consents(session: Session, customer: Customer, wanted: dict[Channel, bool], *,
                 by: ConsentBy, at: datetime | None = None) -> None:
    """Give or withdraw marketing consent per channel; each real change is recorded."""
    at = at or utcnow()
    assert customer.id is not None  # flushed: the history points at it
    for channel, granted in wanted.items():
        if has_consent(customer, channel) == granted:
            continue
        setattr(customer, CONSENT_FIELDS[channel], granted)
        session.add(ConsentChange(customer_id=customer.id, channel=channel,
                                  purpose=Purpose.MARKETING, granted=granted,
                                  source=by.source, staff_id=by.staff_id, occurred_at=at))
    session.add(customer)


def consent_history(session: Session, *, customer_id: int) -> list[ConsentChangePublic]:
    """Every change of the customer's consent, newest first (`staff_name` left empty)."""
    rows = session.scalars(select(ConsentChange)
                           .where(col(ConsentChange.customer_id) == customer_id)
                           .order_by(col(ConsentChange.occurred_at).desc(),
                                     col(ConsentChange.id).desc()))
    return [ConsentChangePublic.model_validate(row, update={"staff_name": None}) for row in rows]


def may_send(customer: Customer, *, channel: Channel, purpose: Purpose) -> Permission:
    """May a message of this purpose go to the customer by this channel? Every sender asks."""
    address = address_of(customer, channel)
    refusal = None
    if purpose is Purpose.MARKETING and not has_consent(customer, channel):
        refusal = Refusal.NO_CONSENT
    elif not address:
        refusal = Refusal.NO_ADDRESS
    return Permission(channel, purpose, address if refusal is None else None, refusal)


def best_channel(customer: Customer, *, purpose: Purpose) -> Permission:
    """The channel to use: the preferred one if it may be used, else the first that may;
    when none may, the refusal of the preferred (or e-mail)."""
    order = [customer.preferred_channel or Channel.EMAIL]
    order += [channel for channel in CONSENT_FIELDS if channel not in order]
    answers = [may_send(customer, channel=channel, purpose=purpose) for channel in order]
    return next((answer for answer in answers if answer.allowed), answers[0])


@dataclass(frozen=True)
class Content:
    subject: str
    text: str
    html: str = ""
    images: dict[str, bytes] | None = None


@dataclass(frozen=True)
class Queued:
    permission: Permission
    message_id: int | None  # None: not queued, `permission.refusal` says why


def send(session: Session, customer: Customer, content: Content, *, purpose: Purpose,
         channel: Channel | None = None) -> Queued:
    """Queue a message to the customer in the caller's transaction, if it may be sent: by
    `channel`, or by the best channel they allow. A refusal queues nothing."""
    permission = (may_send(customer, channel=channel, purpose=purpose) if channel
                  else best_channel(customer, purpose=purpose))
    if not permission.allowed or permission.address is None:
        return Queued(permission, None)
    if permission.channel is Channel.EMAIL:
        message = messaging.enqueue_email(session, to=permission.address,
                                          subject=content.subject, text=content.text,
                                          html=content.html, images=content.images,
                                          purpose=purpose)
    else:
        message = messaging.enqueue_phone_message(session, to=permission.address,
                                                  text=content.text, purpose=purpose,
                                                  subject=content.subject)
    return Queued(permission, message.id)
