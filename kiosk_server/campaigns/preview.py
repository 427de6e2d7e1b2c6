"""The message a customer would get from a campaign, as it stands now."""

from datetime import timedelta

from sqlmodel import Field, Session, SQLModel

from kiosk_server.campaigns import compose, service, values
from kiosk_server.core.config import Settings
from kiosk_server.core.signing import TokenSigner, new_serial
from kiosk_server.core.types import Language, utcnow
from kiosk_server.customers import contact
from kiosk_server.customers import service as customers


class PreviewRequest(SQLModel):
    customer_id: int = Field(ge=1, le=2**53)


class CampaignPreview(SQLModel):
    subject: str
    text: str
    html: str
    to: str | None = Field(description="their address on the campaign's channel, if any")



def preview(session: Session, *, campaign_id: int, customer_id: int, settings: Settings,
            signer: TokenSigner) -> CampaignPreview:
    """The message this customer would get, as it stands now (a coupon is shown as a
    sample: its code is made when the message is written)."""
    campaign = service.get_campaign(session, campaign_id=campaign_id)
    customer = customers.get_live_customer(session, customer_id=customer_id)
    standing = values.standings(session, [customer_id], settings=settings,
                                signer=signer)[customer_id]
    language = Language(customer.language)
    shown = (compose.CouponShown(campaign.coupon_benefit,
                                 utcnow() + timedelta(days=campaign.coupon_valid_days),
                                 standing.card_link, None)
             if campaign.coupon_benefit else None)
    filled = compose.values_for(standing, language, coupon=shown, zone=settings.zone,
                                unsubscribe=compose.unsubscribe_link(settings, signer,
                                                                     new_serial()))
    content = compose.message(campaign, language, filled, shown)
    return CampaignPreview(subject=content.subject, text=content.text, html=content.html,
                           to=contact.address_of(customer, campaign.channel))
