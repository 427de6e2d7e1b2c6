"""Check-ins (accepted entries) and the scan log (every scan, accepted or not)."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import Id, PlainText, UtcDateTime, enum_column, utcnow


class ScanStatus(StrEnum):
    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    INVALID = "invalid"
    REVOKED = "revoked"
    WRONG_EVENT = "wrong_event"
    NOT_INVITED = "not_invited"
    NOT_OPEN = "not_open"


class Checkin(SQLModel, table=True):
    """One entry of a guest. Entry 1 is the check-in; re-entries, where allowed, count up.

    The unique (invitation, entry number) pair is what makes two gates scanning
    one invitation at the same moment admit it once, on every database.
    """

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("invitation_id", "entry_number", name="uq_checkin_entry"),
        Index("ix_checkins_event_time", "event_id", "checked_in_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id")
    invitation_id: int = Field(foreign_key="invitations.id")
    customer_id: int = Field(foreign_key="customers.id")
    entry_number: int = 1
    gate: str = Field(default="", max_length=64)
    device_id: int | None = Field(default=None, foreign_key="devices.id")
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    checked_in_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class Scan(SQLModel, table=True):
    """The scan log: time, gate, caller and outcome of every scan, for the monitor and audit."""

    __tablename__ = "scans"
    __table_args__ = (
        UniqueConstraint("caller", "client_scan_id", name="uq_scan_client_id"),
        UniqueConstraint("event_id", "seq", name="uq_scan_event_seq"),
        Index("ix_scans_event_time", "event_id", "scanned_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id")
    # The event's update number: 1, 2, 3... in commit order (see EventFeed).
    seq: int
    scanned_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    status: ScanStatus = Field(sa_type=enum_column(ScanStatus))
    caller: str = Field(max_length=40)
    client_scan_id: str | None = Field(default=None, max_length=64)
    gate: str = Field(default="", max_length=64)
    device_id: int | None = Field(default=None, foreign_key="devices.id")
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    customer_id: int | None = Field(default=None, foreign_key="customers.id")
    invitation_id: int | None = Field(default=None, foreign_key="invitations.id")
    checkin_id: int | None = Field(default=None, foreign_key="checkins.id")
    # What was scanned, kept only when it identified nobody (a valid code is a credential).
    unknown_code: str | None = Field(default=None, max_length=100)
    result: str = Field(sa_type=Text, description="the answer given, replayed for a retried scan")


class EventFeed(SQLModel, table=True):
    """The last update number of an event's live feed.

    Each scan takes the next number with an upsert on this row, in its own
    transaction: the row lock (PostgreSQL) or the single writer (SQLite) makes the
    numbers follow commit order, so a monitor that has seen update N and asks for
    what came after N misses nothing, whatever server process answered."""

    __tablename__ = "event_feeds"
    event_id: int = Field(foreign_key="events.id", primary_key=True)
    last_seq: int = 0


SCAN_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class ScanRequest(SQLModel):
    code: str = Field(min_length=1, max_length=512, description="the scanned text, or a URL")
    event_id: Id
    gate: PlainText | None = Field(default=None, max_length=64)
    scan_id: Annotated[str, StringConstraints(pattern=SCAN_ID_PATTERN)] | None = Field(
        default=None,
        description="client-made id (a UUID); a retry with the same id is answered, not repeated",
    )


class GuestInfo(SQLModel):
    id: int
    name: str
    visit_count: int = Field(description="the customer's visits in all, this one included")


class ScanResult(SQLModel):
    status: ScanStatus
    message: str
    event_id: int
    scan_id: str | None = None
    customer: GuestInfo | None = None
    checked_in_at: datetime | None = Field(
        default=None, description="when the guest was checked in (now, for `ok`)"
    )
    first_checked_in_at: datetime | None = Field(
        default=None, description="for already_checked_in: the first check-in"
    )
    gate: str | None = Field(
        default=None, description="the gate of this entry, or of the first for already_checked_in"
    )
    entry_number: int | None = Field(default=None, description="1 for the first entry")


class ScanLogEntry(SQLModel):
    id: int
    event_id: int
    scanned_at: datetime
    status: ScanStatus
    gate: str
    device_id: int | None
    staff_id: int | None
    customer_id: int | None
    invitation_id: int | None
    unknown_code: str | None


class MinuteCount(SQLModel):
    minute: datetime
    arrivals: int


class EventStats(SQLModel):
    event_id: int
    invited: int
    checked_in: int
    not_arrived: int
    entries: int = Field(description="accepted entries, re-entries included")
    arrivals_per_minute: float = Field(description="mean over the last 15 minutes")
    arrivals_by_minute: list[MinuteCount] = Field(description="the last 15 minutes, oldest first")


class DeviceCreate(SQLModel):
    name: PlainText = Field(min_length=1, max_length=100)
    gate: PlainText = Field(default="", max_length=64)
