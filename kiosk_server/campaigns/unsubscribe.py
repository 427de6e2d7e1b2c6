"""Unsubscribing by a campaign message's link: the one-click address of RFC 8058.

Every campaign message carries `/u/<token>` (token kind `U` on its recipient's serial):
as a link in the message, and in its `List-Unsubscribe` header, to which a mail program's
"unsubscribe" button POSTs `List-Unsubscribe=One-Click` with no cookie and no page. The
token is the only credential; a forged or altered one costs one hash and no lookup.

Opening the link (GET) changes nothing, since mail scanners open links to preview them:
the page says what will happen and offers one button. The POST withdraws the customer's
marketing consent on the message's channel (kept in their consent history, source
`unsubscribe`), marks the recipient, and at once cancels every marketing message not yet
sent to them on that channel, the rest of a running campaign's included; a campaign still
drawing its recipients leaves them out from then on. A second POST answers the same and
records nothing more.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Field, Session, SQLModel, col

from kiosk_server.campaigns.models import Campaign, CampaignRecipient
from kiosk_server.core.errors import DomainError, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import ConsentSource, Customer
from kiosk_server.messaging import service as messaging
from kiosk_server.messaging.models import Channel, MessageStatus


class UnsubscribePublic(SQLModel):
    """Where the link's customer stands on the message's channel."""

    channel: Channel
    unsubscribed: bool = Field(description="they receive no more marketing on this channel")
    unsubscribed_at: datetime | None = Field(description="when this link was used")


@dataclass(frozen=True)
class _Found:
    recipient: CampaignRecipient
    campaign: Campaign
    customer: Customer


def _unknown_link() -> DomainError:
    return not_found("liên kết hủy đăng ký", "Unsubscribe link", code="unsubscribe_not_found")


def _find(session: Session, *, token: str, signer: TokenSigner, lock: bool = False) -> _Found:
    """The recipient a link names: 404 for a forged, altered or unknown link, another kind
    of token, or a customer whose data was erased."""
    serial = signer.serial_of(token, TokenKind.UNSUBSCRIBE)
    if serial is None:
        raise _unknown_link()
    query = select(CampaignRecipient).where(col(CampaignRecipient.serial) == serial)
    recipient = session.scalars(query.with_for_update() if lock else query).first()
    if recipient is None:
        raise _unknown_link()
    try:
        customer = customers.get_live_customer(session, customer_id=recipient.customer_id)
    except DomainError:
        raise _unknown_link() from None
    campaign = session.get_one(Campaign, recipient.campaign_id)
    return _Found(recipient, campaign, customer)


def _public(found: _Found) -> UnsubscribePublic:
    channel = found.campaign.channel
    return UnsubscribePublic(channel=channel,
                             unsubscribed=not contact.has_consent(found.customer, channel),
                             unsubscribed_at=found.recipient.unsubscribed_at)


def standing(session: Session, *, token: str, signer: TokenSigner) -> UnsubscribePublic:
    """What the link's page shows: the channel, and whether they already unsubscribed."""
    return _public(_find(session, token=token, signer=signer))


def unsubscribe(session: Session, *, token: str, signer: TokenSigner,
                now: datetime | None = None) -> UnsubscribePublic:
    """Withdraw the consent, mark the recipient, cancel what was not sent yet; once."""
    now = now or utcnow()
    found = _find(session, token=token, signer=signer, lock=True)
    channel = found.campaign.channel
    contact.set_consents(session, found.customer, {channel: False},
                         by=contact.ConsentBy(ConsentSource.UNSUBSCRIBE), at=now)
    if found.recipient.unsubscribed_at is None:
        session.execute(update(CampaignRecipient)
                        .where(col(CampaignRecipient.id) == found.recipient.id,
                               col(CampaignRecipient.unsubscribed_at).is_(None))
                        .values(unsubscribed_at=now)
                        .execution_options(synchronize_session=False))
        session.refresh(found.recipient)
    _cancel_unsent(session, found.customer, channel)
    return _public(found)


def _cancel_unsent(session: Session, customer: Customer, channel: Channel) -> None:
    """The customer's campaign messages on `channel` not sent yet, and any other marketing
    message waiting for their address there."""
    theirs = (select(col(CampaignRecipient.outbox_id))
              .join(Campaign, col(Campaign.id) == col(CampaignRecipient.campaign_id))
              .where(col(CampaignRecipient.customer_id) == customer.id,
                     col(Campaign.channel) == channel))
    messaging.move(session, among=messaging.ids_in(theirs),
                   from_=(MessageStatus.PENDING, MessageStatus.HELD), to=MessageStatus.CANCELLED)
    address = contact.address_of(customer, channel)
    if address:
        messaging.cancel_marketing_to(session, channel=channel, address=address)
