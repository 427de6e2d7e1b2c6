"""The call list's tables.

A *case* is one drift of one customer: opened when their status becomes at risk or
lapsed (by the numbers) or when whoever serves them flags that they may be leaving (by
what was heard), closed when they come back or when staff close it. Each case drawn by the
numbers is put, at random, in the group to contact or in the hold-out (nobody calls or
messages them): comparing how many of each come back within the window is the proof of
what the calls and the exit survey achieve. A staff flag always puts its customer on the
list: such a case is not drawn, and is not in the comparison."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import ClientKey, Id, NoteText, UtcDateTime, enum_column, utcnow
from kiosk_server.feedback.models import ComplaintPublic
from kiosk_server.loyalty.models import PurchaseListed
from kiosk_server.retention.models import Reason, Status


class CaseSource(StrEnum):
    STATUS = "status"  # the customer's status became at risk or lapsed
    FLAG = "flag"  # staff heard they may be leaving


class Group(StrEnum):
    CONTACT = "contact"  # drawn to be contacted
    HOLD_OUT = "hold_out"  # drawn to be left alone: nobody calls or messages them
    NOT_DRAWN = "not_drawn"  # opened by a staff flag, or released from the hold-out by one


class CaseState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CloseReason(StrEnum):
    RETURNED = "returned"  # they came back (a visit or a sale after the case opened)
    CLOSED_BY_STAFF = "closed_by_staff"  # done: reached, or given up
    ERASED = "erased"


class Case(SQLModel, table=True):
    """One drift of one customer; at most one open case per customer."""

    __tablename__ = "retention_cases"
    __table_args__ = (
        Index("ux_retention_cases_open", "customer_id", unique=True,
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
        Index("ix_retention_cases_state", "state", "group", "opened_at"),
        Index("ix_retention_cases_assignee", "assigned_to", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    source: CaseSource = Field(sa_type=enum_column(CaseSource))
    group: Group = Field(sa_type=enum_column(Group))
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    status_at_open: Status | None = Field(default=None, sa_type=enum_column(Status),
                                          description="the status that opened it")
    reason_at_open: Reason | None = Field(default=None, sa_type=enum_column(Reason))
    state: CaseState = Field(default=CaseState.OPEN, sa_type=enum_column(CaseState))
    assigned_to: int | None = Field(default=None, foreign_key="staff_users.id")
    assigned_by: int | None = Field(default=None, foreign_key="staff_users.id")
    assigned_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    follow_up_on: date | None = Field(default=None, description="the last call's follow-up")
    returned_at: datetime | None = Field(
        default=None, sa_type=UtcDateTime,
        description="their first visit or sale after the case opened")
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    close_reason: CloseReason | None = Field(default=None, sa_type=enum_column(CloseReason))
    closed_by: int | None = Field(default=None, foreign_key="staff_users.id")


class FlagPlace(StrEnum):
    TILL = "till"
    CUSTOMER_PAGE = "customer_page"


class LeavingFlag(SQLModel, table=True):
    """"This customer may be leaving": who heard it, where, and what, in their own words."""

    __tablename__ = "leaving_flags"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    case_id: int = Field(foreign_key="retention_cases.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    place: FlagPlace = Field(sa_type=enum_column(FlagPlace))
    words: str = Field(max_length=1000)
    client_key: str = Field(max_length=64, unique=True,
                            description="made by the page once per flag: a retry acts once")
    flagged_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class CallOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"


class LeaveReason(StrEnum):
    PRICE = "price"
    SERVICE = "service"
    STAFF = "staff"
    PRODUCT = "product"
    MOVED = "moved"
    COMPETITOR = "competitor"  # a competitor's offer
    OTHER = "other"  # with the customer's words


class WillReturn(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class Call(SQLModel, table=True):
    """One call made on a case, and how it went."""

    __tablename__ = "retention_calls"
    __table_args__ = (Index("ix_retention_calls_case", "case_id", "called_at"),
                      Index("ix_retention_calls_time", "called_at"))
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="retention_cases.id")
    customer_id: int = Field(foreign_key="customers.id")
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    outcome: CallOutcome = Field(sa_type=enum_column(CallOutcome))
    notes: str = Field(default="", max_length=2000)
    follow_up_on: date | None = None
    client_key: str = Field(max_length=64, unique=True,
                            description="made by the page once per call: a retry acts once")
    called_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class AnswerSource(StrEnum):
    CALL = "call"
    SURVEY = "survey"  # the exit survey


class LeaveAnswer(SQLModel, table=True):
    """Why a customer says they left (on a call or in the exit survey), and whether they
    will come back: the reasons the dashboard counts."""

    __tablename__ = "leave_answers"
    __table_args__ = (Index("ix_leave_answers_time", "answered_at"),)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="retention_cases.id", index=True)
    source: AnswerSource = Field(sa_type=enum_column(AnswerSource))
    call_id: int | None = Field(default=None, foreign_key="retention_calls.id", unique=True)
    reason: LeaveReason = Field(sa_type=enum_column(LeaveReason))
    words: str = Field(default="", max_length=1000, description="'other', in their words")
    will_return: WillReturn | None = Field(default=None, sa_type=enum_column(WillReturn))
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


# ---------------------------------------------------------------- requests and answers

class LeavingFlagCreate(SQLModel):
    words: NoteText = Field(min_length=1, max_length=1000,
                            description="what was heard, in the staff member's words")
    place: FlagPlace = Field(description="where it was heard: the till or the customer's page")
    client_key: ClientKey = Field(description="made by the page once per flag (a UUID): a "
                                              "retry with the same key acts once")


class LeavingFlagPublic(SQLModel):
    id: int
    customer_id: int
    case_id: int
    staff_id: int | None
    staff_name: str | None = None
    place: FlagPlace
    words: str
    flagged_at: datetime


class CallCreate(SQLModel):
    outcome: CallOutcome
    notes: NoteText = Field(default="", max_length=2000)
    follow_up_on: date | None = Field(default=None, description="not in the past")
    reason: LeaveReason | None = Field(default=None, description="why they left (reached only; "
                                                                 "required then)")
    words: NoteText = Field(default="", max_length=1000,
                            description="their words (required for the reason `other`)")
    will_return: WillReturn | None = Field(default=None, description="reached only")
    client_key: ClientKey = Field(description="made by the page once per call (a UUID): a "
                                              "retry with the same key acts once")


class CallPublic(SQLModel):
    id: int
    case_id: int
    customer_id: int
    staff_id: int | None
    staff_name: str | None = None
    outcome: CallOutcome
    notes: str
    follow_up_on: date | None
    called_at: datetime
    reason: LeaveReason | None = None
    words: str = ""
    will_return: WillReturn | None = None


class AssigneeUpdate(SQLModel):
    staff_id: Id | None = Field(description="who calls; null: nobody yet")


class Assigned(StrEnum):
    ME = "me"
    ANYONE = "anyone"
    NOBODY = "nobody"


class VisitSeen(SQLModel):
    """One of the customer's visits, as the call list shows it."""

    occurred_at: datetime
    kind: str
    staff_name: str | None = None


