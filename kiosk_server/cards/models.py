"""Membership cards: each customer holds at most one active card."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Field, SQLModel

from kiosk_server.core.types import UtcDateTime, utcnow


class Card(SQLModel, table=True):
    __tablename__ = "cards"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    serial: str = Field(max_length=16, unique=True)
    # Equal to customer_id while the card is active, NULL once revoked: the unique
    # constraint then allows one active card per customer on every database.
    active_customer_id: int | None = Field(default=None, unique=True)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


@dataclass(frozen=True, slots=True)
class CardHolder:
    """A card as the gate sees it: whose it is, and whether it still counts."""

    customer_id: int
    active: bool


class CardPublic(SQLModel):
    id: int
    customer_id: int
    code: str = Field(description="the text inside the card's QR code")
    issued_at: datetime
    revoked_at: datetime | None
