"""One entry per change a staff member makes."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import UtcDateTime, utcnow


class AuditKind(StrEnum):
    """The families of actions: the part of an action's code before its dot."""

    CAMPAIGN = "campaign"
    CARD = "card"
    CHECKIN = "checkin"
    COMPLAINT = "complaint"
    COUPON = "coupon"
    CUSTOMER = "customer"
    DEVICE = "device"
    EVENT = "event"
    EXPORT = "export"
    INVITATION = "invitation"
    PAIRING = "pairing"
    PURCHASE = "purchase"
    REDEMPTION = "redemption"
    RETENTION = "retention"
    REWARD = "reward"
    SETTINGS = "settings"
    STAFF = "staff"
    TOKEN = "token"


class AuditEntry(SQLModel, table=True):
    """A change made by a staff member. The username is kept as it was at the time."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_target", "target_type", "target_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id", index=True)
    staff_username: str = Field(default="", max_length=64)
    action: str = Field(max_length=64, description='what was done, e.g. "event.update"')
    target_type: str = Field(max_length=32)
    target_id: int | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON,
                                    description="the values given (never a password)")


class AuditEntryPublic(SQLModel):
    id: int
    at: datetime
    staff_id: int | None
    staff_username: str
    staff_name: str = Field(description="what colleagues call who did it (name, else username)")
    action: str
    target_type: str
    target_id: int | None
    target_label: str | None = Field(
        description="what people call the target (a customer's full name, an event's name…); "
                    "null when it is gone or has no name")
    details: dict[str, Any]


class AuditPage(SQLModel):
    items: list[AuditEntryPublic]
    next_cursor: int | None = Field(
        default=None, description="pass as `before` to get the next page; null on the last page"
    )
