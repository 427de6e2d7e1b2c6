"""Customers and their visit history: one history for every kind of visit."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, NamedTuple

from annotated_types import MaxLen
from pydantic import (
    AfterValidator,
    BeforeValidator,
    EmailStr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from kiosk_server.core.text import clean_name
from kiosk_server.core.types import (
    Language,
    NoteText,
    PlainText,
    UtcDateTime,
    enum_column,
    utcnow,
)
from kiosk_server.messaging.models import Channel, Purpose


class VisitKind(StrEnum):
    EVENT = "event"
    PURCHASE = "purchase"


VIP_TAG = "vip"
MAX_TAGS = 20
MAX_TAG_LENGTH = 32


@dataclass(frozen=True, slots=True)
class Guest:
    """A customer in short, as a gate or a till greets them."""

    id: int
    name: str
    visit_count: int
    tags: list[str]
    erased_at: datetime | None = None

    @property
    def vip(self) -> bool:
        return is_vip(self.tags)


def is_vip(tags: list[str]) -> bool:
    """Whether a customer with these tags is announced as a VIP when they arrive."""
    return VIP_TAG in tags


def normalize_tag(value: str) -> str:
    """A tag as stored and searched: single spaces, trimmed, lower case."""
    return clean_name(value).lower()


def _tag(value: str) -> str:
    tag = normalize_tag(value)
    if not tag or len(tag) > MAX_TAG_LENGTH:
        raise PydanticCustomError("tag_length", "a tag has 1 to {max_length} characters",
                                  {"max_length": MAX_TAG_LENGTH})
    return tag


def _tag_list(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))  # each tag once, in the order given


Tag = Annotated[PlainText, AfterValidator(_tag)]
Tags = Annotated[list[Tag], MaxLen(MAX_TAGS), AfterValidator(_tag_list)]


def _person_name(value: str) -> str:
    cleaned = clean_name(value)
    if not cleaned:
        raise PydanticCustomError("name_empty", "the name is empty")
    return cleaned


def _blank_email(value: object) -> object:
    if isinstance(value, str):
        return value.strip().lower() or None
    return value


def _email(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError("email_invalid", "not an e-mail address") from None


PersonName = Annotated[PlainText, AfterValidator(_person_name)]
OptionalEmail = Annotated[EmailStr | None, BeforeValidator(_blank_email), WrapValidator(_email)]


class CustomerBase(SQLModel):
    full_name: PersonName = Field(min_length=1, max_length=200)
    email: OptionalEmail = Field(default=None, max_length=254)
    notes: NoteText = Field(default="", max_length=4000, sa_type=Text)
    consent_email: bool = Field(default=False, description="agreed to marketing by e-mail "
                                                           "(service messages need no consent)")
    consent_sms: bool = Field(default=False, description="agreed to marketing by SMS/Zalo")
    preferred_channel: Channel | None = Field(
        default=None, sa_type=enum_column(Channel),
        description="how they like to be reached; null: they have not said")
    tags: Tags = Field(
        default_factory=list, sa_type=JSON,
        description='labels for the staff, lower-cased ("vip": the monitor announces them)',
    )
    language: Language = Field(
        default=Language.VI, sa_type=enum_column(Language),
        sa_column_kwargs={"server_default": Language.VI.value},
        description="the language of the messages they get (vi or en)")


class Customer(CustomerBase, table=True):
    __tablename__ = "customers"
    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=254, index=True)
    phone: str | None = Field(default=None, max_length=20, unique=True)
    name_folded: str = Field(max_length=200, index=True)
    visit_count: int = 0
    last_visit_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    erased_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class CustomerCreate(CustomerBase):
    phone: PlainText | None = Field(default=None, max_length=32, description="any Vietnamese form")


class CustomerUpdate(SQLModel):
    full_name: PersonName | None = Field(default=None, min_length=1, max_length=200)
    phone: PlainText | None = Field(default=None, max_length=32)
    email: OptionalEmail = Field(default=None, max_length=254)
    notes: NoteText | None = Field(default=None, max_length=4000)
    consent_email: bool | None = None
    consent_sms: bool | None = None
    preferred_channel: Channel | None = None
    tags: Tags | None = None
    language: Language | None = None


class ConsentSource(StrEnum):
    """Where a change of consent was made."""

    TILL = "till"  # a cashier, at sign-up
    PORTAL = "portal"  # the customer, on their own page
    POSTER = "poster"  # the customer, signing up from a poster's QR
    IMPORT = "import"  # a CSV file an employee imported
    STAFF = "staff"  # an employee, on the customer's page
    UNSUBSCRIBE = "unsubscribe"  # the customer, by the unsubscribe link of a message
    MIGRATION = "migration"  # carried over from the single yes/no of earlier versions


class ConsentChange(SQLModel, table=True):
    """One change of a customer's consent: what, when, where and by whom; never edited."""

    __tablename__ = "consent_changes"
    __table_args__ = (Index("ix_consent_changes_customer", "customer_id", "occurred_at"),)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id")
    channel: Channel = Field(sa_type=enum_column(Channel))
    purpose: Purpose = Field(sa_type=enum_column(Purpose))
    granted: bool = Field(description="true: agreed; false: withdrawn")
    source: ConsentSource = Field(sa_type=enum_column(ConsentSource))
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class ConsentChangePublic(SQLModel):
    id: int
    channel: Channel
    purpose: Purpose
    granted: bool
    source: ConsentSource
    staff_id: int | None
    staff_name: str | None = Field(description="who made it, when an employee did")
    occurred_at: datetime