class CaseListed(SQLModel):
    """One row of the call list."""

    id: int
    customer_id: int
    full_name: str
    phone: str | None
    source: CaseSource
    group: Group
    opened_at: datetime
    status: Status | None
    reason: Reason | None
    usual_interval_days: float | None = None
    days_since: int | None = None
    spend_drop_pct: int | None = None
    visit_count: int = 0
    usual_spend_vnd: int = Field(description="usual spend per 90 days")
    p_alive: float | None = Field(description="probability they are still a customer; null "
                                              "with no model yet")
    value_at_risk_vnd: int
    flagged: bool
    flags: list[str] = Field(description="the flags' words, newest first")
    last_visits: list[VisitSeen]
    served_by: list[str]
    open_complaints: int
    low_ratings: int
    assigned_to: int | None
    assignee_name: str | None = None
    follow_up_on: date | None


class CasePage(SQLModel):
    items: list[CaseListed]
    total: int
    next_cursor: str | None = Field(description="pass as `cursor` for the next page, which "
                                    "starts after this page's last case wherever it stands "
                                    "then (the list is ranked afresh each time: cases called "
                                    "and closed meanwhile move nobody past the page's end); "
                                    "null on the last page")
    ranked_by_model: bool = Field(description="false: no model yet, ranked by spend alone")


