"""Check-ins (accepted entries) and the scan log (every scan, accepted or not)."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import Id, PlainText, UtcDateTime, enum_column, utcnow
from kiosk_server.messaging.models import DeliveryState


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
        UniqueConstraint("event_id", "undo_seq", name="uq_scan_event_undo_seq"),
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
    # A staff member checked the guest in by hand (no code).
    manual: bool = False
    # As the kiosk reported them: how long it had been ready, waiting, before this scan,
    # and (with its next scan) how long this one took from decoded code to answer on screen.
    idle_ms: int | None = None
    result_ms: int | None = None
    result: str = Field(sa_type=Text, description="the answer given, replayed for a retried scan")
    # A check-in made by mistake and undone by staff: its entry (and the visit it made) are
    # gone, this record of the scan stays, with who undid it, when, and the update number
    # that told the event's feed.
    undone_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    undone_by: int | None = Field(default=None, foreign_key="staff_users.id")
    undo_seq: int | None = None
    # A scan a kiosk judged by itself while the network was down, uploaded later:
    # `scanned_at` is then the scan's own time, `received_at` when it reached the server,
    # and `offline_status` what the kiosk showed. `conflict`: the kiosk let the guest in
    # but the server had already checked them in (at another gate): a duplicate admission.
    offline_status: ScanStatus | None = Field(default=None, sa_type=enum_column(ScanStatus),
                                              nullable=True)
    received_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    conflict: bool = False


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
ScanId = Annotated[str, StringConstraints(pattern=SCAN_ID_PATTERN)]
MAX_REPORTED_MS = 3_600_000


class ScanTiming(SQLModel):
    scan_id: ScanId
    result_ms: int = Field(ge=0, le=MAX_REPORTED_MS,
                           description="from the code decoded to the answer on screen")


class ScanRequest(SQLModel):
    code: str | None = Field(default=None, min_length=1, max_length=512,
                             description="the scanned text, or a URL")
    customer_id: Id | None = Field(
        default=None, description="instead of a code: staff check this customer in by hand"
    )
    event_id: Id
    gate: PlainText | None = Field(default=None, max_length=64)
    scan_id: ScanId | None = Field(
        default=None,
        description="client-made id (a UUID); a retry with the same id is answered, not repeated",
    )
    idle_ms: int | None = Field(
        default=None, ge=0, le=MAX_REPORTED_MS,
        description="a kiosk's report: how long it had been ready before this code came",
    )
    previous: ScanTiming | None = Field(
        default=None, description="a kiosk's report on its previous scan (by its scan_id)"
    )

    @model_validator(mode="after")
    def _code_or_customer(self) -> "ScanRequest":
        if (self.code is None) == (self.customer_id is None):
            raise PydanticCustomError("code_or_customer",
                                      "give either a scanned code or a customer_id")
        return self


class GuestInfo(SQLModel):
    id: int
    name: str
    visit_count: int = Field(description="the customer's visits in all, this one included")
    vip: bool = Field(default=False, description="the customer is tagged vip")


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
    invitation_id: int | None = Field(
        default=None, description="the guest's invitation (for `ok`: e.g. to print their badge)"
    )
    walk_in: bool = Field(default=False, description="a walk-in: invited at the gate or on "
                          "the event's poster, not on the guest list sent beforehand")


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
    manual: bool
    idle_ms: int | None
    result_ms: int | None
    undone_at: datetime | None = Field(description="when staff undid the check-in it made")
    undone_by: int | None = Field(description="the staff member who undid it")
    offline_status: ScanStatus | None = Field(
        default=None, description="judged by a kiosk offline: what it showed (null: online)")
    received_at: datetime | None = Field(
        default=None, description="for an offline scan: when it reached the server")
    conflict: bool = Field(default=False, description="the kiosk let in (offline) a guest "
                           "the server had already checked in: a duplicate admission")


class CheckinUndone(SQLModel):
    """A check-in undone: the entry that went, and where the undo is recorded."""

    event_id: int
    customer_id: int
    scan_id: int = Field(description="the scan log's row of the scan that made the entry")
    seq: int = Field(description="the undo's number in the event's live feed")
    entry_number: int = Field(description="1: the check-in itself; more: a re-entry")
    checked_in_at: datetime = Field(description="when the undone entry was made")
    gate: str
    undone_at: datetime
    still_arrived: bool = Field(description="the guest still counts as arrived (a re-entry "
                                            "was undone, not their check-in)")


class MinuteCount(SQLModel):
    minute: datetime
    arrivals: int


class GateStats(SQLModel):
    gate: str
    checked_in: int = Field(description="guests checked in at this gate")
    scans: int = Field(description="scans at this gate, whatever their outcome")
    per_minute: float = Field(description="check-ins per minute over the last 5 minutes")
    median_result_ms: int | None = Field(
        description="scan-to-answer time its kiosks report: median of their last 50 reports"
    )
    median_idle_ms: int | None = Field(
        description="how long its kiosks waited, ready, before each of their last 10 scans"
    )
    queue: bool = Field(description="guests are waiting: over the last minute codes came as soon "
                        "as a kiosk was ready, and the gate scanned in the last 20 seconds")


class ForecastGap(StrEnum):
    """Why there is no forecast of when everyone is in."""

    NO_ARRIVALS = "no_arrivals"  # nobody checked in over the last 5 minutes
    FEW_ARRIVALS = "few_arrivals"  # too few check-ins over the last 5 minutes to tell a pace
    TOO_EARLY = "too_early"  # the first check-in was only minutes ago


class EntryPlan(SQLModel):
    remaining: int = Field(description="invited guests not arrived")
    per_minute: float = Field(description="check-ins per minute, all gates, last 5 minutes")
    minutes_to_clear: float | None = Field(
        description="remaining / per_minute, once there is enough data (else null: see "
                    "forecast_gap); 0 when everyone is in"
    )
    forecast_gap: ForecastGap | None = Field(
        default=None, description="why minutes_to_clear is null: no_arrivals (none in the "
        "last 5 minutes), few_arrivals (under 10 in the last 5 minutes), too_early (the "
        "first check-in was under 3 minutes ago)")
    queue_building: bool = Field(description="guests are queuing at one gate or more")
    starts_at: datetime
    late_by_minutes: float | None = Field(
        description="at this pace, how long after the start the last guest gets in (else null)"
    )


class EventStats(SQLModel):
    event_id: int
    invited: int
    checked_in: int
    not_arrived: int
    entries: int = Field(description="accepted entries, re-entries included")
    arrivals_per_minute: float = Field(description="mean over the last 15 minutes")
    arrivals_by_minute: list[MinuteCount] = Field(description="the last 15 minutes, oldest first")
    gates: list[GateStats] = Field(description="each gate seen at the event, by name")
    last_seq: int = Field(description="the number of the event's latest live-feed update")
    planning: EntryPlan


class GuestLine(SQLModel):
    """An invited guest, as the gate's staff look them up."""

    customer_id: int
    name: str
    phone: str | None
    vip: bool
    tags: list[str]
    invitation_id: int
    checked_in_at: datetime | None
    gate: str | None
    invitation_sent_at: datetime | None = Field(
        default=None, description="when their invitation was last queued to them (null: never)")
    invitation_delivery: DeliveryState | None = Field(
        default=None, description="how far that message got")
    walk_in: bool = Field(default=False, description="invited at the gate or on the event's "
                          "poster (a walk-in)")


class GuestPage(SQLModel):
    items: list[GuestLine]
    next_cursor: int | None = Field(
        default=None, description="pass as `after` to get the next page; null on the last page"
    )


class DeviceCreate(SQLModel):
    name: PlainText = Field(min_length=1, max_length=100)
    gate: PlainText = Field(default="", max_length=64)
