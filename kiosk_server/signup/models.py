"""Sign-up by poster: the form's request, its answers, and the record that makes a retried
submission act once."""

from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from kiosk_server.core.text import normalize_phone
from kiosk_server.core.types import ClientKey, PlainText, UtcDateTime, utcnow
from kiosk_server.customers.models import OptionalEmail, PersonName


class SignupRequest(SQLModel, table=True):
    """One submission of the form, by the key the phone made for it: a retry with the same
    key is answered with what the first got (`answer`), and acts once."""

    __tablename__ = "signup_requests"
    id: int | None = Field(default=None, primary_key=True)
    client_key: str = Field(max_length=64, unique=True)
    # SHA-256 of what was sent: the same key with another body is refused, not replayed
    # (the stored answer may hold a card's link, for the one who sent it only).
    fingerprint: str = Field(max_length=64)
    status_code: int = 0
    answer: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)


class SignupForm(SQLModel):
    """What the poster's form sends."""

    token: str = Field(min_length=1, max_length=512, description="the poster's signed token "
                       "(or the form's link)")
    full_name: PersonName = Field(min_length=1, max_length=200)
    phone: PlainText = Field(min_length=1, max_length=32, description="any Vietnamese form")
    email: OptionalEmail = Field(default=None, max_length=254)
    consent_email: bool = Field(default=False, description="agrees to news by e-mail")

    @field_validator("phone")
    @classmethod
    def _a_phone_number(cls, value: str) -> str:
        # Checked with the other fields, so that the form says every problem at once.
        if normalize_phone(value) is None:
            raise PydanticCustomError("invalid_phone", "not a Vietnamese phone number")
        return value
    consent_sms: bool = Field(default=False, description="agrees to news by SMS/Zalo")
    client_key: ClientKey = Field(description="made by the page once per form (a UUID): a "
                                  "retry with the same key is answered, not repeated")


class WalkInStatus(StrEnum):
    CHECKED_IN = "checked_in"  # the doors are open: in, now
    INVITED = "invited"  # before the doors open: invited, told when they do
    CLOSED = "closed"  # the event's check-in is over: a member, not a guest
    FULL = "full"  # the event has no room left


class WalkIn(SQLModel):
    status: WalkInStatus
    event_id: int
    event_name: str
    opens_at: datetime = Field(description="when the event's check-in opens")
    checked_in_at: datetime | None = None


class SignupCreated(SQLModel):
    """A new member: their card at once (and, at an event's poster, their entry)."""

    status: str = Field(default="created", description='"created"')
    card_url: str = Field(description="their own card page (/c/...): open it, add it to the "
                          "home screen")
    card_mail: bool = Field(description="their card was also queued to their e-mail address")
    walk_in: WalkIn | None = Field(default=None, description="at an event's poster")