class NoteCreate(SQLModel):
    text: NoteText = Field(min_length=1, max_length=1000)


class CustomerPublic(CustomerBase):
    id: int
    full_name: str = Field(description="empty once their personal data was erased")
    phone: str | None
    visit_count: int
    last_visit_at: datetime | None
    created_at: datetime
    erased_at: datetime | None = Field(
        default=None, description="when their personal data was erased at their request: "
                                  "the record stays, with nothing that says who they were")


class CustomerPage(SQLModel):
    items: list[CustomerPublic]
    next_cursor: int | None = Field(
        default=None, description="pass as `after` to get the next page; null on the last page"
    )


class Visit(SQLModel, table=True):
    """A visit of any kind: an event check-in now, a purchase later; who served it."""

    __tablename__ = "visits"
    # By time alone: the feedback follow-up reads the visits of the last minutes.
    __table_args__ = (Index("ix_visits_customer_time", "customer_id", "occurred_at"),
                      Index("ix_visits_time", "occurred_at"))
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id")
    kind: VisitKind = Field(sa_type=enum_column(VisitKind))
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    event_id: int | None = None
    source_id: int | None = Field(default=None, description="the record in its kind's domain")
    gate: str = Field(default="", max_length=64)
    device_id: int | None = Field(default=None, foreign_key="devices.id")
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id")


# Told the customer's id once a visit of theirs is committed: how a higher domain (retention)
# hears of visits, registered at start-up (main.py). It must return at once: it runs on
# the check-in's path, after its commit.
VisitListener = Callable[[int], None]


class VisitRow(NamedTuple):
    """A visit as lists of a customer's visits read it (a plain row, no ORM object)."""

    id: int
    customer_id: int
    kind: VisitKind
    occurred_at: datetime
    event_id: int | None
    source_id: int | None
    gate: str
    device_id: int | None
    staff_id: int | None


class VisitPublic(SQLModel):
    id: int
    customer_id: int
    kind: VisitKind
    occurred_at: datetime
    event_id: int | None
    gate: str
    device_id: int | None
    staff_id: int | None


class VisitUpdate(SQLModel):
    """A new visit, as a page showing the customer's history receives it live."""

    type: str = "visit"
    visit: VisitPublic
    visit_count: int = Field(description="the customer's visits in all, this one included")


class ImportError_(SQLModel):
    row: int = Field(description="line number in the file, the header being line 1")
    field: str | None
    code: str
    message: str


class ImportRowStatus(StrEnum):
    NEW = "new"
    EXISTING = "existing"
    BAD = "bad"


class ImportRow(SQLModel):
    """A row of the file as the preview shows it: what it says, and what importing does."""

    row: int = Field(description="line number in the file, the header being line 1")
    full_name: str
    phone: str
    email: str
    status: ImportRowStatus = Field(description="new: a customer is created; existing: the "
                                    "customer with this phone (or e-mail) is used; bad: skipped")
    customer_id: int | None = Field(description="the existing customer it matches")
    problems: list[ImportError_]


class ImportMatch(SQLModel):
    """A row matched to a customer who already existed (not created)."""

    row: int
    customer_id: int
    full_name: str = Field(description="the existing customer's name")
    matched_by: str = Field(description="phone or email")


class ImportReport(SQLModel):
    rows: int = Field(description="data rows in the file")
    good: int = Field(description="rows that can be imported")
    bad: int = Field(description="rows with a problem: never saved (skipped with "
                     "`skip_bad_rows`, else nothing is saved)")
    created: int
    existing: int
    errors: list[ImportError_]
    saved: bool
    customer_ids: list[int] = Field(description="the customers of the rows this request "
                                    "saved, in file order")
    preview: list[ImportRow] = Field(description="the first 50 rows")
    matched: list[ImportMatch] = Field(description="rows matched to existing customers, in "
                                       "file order (the first 1,000)")
    digest: str = Field(description="the file's SHA-256: pass it back as `preview` to import "
                        "exactly the file that was previewed")
    already_saved: int = Field(0, description="good rows an earlier attempt with the same "
                               "file saved (they are not saved twice)")


class CustomerImport(SQLModel, table=True):
    """How far the import of one file (by its digest) into one place has got.

    Advanced in the same transaction as each batch of rows it saves, so a retry of the same
    file carries on after the rows already saved instead of saving them again."""

    __tablename__ = "customer_imports"
    __table_args__ = (UniqueConstraint("scope", "digest", name="uq_customer_import_file"),)
    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=40, description='"customers", or "event:<id>"')
    digest: str = Field(max_length=64)
    next_line: int = Field(default=0, description="the rows before this line are saved")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
