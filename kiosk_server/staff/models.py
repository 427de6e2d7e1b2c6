"""Who may call the server: staff users, kiosk devices, and their credentials."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints, field_validator
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import (
    NO_CONTROL_CHARACTERS,
    PlainText,
    UtcDateTime,
    enum_column,
    utcnow,
)


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"


class TokenKind(StrEnum):
    SESSION = "session"
    API = "api"


USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"


class StaffBase(SQLModel):
    username: Annotated[str, StringConstraints(pattern=USERNAME_PATTERN)] = Field(
        max_length=64, unique=True, index=True
    )
    full_name: PlainText = Field(default="", max_length=200)
    role: Role = Field(default=Role.STAFF, sa_type=enum_column(Role))


class StaffUser(StaffBase, table=True):
    __tablename__ = "staff_users"
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


Password = Annotated[str, StringConstraints(min_length=8, max_length=200), NO_CONTROL_CHARACTERS]


class StaffCreate(StaffBase):
    password: Password

    @field_validator("username", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class StaffPublic(StaffBase):
    id: int
    active: bool
    created_at: datetime


class StaffName(SQLModel):
    """A staff member as colleagues see them: who served, who a complaint is about."""

    id: int
    name: str


class StaffUpdate(SQLModel):
    full_name: PlainText | None = Field(default=None, max_length=200)
    role: Role | None = None
    active: bool | None = Field(default=None, description="false: signed out, cannot sign in")


class PasswordChange(SQLModel):
    current_password: PlainText = Field(max_length=200)
    new_password: Password


class PasswordReset(SQLModel):
    password: Password


class DeviceRename(SQLModel):
    name: PlainText = Field(min_length=1, max_length=100)


class Device(SQLModel, table=True):
    """A kiosk at a gate. Scoped to one event, it may check in for that event only."""

    __tablename__ = "devices"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    event_id: int | None = Field(default=None, index=True)
    gate: str = Field(default="", max_length=64)
    created_by: int | None = Field(default=None, foreign_key="staff_users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class DevicePublic(SQLModel):
    id: int
    name: str
    event_id: int | None
    gate: str
    created_at: datetime
    revoked_at: datetime | None


class DeviceWithToken(DevicePublic):
    token: str


PAIRING_CODE_PATTERN = r"^[A-Za-z0-9 -]{1,20}$"


class DevicePairing(SQLModel, table=True):
    """A short code a kiosk enters once to become a device of an event's gate.

    Only the code's digest is stored. It expires after a few minutes and works once."""

    __tablename__ = "device_pairings"
    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64, unique=True)
    event_id: int = Field(index=True)
    gate: str = Field(default="", max_length=64)
    created_by: int | None = Field(default=None, foreign_key="staff_users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    device_id: int | None = Field(default=None, foreign_key="devices.id")


class PairingCreate(SQLModel):
    gate: PlainText = Field(default="", max_length=64)


class PairingPublic(SQLModel):
    code: str = Field(description="what the kiosk operator types, e.g. K7QM-4XPA")
    event_id: int
    gate: str
    expires_at: datetime


class PairRequest(SQLModel):
    code: Annotated[str, StringConstraints(pattern=PAIRING_CODE_PATTERN)]
    name: PlainText = Field(default="", max_length=100, description="this kiosk's name")


class AuthToken(SQLModel, table=True):
    """A bearer secret (API token or browser session), stored only as its SHA-256 digest."""

    __tablename__ = "auth_tokens"
    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64, unique=True, index=True)
    kind: TokenKind = Field(sa_type=enum_column(TokenKind))
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id", index=True)
    device_id: int | None = Field(default=None, foreign_key="devices.id", index=True)
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class FailedAttempt(SQLModel, table=True):
    """A wrong password or pairing code, counted against who tried it from where (see
    `staff/throttle.py`); kept only as long as it counts."""

    __tablename__ = "failed_attempts"
    __table_args__ = (Index("ix_failed_attempts_key_at", "key", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, description='what was tried, e.g. "login:lan@10.0.0.7"')
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)


class ApiTokenPublic(SQLModel):
    id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    token: str


class LoginRequest(SQLModel):
    username: PlainText = Field(max_length=64)
    password: PlainText = Field(max_length=200)


class TokenRequest(SQLModel):
    label: PlainText = Field(default="", max_length=100)
