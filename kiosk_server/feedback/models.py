"""Feedback links issued for visits, and complaints about being badly served."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import NoteText, UtcDateTime, enum_column, utcnow


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
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime,
                                        description="the link no longer opens (the "
                                                    "customer's data was erased)")


class Feedback(SQLModel, table=True):
    """What the customer said about one visit: one answer per visit, which they may change
    for a day after they first gave it."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("visit_rating BETWEEN 1 AND 5", name="ck_feedback_visit_rating"),
        CheckConstraint("staff_rating IS NULL OR staff_rating BETWEEN 1 AND 5",
                        name="ck_feedback_staff_rating"),
        Index("ix_feedback_staff_answered", "staff_id", "answered_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="feedback_requests.id", unique=True)
    visit_id: int = Field(foreign_key="visits.id", unique=True)
    customer_id: int = Field(foreign_key="customers.id")
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id",
                                 description="who served the visit")
    visit_rating: int
    staff_rating: int | None = None
    comment: str = Field(default="", sa_type=Text)
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    edits: int = Field(default=0, description="changes after the first answer")


class FeedbackLink(SQLModel):
    code: str = Field(description="the signed token (kind F)")
    url: str = Field(description="what the receipt's QR holds: the feedback page for this visit")


class ComplaintStatus(StrEnum):
    """Where a complaint is in the queue: open, then the customer contacted, then resolved."""

    OPEN = "open"
    CONTACTED = "contacted"
    RESOLVED = "resolved"


class ComplaintSource(StrEnum):
    STAFF = "staff"  # recorded by staff (at the till)
    FEEDBACK = "feedback"  # opened by a low rating on the feedback page


class Complaint(SQLModel, table=True):
    """A customer's complaint about how they were served, open until someone resolves it."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_customer_open", "customer_id", "resolved_at"),
                      Index("ix_complaints_status", "status", "id"))
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id")
    text: str = Field(sa_type=Text)
    status: ComplaintStatus = Field(default=ComplaintStatus.OPEN,
                                    sa_type=enum_column(ComplaintStatus))
    source: ComplaintSource = Field(default=ComplaintSource.STAFF,
                                    sa_type=enum_column(ComplaintSource))
    feedback_id: int | None = Field(default=None, foreign_key="feedback.id", unique=True)
    about_staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    visit_id: int | None = Field(default=None, foreign_key="visits.id")
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    opened_by: int | None = Field(default=None, foreign_key="staff_users.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    resolved_by: int | None = Field(default=None, foreign_key="staff_users.id")
    resolution: str = Field(default="", sa_type=Text)


class ComplaintStep(SQLModel, table=True):
    """One change of a complaint's status: to what, when, by whom, with what note."""

    __tablename__ = "complaint_steps"
    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaints.id", index=True)
    status: ComplaintStatus = Field(sa_type=enum_column(ComplaintStatus))
    note: str = Field(default="", sa_type=Text)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    by: int | None = Field(default=None, foreign_key="staff_users.id")


class ComplaintCreate(SQLModel):
    text: NoteText = Field(min_length=1, max_length=2000, description="what went wrong")
    about_staff_id: int | None = Field(default=None, ge=1,
                                       description="the staff member it is about, if any")
    visit_id: int | None = Field(default=None, ge=1, description="the visit it is about")


class ComplaintResolve(SQLModel):
    resolution: NoteText = Field(min_length=1, max_length=2000, description="what was done")


class ComplaintChange(SQLModel):
    status: ComplaintStatus = Field(description="`contacted` (from open) or `resolved` (from "
                                                "open or contacted); a resolved one stays so")
    note: NoteText = Field(default="", max_length=2000,
                           description="what was done; a resolution's note is shown to the "
                                       "customer on their feedback page")


class ComplaintStepPublic(SQLModel):
    status: ComplaintStatus
    note: str
    at: datetime
    by: int | None
    by_name: str | None


class ComplaintPublic(SQLModel):
    id: int
    customer_id: int
    customer_name: str | None = None
    text: str
    status: ComplaintStatus
    source: ComplaintSource
    visit_rating: int | None = None
    staff_rating: int | None = None
    about_staff_id: int | None
    about_staff_name: str | None
    visit_id: int | None
    opened_at: datetime
    opened_by: int | None
    opened_by_name: str | None
    resolved_at: datetime | None
    resolved_by: int | None
    resolution: str
    steps: list[ComplaintStepPublic] = Field(default_factory=list,
                                             description="each change of status, oldest first")


class FeedbackAnswer(SQLModel):
    visit_rating: int = Field(ge=1, le=5, description="the visit, 1 (bad) to 5 (very good)")
    staff_rating: int | None = Field(default=None, ge=1, le=5,
                                     description="the staff member who served, 1 to 5")
    comment: NoteText = Field(default="", max_length=1000, description="in the customer's words")


class ShopReply(SQLModel):
    """What the shop did about a low rating, as the customer sees it."""

    status: ComplaintStatus
    note: str = Field(description="the note given when it was resolved")
    at: datetime = Field(description="when the status last changed")


class FeedbackPagePublic(SQLModel):
    """What the feedback page shows (to whoever holds the link: the customer)."""

    visit_kind: str
    visit_at: datetime
    staff_served: bool = Field(default=False,
                               description="whether a staff member is named for the visit "
                                           "(then the page asks about them)")
    staff_first_name: str | None = Field(description="who served, by their given name only")
    visit_rating: int | None = None
    staff_rating: int | None = None
    comment: str = ""
    answered_at: datetime | None = None
    editable_until: datetime | None = Field(
        default=None, description="the answer may be changed until then (a day after it came)")
    editable: bool = Field(description="whether an answer may be given or changed now")
    reply: ShopReply | None = None


class RatingFigure(SQLModel):
    """An average with the number of answers it comes from (5.0 from 2 answers is shown so)."""

    average: float | None
    answers: int


class StaffRatings(SQLModel):
    staff_id: int | None
    staff_name: str | None
    week: str | None = Field(description="ISO week (2026-W49) in the venue's time; "
                                          "None: all the weeks shown")
    visit: RatingFigure
    staff: RatingFigure


class RatingComment(SQLModel):
    answered_at: datetime
    staff_id: int | None
    staff_name: str | None
    customer_name: str | None = Field(description="for admins only")
    visit_rating: int
    staff_rating: int | None
    comment: str


class RatingsReport(SQLModel):
    since: datetime
    per_staff: list[StaffRatings]
    per_week: list[StaffRatings] = Field(description="per staff member and ISO week, newest first")
    comments: list[RatingComment] = Field(description="newest first")
