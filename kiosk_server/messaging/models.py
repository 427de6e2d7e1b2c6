"""The outbox: messages written in the transaction of their cause, delivered by a worker."""

from datetime import datetime
from enum import Enum

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, Text
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import UtcDateTime, enum_column, utcnow


class Channel(Enum):
    """How a message reaches a person. Each has its sender class in `messaging/channels/`."""

    EMAIL = "email"
    SMS = "sms"  # a phone message (SMS, Zalo): handed to the shop's gateway by a signed webhook


class Purpose(Enum):
    """Why a message is sent, which decides whether it needs the person's consent."""

    SERVICE = "service"  # asked for or needed (a card they signed up for, a sign-in link)
    MARKETING = "marketing"  # news and offers: only to a channel the person agreed to


class MessageStatus(Enum):
    PENDING = "pending"  # waiting for its next attempt (`next_attempt_at`)
    HELD = "held"  # not to be claimed until released (its campaign is paused)
    SENDING = "sending"  # claimed by a sender; stuck here means the outcome is unknown
    SENT = "sent"
    FAILED = "failed"  # every attempt failed; never tried again
    CANCELLED = "cancelled"  # withdrawn before it went (its recipient's data was erased)


class OutboxMessage(SQLModel, table=True):
    """One message to one recipient, and where its delivery stands."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: Channel = Field(default=Channel.EMAIL, sa_type=enum_column(Channel))
    purpose: Purpose = Field(default=Purpose.SERVICE, sa_type=enum_column(Purpose))
    to_address: str = Field(max_length=320, description="an e-mail address, or a phone number "
                                                        "in E.164 form for `sms`")
    subject: str = Field(max_length=500)
    body_text: str = Field(sa_type=Text)
    body_html: str = Field(default="", sa_type=Text)
    unsubscribe_url: str = Field(
        default="", max_length=500, sa_column_kwargs={"server_default": ""},
        description="marketing: the one-click unsubscribe address (RFC 8058 headers)")
    status: MessageStatus = Field(default=MessageStatus.PENDING,
                                  sa_type=enum_column(MessageStatus))
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class OutboxImage(SQLModel, table=True):
    """An image shown inline in a message's HTML as `<img src="cid:{cid}">`."""

    __tablename__ = "outbox_images"
    message_id: int = Field(sa_column=Column(
        Integer, ForeignKey("outbox_messages.id", ondelete="CASCADE"), primary_key=True))
    cid: str = Field(primary_key=True, max_length=64)
    content_type: str = Field(default="image/png", max_length=64)
    content: bytes = Field(sa_type=LargeBinary)


class DeliveryState(Enum):
    """What an admin sees: the status, with a long `sending` shown as `unknown`."""

    PENDING = "pending"
    HELD = "held"  # its campaign is paused
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"  # claimed long ago and never marked: the sender died mid-send
    CANCELLED = "cancelled"  # withdrawn before it went (its recipient's data was erased)


class OutboxMessagePublic(SQLModel):
    id: int
    channel: Channel
    purpose: Purpose
    to_address: str
    subject: str
    state: DeliveryState
    attempts: int = Field(description="delivery attempts that have ended (sent or failed)")
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    claimed_at: datetime | None = Field(description="when a sender last took it")
    sent_at: datetime | None


class OutboxPage(SQLModel):
    items: list[OutboxMessagePublic]
    next_cursor: int | None = Field(
        default=None, description="pass as `before` to get the next page; null on the last page"
    )
