"""Purchases and the points they earn. Money is VND, whole dong, as integers."""

from datetime import datetime
from typing import Annotated

from pydantic import StrictInt, StringConstraints
from sqlalchemy import BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import NoteText, UtcDateTime, utcnow

MAX_AMOUNT_VND = 10_000_000_000  # ten billion dong: beyond any one sale of a small shop


class Purchase(SQLModel, table=True):
    """A sale to a known customer; a void keeps the row and reverses its points."""

    __tablename__ = "purchases"
    __table_args__ = (
        UniqueConstraint("staff_id", "request_id", name="uq_purchase_request"),
        Index("ix_purchases_customer_time", "customer_id", "occurred_at"),
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


RequestId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class PurchaseCreate(SQLModel):
    amount_vnd: StrictInt = Field(ge=1, le=MAX_AMOUNT_VND,
                                  description="whole dong, a JSON integer (not a string)")
    items: NoteText = Field(default="", max_length=4000, description="what was bought, notes")
    request_id: RequestId = Field(
        description="client-made id (a UUID): the same purchase sent again is recorded once"
    )


class PurchaseVoid(SQLModel):
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


class LoyaltyStatus(SQLModel):
    """Where a customer stands: what a till shows and what a purchase changes."""

    customer_id: int
    points: int = Field(description="points balance")
    spend_12m_vnd: int = Field(description="spend over the last 12 months, voids left out")
    total_spend_vnd: int
    tier: str
    next_tier: str | None
    to_next_tier_vnd: int | None = Field(description="spend still needed for the next tier")


class PurchaseResult(SQLModel):
    purchase: PurchasePublic
    status: LoyaltyStatus
    tier_before: str
    new_tier: bool = Field(description="this purchase moved the customer to a higher tier")
    replayed: bool = Field(description="the same request_id was recorded before: nothing new")
