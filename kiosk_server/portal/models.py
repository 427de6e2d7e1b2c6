"""The customer's portal: one-time sign-in links, and the sessions they open."""

from datetime import datetime

from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import Language, PlainText, UtcDateTime, utcnow
from kiosk_server.customers.models import (
    ConsentSource,
    OptionalEmail,
    PersonName,
    VisitKind,
)
from kiosk_server.loyalty.models import CouponStatus
from kiosk_server.messaging.models import Channel


class SignInLink(SQLModel, table=True):
    """A one-time sign-in link: its token's serial, whose it is, until when, and when it was
    used (it signs in once)."""

    __tablename__ = "sign_in_links"
    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(max_length=16, unique=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class PortalSession(SQLModel, table=True):
    """A customer's signed-in browser, stored only as its cookie's SHA-256 digest (so a
    stolen database opens nothing, and signing out or erasing revokes it)."""

    __tablename__ = "portal_sessions"
    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64, unique=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class SignInRequest(SQLModel):
    """Who asks for a sign-in link: one of a phone, an e-mail address or a card's code."""

    phone: PlainText | None = Field(default=None, max_length=32, description="any form")
    email: PlainText | None = Field(default=None, max_length=254)
    card: PlainText | None = Field(default=None, max_length=512,
                                   description="the code of a membership card (its page's "
                                               "sign-in button)")

    @model_validator(mode="after")
    def _one_value(self) -> "SignInRequest":
        given = [value for value in (self.phone, self.email, self.card)
                 if value is not None and value.strip()]
        if len(given) != 1:
            raise PydanticCustomError("sign_in_one_value",
                                      "give exactly one of phone, email and card")
        return self


class SignInAnswer(SQLModel):
    """The same answer whether or not the value belongs to a customer."""

    code: str = Field(description='always "sign_in_link_requested"')
    message: str


class LinkSpend(SQLModel):
    """A press on the page a sign-in link opens: the link's token, spent by this request."""

    token: PlainText = Field(min_length=1, max_length=512,
                             description="the token of the link (what follows /p/)")


class PortalOpened(SQLModel):
    go: str = Field(description='where the page goes now: "/me"')


class PortalLink(SQLModel):
    """A sign-in link made at the till, for the customer to scan."""

    url: str
    expires_at: datetime
    qr_png: str = Field(description="the link's QR as a data: URL (PNG)")


class MeCoupon(SQLModel):
    code: str
    benefit: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None
    status: CouponStatus


class MeLoyalty(SQLModel):
    points: int
    tier: str
    next_tier: str | None
    spend_12m_vnd: int
    to_next_tier_vnd: int | None
    next_tier_from_vnd: int | None = Field(description="the spend the next tier starts at")


class Me(SQLModel):
    """The signed-in customer as their own page shows them."""

    member_number: str
    full_name: str
    phone: str | None = Field(description="in the form people write it (0903 123 456)")
    email: str | None
    consent_email: bool
    consent_sms: bool
    preferred_channel: Channel | None
    language: Language = Field(description="the language of the messages they get")
    card_url: str | None = Field(description="their membership card's page, if they hold one")
    loyalty: MeLoyalty
    coupons: list[MeCoupon]


class MeUpdate(SQLModel):
    """What a customer may change about themself (every field optional)."""

    full_name: PersonName | None = Field(default=None, min_length=1, max_length=200)
    phone: PlainText | None = Field(default=None, max_length=32)
    email: OptionalEmail = Field(default=None, max_length=254)
    consent_email: bool | None = None
    consent_sms: bool | None = None
    preferred_channel: Channel | None = None
    language: Language | None = Field(
        default=None, description="the language of their messages: the page saves the one "
                                  "they switch it to")


class MeVisit(SQLModel):
    kind: VisitKind
    occurred_at: datetime
    gate: str


class MePurchase(SQLModel):
    amount_vnd: int
    points: int
    items: str
    occurred_at: datetime
    voided: bool
    staff_first_name: str | None


class MeConsentChange(SQLModel):
    channel: Channel
    granted: bool
    source: ConsentSource
    staff_first_name: str | None = Field(description='who made it (their given name), when an '
                                                     'employee did; else "the shop"')
    occurred_at: datetime


class DeleteConfirmation(SQLModel):
    confirm: PlainText = Field(max_length=20, description='"DELETE" (or "XOÁ")')
