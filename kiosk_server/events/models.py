"""Events (seminars, launches) and the invitations that let guests in."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import Id, Moment, PlainText, UtcDateTime, enum_column, utcnow
from kiosk_server.customers.models import ImportError_, ImportMatch, ImportRow

DEFAULT_EARLY_CHECKIN = timedelta(hours=2)
MAX_INVITATIONS_PER_CALL = 10_000


class EventTime(StrEnum):
    UPCOMING = "upcoming"
    RUNNING = "running"
    PAST = "past"


class InvitationStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class EventFields(SQLModel):
    name: PlainText = Field(min_length=1, max_length=200)
    venue: PlainText = Field(default="", max_length=300)
    capacity: int | None = Field(default=None, ge=1, le=1_000_000)
    allow_walk_in: bool = Field(
        default=False, description="members without an invitation may check in (and get one)"
    )
    allow_reentry: bool = Field(default=False, description="a guest may enter more than once")


class Event(EventFields, table=True):
    __tablename__ = "events"
    id: int | None = Field(default=None, primary_key=True)
    starts_at: datetime = Field(sa_type=UtcDateTime)
    ends_at: datetime = Field(sa_type=UtcDateTime)
    checkin_opens_at: datetime = Field(sa_type=UtcDateTime)
    checkin_closes_at: datetime = Field(sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


@dataclass(frozen=True, slots=True)
class GateRules:
    """What a gate needs to know about an event."""

    id: int
    checkin_opens_at: datetime
    checkin_closes_at: datetime
    capacity: int | None
    allow_walk_in: bool
    allow_reentry: bool

    def is_open(self, at: datetime) -> bool:
        return self.checkin_opens_at <= at <= self.checkin_closes_at


@dataclass(frozen=True, slots=True)
class GatePass:
    """An invitation as the gate sees it."""

    id: int
    event_id: int
    customer_id: int
    status: "InvitationStatus"
    walk_in: bool = False  # made at the gate or at the event's poster, not sent beforehand


class EventCreate(EventFields):
    starts_at: Moment
    ends_at: Moment
    checkin_opens_at: Moment | None = Field(
        default=None, description="default: two hours before the start"
    )
    checkin_closes_at: Moment | None = Field(default=None, description="default: the end")

    @model_validator(mode="after")
    def _times_in_order(self) -> "EventCreate":
        if self.ends_at <= self.starts_at:
            raise PydanticCustomError("ends_before_start", "ends_at must be after starts_at")
        self.checkin_opens_at = self.checkin_opens_at or self.starts_at - DEFAULT_EARLY_CHECKIN
        self.checkin_closes_at = self.checkin_closes_at or self.ends_at
        if self.checkin_closes_at <= self.checkin_opens_at:
            raise PydanticCustomError("checkin_closes_before_opens",
                                      "checkin_closes_at must be after checkin_opens_at")
        return self


class EventUpdate(SQLModel):
    name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    venue: PlainText | None = Field(default=None, max_length=300)
    capacity: int | None = Field(default=None, ge=1, le=1_000_000)
    allow_walk_in: bool | None = None
    allow_reentry: bool | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    checkin_opens_at: Moment | None = None
    checkin_closes_at: Moment | None = None


class EventPublic(EventFields):
    id: int
    starts_at: datetime
    ends_at: datetime
    checkin_opens_at: datetime
    checkin_closes_at: datetime
    created_at: datetime


class Invitation(SQLModel, table=True):
    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("event_id", "customer_id", name="uq_invitation_guest"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    serial: str = Field(max_length=16, unique=True)
    status: InvitationStatus = Field(
        default=InvitationStatus.ACTIVE, sa_type=enum_column(InvitationStatus)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # A walk-in: invited at the gate (a member's card at an event that admits walk-ins) or
    # by registering on the event's poster, not on the guest list sent beforehand.
    walk_in: bool = False


class InvitationsCreate(SQLModel):
    customer_ids: list[Id] = Field(min_length=1, max_length=MAX_INVITATIONS_PER_CALL)


class InvitationPublic(SQLModel):
    id: int
    event_id: int
    customer_id: int
    customer_name: str
    status: InvitationStatus
    code: str = Field(description="the text inside the invitation's QR code")
    created_at: datetime
    cancelled_at: datetime | None


class InvitationPage(SQLModel):
    items: list[InvitationPublic]
    next_cursor: int | None


class InvitationImportReport(SQLModel):
    """A CSV of guests previewed or imported: the customers' report (see `ImportReport`),
    and the invitations of the rows this request saved."""

    rows: int
    good: int
    bad: int
    created_customers: int
    existing_customers: int
    errors: list[ImportError_]
    saved: bool
    preview: list[ImportRow]
    matched: list[ImportMatch]
    digest: str
    already_saved: int
    invitations: list[InvitationPublic]