class LowRating(SQLModel):
    """A low answer of the customer's on the feedback page."""

    answered_at: datetime
    visit_rating: int
    staff_rating: int | None
    comment: str
    staff_name: str | None = None


class CaseDetail(SQLModel):
    """A case with the customer's history: what the call view shows beside the script."""

    case: CaseListed
    state: CaseState
    visits: list[VisitSeen]
    purchases: list[PurchaseListed]
    complaints: list[ComplaintPublic]
    low_ratings: list[LowRating]
    flags: list[LeavingFlagPublic]
    calls: list[CallPublic]
    script: list[str] = Field(description="the owner's questions, one a line")


class CasePublic(SQLModel):
    """A case as it stands (the answer of assigning or closing it)."""

    id: int
    customer_id: int
    source: CaseSource
    group: Group
    state: CaseState
    opened_at: datetime
    assigned_to: int | None
    follow_up_on: date | None
    returned_at: datetime | None
    closed_at: datetime | None
    close_reason: CloseReason | None


DEFAULT_SCRIPT = (
    "Anh/chị thấy điều gì chưa hài lòng ở lần ghé gần nhất?\n"
    "Vì sao dạo này anh/chị ít ghé quán?\n"
    "Điều gì sẽ khiến anh/chị quay lại?"
)


class CallSettings(SQLModel, table=True):
    """The call list's settings: one row (id 1), changed by admins. No row yet means the
    defaults."""

    __tablename__ = "call_settings"
    __table_args__ = (CheckConstraint("id = 1", name="ck_call_settings_one_row"),
                      CheckConstraint("hold_out_pct BETWEEN 0 AND 50",
                                      name="ck_call_settings_hold_out"),)
    id: int = Field(default=1, primary_key=True)
    hold_out_pct: int = Field(default=10, description="share of cases left alone, in %")
    win_back_days: int = Field(default=60, description="a return within this many days of "
                                                       "the case opening counts as won back")
    script: str = Field(default=DEFAULT_SCRIPT, max_length=4000,
                        description="the owner's questions, one per line")
    exit_survey: bool = Field(default=True, description="send lapsed customers the exit "
                                                        "survey (with their consent)")
    updated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    updated_by: int | None = Field(default=None, foreign_key="staff_users.id")


class CallSettingsUpdate(SQLModel):
    script: NoteText = Field(min_length=1, max_length=4000,
                             description="the owner's questions, one per line")
    hold_out_pct: int = Field(ge=0, le=50, description="share of cases left alone, in %")
    win_back_days: int = Field(ge=7, le=365, description="a return within this many days "
                                                         "counts as won back")
    exit_survey: bool


class CallSettingsPublic(CallSettingsUpdate):
    updated_at: datetime | None = None


class ExitSurvey(SQLModel, table=True):
    """The exit survey sent on a case: one per case, sent through the outbox with the
    customer's consent; answered on its page (`/x/<token>`) into `leave_answers`."""

    __tablename__ = "exit_surveys"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="retention_cases.id", unique=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    serial: str = Field(max_length=32, unique=True, description="the token's serial")
    outbox_id: int | None = Field(default=None, foreign_key="outbox_messages.id")
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
