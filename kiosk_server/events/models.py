"""Events (seminars, launches) and the invitations that let guests in."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import Id, Moment, PlainText, UtcDateTime, enum_column, utcnow
from kiosk_server.customers.models import ImportError_, ImportMatch, ImportRow
from kiosk_server.messaging.models import Channel, DeliveryState

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


# --------------------------------------------------------------------------- sending them

class SendTo(StrEnum):
    UNSENT = "unsent"  # the guests who have not been sent their invitation yet
    ALL = "all"  # every guest; those already sent only with `again`


_RUNNING = text("finished_at IS NULL")


class InvitationSendRun(SQLModel, table=True):
    """One request to send an event's invitations, worked through in batches.

    At most one runs per event at a time (the partial unique index); `round` is the
    number each guest's send of this run carries (1 for a guest's first)."""

    __tablename__ = "invitation_send_runs"
    __table_args__ = (
        UniqueConstraint("event_id", "request_key", name="uq_invitation_send_request"),
        Index("uq_invitation_send_running", "event_id", unique=True,
              sqlite_where=_RUNNING, postgresql_where=_RUNNING),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id")
    request_key: str = Field(max_length=64)
    send_to: SendTo = Field(sa_type=enum_column(SendTo))
    again: bool = False
    round: int = 1
    staff_id: int | None = None
    queued: int = 0
    unreachable: int = 0
    next_invitation_id: int = 0  # how far the batches got (invitation ids are its order)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class InvitationSend(SQLModel, table=True):
    """A guest's invitation queued as a message, once per round."""

    __tablename__ = "invitation_sends"
    __table_args__ = (UniqueConstraint("invitation_id", "round", name="uq_invitation_send_round"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True)
    invitation_id: int = Field(foreign_key="invitations.id")
    round: int
    run_id: int = Field(foreign_key="invitation_send_runs.id")
    message_id: int | None = None  # the outbox message (no foreign key: the outbox may be pruned)
    channel: Channel | None = Field(default=None, sa_type=enum_column(Channel))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


SendKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class InvitationSendCreate(SQLModel):
    to: SendTo = Field(default=SendTo.UNSENT, description="unsent: only the guests not sent "
                       "their invitation yet (or whose message failed); all: every guest "
                       "(see `again`)")
    again: bool = Field(default=False, description="with `to: all`: also send again to the "
                        "guests who were sent it already")
    key: SendKey | None = Field(default=None, description="the client's key for this request: "
                                "sent again, it is answered with the first send, which acts "
                                "once")


class InvitationSendPublic(SQLModel):
    id: int
    event_id: int
    to: SendTo
    again: bool
    queued: int = Field(description="messages this send has queued so far")
    unreachable: int = Field(description="guests it could not reach (no e-mail or phone)")
    created_at: datetime
    finished_at: datetime | None


class UnreachableGuest(SQLModel):
    invitation_id: int
    customer_id: int
    name: str


class SendProgress(SQLModel):
    """Where the event's invitations stand, each guest counted once, by their latest send."""

    event_id: int
    guests: int = Field(description="active invitations")
    queued: int = Field(description="waiting in the outbox or being sent")
    sent: int
    failed: int = Field(description="it failed; a send to those `unsent` tries them again")
    unknown: int = Field(description="a sender took it and never reported back")
    unreachable: int = Field(description="not sent yet, and no e-mail address or phone")
    not_sent: int = Field(description="not sent yet, and reachable")
    unreachable_guests: list[UnreachableGuest] = Field(description="the first 50 of them")
    latest: InvitationSendPublic | None = Field(description="the latest send request")


@dataclass(frozen=True, slots=True)
class SentState:
    """How far a guest's latest invitation message got."""

    queued_at: datetime
    delivery: DeliveryState
