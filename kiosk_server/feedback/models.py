"""Feedback links issued for visits, and complaints about being badly served."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import NoteText, UtcDateTime, utcnow


class FeedbackRequest(SQLModel, table=True):
    """A visit the customer is asked about: the token on their receipt names it. The
    page that takes the answer comes with the customer portal; the token is issued now."""

    __tablename__ = "feedback_requests"
    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(max_length=16, unique=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    visit_id: int = Field(foreign_key="visits.id", unique=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id",
                                 description="who served the visit")
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class FeedbackLink(SQLModel):
    code: str = Field(description="the signed token (kind F)")
    url: str = Field(description="what the receipt's QR holds: the feedback page for this visit")


class Complaint(SQLModel, table=True):
    """A customer's complaint about how they were served, open until someone resolves it."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_customer_open", "customer_id", "resolved_at"),)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id")
    text: str = Field(sa_type=Text)
    about_staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    visit_id: int | None = Field(default=None, foreign_key="visits.id")
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    opened_by: int | None = Field(default=None, foreign_key="staff_users.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    resolved_by: int | None = Field(default=None, foreign_key="staff_users.id")
    resolution: str = Field(default="", sa_type=Text)


class ComplaintCreate(SQLModel):
    text: NoteText = Field(min_length=1, max_length=2000, description="what went wrong")
    about_staff_id: int | None = Field(default=None, ge=1,
                                       description="the staff member it is about, if any")
    visit_id: int | None = Field(default=None, ge=1, description="the visit it is about")


class ComplaintResolve(SQLModel):
    resolution: NoteText = Field(min_length=1, max_length=2000, description="what was done")


class ComplaintPublic(SQLModel):
    id: int
    customer_id: int
    text: str
    about_staff_id: int | None
    about_staff_name: str | None
    visit_id: int | None
    opened_at: datetime
    opened_by: int | None
    opened_by_name: str | None
    resolved_at: datetime | None
    resolved_by: int | None
    resolution: str
