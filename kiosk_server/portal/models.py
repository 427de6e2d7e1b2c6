"""The customer's portal: one-time sign-in links, and the sessions they open."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from kiosk_server.core.types import UtcDateTime, utcnow


class SignInLink(SQLModel, table=True):
    """A one-time sign-in link: its token's serial, whose it is, until when, and when it was
    used (it signs in once)."""

    __tablename__ = "sign_in_links"
    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(max_length=16, unique=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class PortalSession(SQLModel, table=True):
    """A customer's signed-in browser, stored only as its cookie's SHA-256 digest (so a
    stolen database opens nothing, and signing out or erasing revokes it)."""

    __tablename__ = "portal_sessions"
    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64, unique=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
