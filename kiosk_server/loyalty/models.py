"""Purchases and the points they earn. Money is VND, whole dong, as integers."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import StrictInt, StringConstraints
from sqlalchemy import BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import Language, NoteText, PlainText, UtcDateTime, utcnow
from kiosk_server.customers.models import CustomerPublic, OptionalEmail, PersonName, VisitKind
from kiosk_server.feedback.models import ComplaintPublic, FeedbackLink
from kiosk_server.messaging.models import Channel

MAX_AMOUNT_VND = 10_000_000_000  # ten billion dong: beyond any one sale of a small shop


class Purchase(SQLModel, table=True):
    """A sale to a known customer; a void keeps the row and reverses its points."""

    __tablename__ = "purchases"
    __table_args__ = (
        UniqueConstraint("staff_id", "request_id", name="uq_purchase_request"),
        # Covering: a customer's spend (in all, and over 12 months) is summed from the index.
        Index("ix_purchases_customer_spend", "customer_id", "occurred_at", "amount_vnd",
              "voided_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id")
    # 64-bit: amounts up to MAX_AMOUNT_VND overflow PostgreSQL's 32-bit integer.
    amount_vnd: int = Field(sa_type=BigInteger)
    points: int = Field(sa_type=BigInteger, description="points this purchase earned")
    items: str = Field(default="", sa_type=Text)
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    request_id: str = Field(max_length=64, description="the till's id of the request")
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    voided_by: int | None = Field(default=None, foreign_key="staff_users.id")
    void_reason: str = Field(default="", max_length=500)
    visit_id: int | None = Field(default=None, foreign_key="visits.id")


class LoyaltyAccount(SQLModel, table=True):
    """A customer's points balance: earned by purchases, spent on rewards. One row, so a
    redemption takes points with one conditional update that two tills cannot both pass."""

    __tablename__ = "loyalty_accounts"
    customer_id: int = Field(primary_key=True, foreign_key="customers.id")
    points: int = Field(default=0, sa_type=BigInteger)


class Reward(SQLModel, table=True):
    __tablename__ = "rewards"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    points_cost: int = Field(sa_type=BigInteger)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class Redemption(SQLModel, table=True):
    """Points a customer spent on a reward, at a till; a void keeps the row and gives the
    points back."""

    __tablename__ = "redemptions"
    __table_args__ = (UniqueConstraint("staff_id", "request_id", name="uq_redemption_request"),)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    reward_id: int = Field(foreign_key="rewards.id")
    reward_name: str = Field(max_length=200, description="the reward's name when redeemed")
    points: int = Field(sa_type=BigInteger)
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    request_id: str = Field(max_length=64)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    voided_by: int | None = Field(default=None, foreign_key="staff_users.id")
    void_reason: str = Field(default="", max_length=500)


class Coupon(SQLModel, table=True):
    """A single-use benefit behind a signed QR (token kind V), valid until it expires."""

    __tablename__ = "coupons"
    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(max_length=16, unique=True)
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True,
                                    description="whose it is; anyone's when empty")
    benefit: str = Field(max_length=200)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    issued_by: int | None = Field(default=None, foreign_key="staff_users.id")
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    used_by: int | None = Field(default=None, foreign_key="staff_users.id")
    used_customer_id: int | None = Field(default=None, foreign_key="customers.id")
    used_request_id: str | None = Field(default=None, max_length=64)
    used_purchase_id: int | None = Field(default=None, foreign_key="purchases.id", index=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime,
                                        description="withdrawn (its holder's data was erased)")
    thanks_request_id: int | None = Field(
        default=None, foreign_key="feedback_requests.id", unique=True,
        description="the visit whose feedback it thanks for: one coupon per visit")


RequestId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class PurchaseCreate(SQLModel):
    amount_vnd: StrictInt = Field(ge=1, le=MAX_AMOUNT_VND,
                                  description="whole dong, a JSON integer (not a string)")
    items: NoteText = Field(default="", max_length=4000, description="what was bought, notes")
    request_id: RequestId = Field(
        description="client-made id (a UUID): the same purchase sent again is recorded once"
    )
    served_by: int | None = Field(
        default=None, ge=1, le=2**31 - 1,
        description="the staff member who served the customer (GET /api/v1/staff/names); "
                    "default: the one recording the sale")
    coupon_code: PlainText | None = Field(
        default=None, max_length=512,
        description="a coupon used with this sale: checked and marked used with it, or the "
                    "sale is refused")


class Void(SQLModel):
    """Why a purchase or a redemption is voided."""

    reason: NoteText = Field(min_length=1, max_length=500)


class PurchasePublic(SQLModel):
    id: int
    customer_id: int
    amount_vnd: int
    points: int
    items: str
    staff_id: int | None
    occurred_at: datetime
    voided_at: datetime | None
    void_reason: str


class PurchaseListed(PurchasePublic):
    staff_name: str | None = Field(description="who served it")


class LoyaltyStatus(SQLModel):
    """Where a customer stands: what a till shows and what a purchase changes."""

    customer_id: int
    points: int = Field(description="points balance")
    spend_12m_vnd: int = Field(description="spend over the last 12 months, voids left out")
    total_spend_vnd: int
    tier: str
    next_tier: str | None
    to_next_tier_vnd: int | None = Field(description="spend still needed for the next tier")


class CouponStatus(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


class CouponCreate(SQLModel):
    benefit: PlainText = Field(min_length=1, max_length=200,
                               description='what it gives, e.g. "Giảm 10% hóa đơn"')
    valid_days: int = Field(default=30, ge=1, le=366)


class CouponCode(SQLModel):
    code: PlainText = Field(min_length=1, max_length=512, description="the scanned coupon QR")
    customer_id: int | None = Field(default=None, ge=1,
                                    description="the customer at the till, if known")


class CouponRedeem(CouponCode):
    request_id: RequestId = Field(description="client-made id: a retry is answered the same")


class CouponPublic(SQLModel):
    id: int
    code: str
    customer_id: int | None
    benefit: str
    issued_at: datetime
    issued_by: int | None
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None
    status: CouponStatus


class ReceiptFeedback(FeedbackLink):
    qr_png: str = Field(description="the link's QR as an image, for the receipt screen")


class PurchaseResult(SQLModel):
    purchase: PurchasePublic
    status: LoyaltyStatus
    tier_before: str
    new_tier: bool = Field(description="this purchase moved the customer to a higher tier")
    replayed: bool = Field(description="the same request_id was recorded before: nothing new")
    coupon: CouponPublic | None = Field(description="the coupon used with this sale")
    feedback: ReceiptFeedback = Field(description="the customer's link to rate this visit")


class RewardCreate(SQLModel):
    name: PlainText = Field(min_length=1, max_length=200)
    points_cost: int = Field(ge=1, le=10**12)
    active: bool = True


class RewardUpdate(SQLModel):
    name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    points_cost: int | None = Field(default=None, ge=1, le=10**12)
    active: bool | None = None


class RewardPublic(SQLModel):
    id: int
    name: str
    points_cost: int
    active: bool


class RedemptionCreate(SQLModel):
    reward_id: int = Field(ge=1)
    request_id: RequestId = Field(description="client-made id: a retry is recorded once")


class RedemptionPublic(SQLModel):
    id: int
    customer_id: int
    reward_id: int
    reward_name: str
    points: int
    staff_id: int | None
    occurred_at: datetime
    voided_at: datetime | None
    void_reason: str


class RedemptionResult(SQLModel):
    redemption: RedemptionPublic
    status: LoyaltyStatus
    replayed: bool


class HistoryEntry(SQLModel):
    """One past visit as the till shows it: what it was and who served it."""

    id: int
    kind: VisitKind
    occurred_at: datetime
    staff_id: int | None
    staff_name: str | None
    event_id: int | None
    event_name: str | None
    gate: str
    purchase_id: int | None
    amount_vnd: int | None
    items: str | None
    voided: bool


class CheckoutPanel(SQLModel):
    """Everything the person at the till needs about the customer in front of them."""

    customer: CustomerPublic
    card_code: str | None = Field(description="their active card's code, if they have one")
    visit_number: int = Field(description="this visit's number: visits so far + 1")
    loyalty: LoyaltyStatus
    recent_visits: list[HistoryEntry] = Field(description="newest first, up to 20")
    coupons: list[CouponPublic] = Field(description="coupons they hold that can be used")
    complaints: list[ComplaintPublic] = Field(description="their open complaints")
    rewards: list[RewardPublic] = Field(description="the rewards on offer")


class CardCode(SQLModel):
    code: PlainText = Field(min_length=1, max_length=512,
                            description="what the scanner read: a card's (or invitation's) QR")


class CounterSignup(SQLModel):
    full_name: PersonName = Field(min_length=1, max_length=200)
    phone: PlainText = Field(min_length=1, max_length=32, description="any Vietnamese form")
    email: OptionalEmail = Field(default=None, max_length=254)
    consent_email: bool = Field(default=False, description="agreed to marketing by e-mail")
    consent_sms: bool = Field(default=False, description="agreed to marketing by SMS/Zalo")
    preferred_channel: Channel | None = None
    language: Language = Field(default=Language.VI,
                               description="the language of the messages they get (vi or en)")


class CardMail(StrEnum):
    """What became of a new member's card e-mail, as the till tells the cashier."""

    NO_ADDRESS = "no_address"  # no e-mail address given: nothing queued
    QUEUED = "queued"  # in the outbox; a mail server is set up: it goes out shortly
    WAITING = "waiting"  # in the outbox, but no mail server is set up: not sent until one is


class CounterSignupResult(SQLModel):
    panel: CheckoutPanel
    card_code: str
    card_url: str = Field(description="the customer's own card page (save it, add to home screen)")
    mail_queued: bool = Field(description="the card was queued to be e-mailed to them")
    card_mail: CardMail = Field(
        description="no_address: nothing to send; queued: in the outbox, sent by the mail "
                    "server shortly; waiting: in the outbox, but no mail server is set up, "
                    "so it is not sent until one is")
