"""Retention's tables: the thresholds (one row), each customer's status with the figures
behind it, and the status changes (what campaigns read later)."""

from datetime import datetime
from enum import StrEnum

from pydantic import StrictInt, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import BigInteger, CheckConstraint, Index
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import UtcDateTime, enum_column, utcnow


class Status(StrEnum):
    """Where a customer stands against their own rhythm, from well to gone."""

    NEW = "new"  # too few visits to have a rhythm
    ACTIVE = "active"
    WATCH = "watch"
    AT_RISK = "at_risk"
    LAPSED = "lapsed"


class Reason(StrEnum):
    """Why: the rule that set the status (the page says it as a sentence from the figures)."""

    FEW_VISITS = "few_visits"  # not enough intervals yet: visit_count says how many visits
    ON_RHYTHM = "on_rhythm"  # visits about as usual
    OVERDUE = "overdue"  # the days since the last visit are a multiple of usual_interval_days
    SPEND_DOWN = "spend_down"  # spend_recent_vnd is spend_drop_pct below spend_before_vnd
    LONG_ABSENCE = "long_absence"  # no visit for the settings' limit of days


class RetentionSettings(SQLModel, table=True):
    """The thresholds of the statuses: one row (id 1), changed by admins. No row yet means
    the defaults (the issue's)."""

    __tablename__ = "retention_settings"
    __table_args__ = (CheckConstraint("id = 1", name="ck_retention_settings_one_row"),)
    id: int = Field(default=1, primary_key=True)
    min_intervals: int = 3
    watch_overdue: float = 1.5
    at_risk_overdue: float = 2.0
    lapsed_overdue: float = 3.0
    watch_spend_drop_pct: int = 20
    at_risk_spend_drop_pct: int = 50
    lapsed_after_days: int = 180
    updated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    updated_by: int | None = Field(default=None, foreign_key="staff_users.id")


class RetentionSettingsUpdate(SQLModel):
    """All the thresholds at once (the form sends them all)."""

    min_intervals: StrictInt = Field(ge=1, le=50, description="intervals between visits a "
                                     "customer needs before they have a rhythm (before: new)")
    watch_overdue: float = Field(
        ge=1.0, le=20.0, description="watch from this many times their usual interval")
    at_risk_overdue: float = Field(ge=1.0, le=20.0, description="at risk from this multiple")
    lapsed_overdue: float = Field(ge=1.0, le=20.0, description="lapsed from this multiple")
    watch_spend_drop_pct: StrictInt = Field(
        ge=1, le=100, description="watch when the last 90 days' spend is this % below the "
                                  "90 days before")
    at_risk_spend_drop_pct: StrictInt = Field(ge=1, le=100, description="at risk from this drop")
    lapsed_after_days: StrictInt = Field(ge=7, le=3650,
                                         description="lapsed after this many days without a visit")

    @model_validator(mode="after")
    def _in_order(self) -> "RetentionSettingsUpdate":
        if not self.watch_overdue < self.at_risk_overdue < self.lapsed_overdue:
            raise PydanticCustomError("thresholds_out_of_order",
                                      "watch < at risk < lapsed, for the overdue multiples")
        if not self.watch_spend_drop_pct < self.at_risk_spend_drop_pct:
            raise PydanticCustomError("thresholds_out_of_order",
                                      "the watch drop must be smaller than the at-risk drop")
        return self


class RetentionSettingsPublic(SQLModel):
    min_intervals: int
    watch_overdue: float
    at_risk_overdue: float
    lapsed_overdue: float
    watch_spend_drop_pct: int
    at_risk_spend_drop_pct: int
    lapsed_after_days: int
    updated_at: datetime | None
    updated_by: int | None


class CustomerStatus(SQLModel, table=True):
    """A customer's status now, with the figures its reason is said from. One row per
    customer, rewritten by a recomputation that moves its figures (`computed_at`: the last
    that did); the days since the last visit are counted from its day when read.

    No foreign key to customers: a row is written only for a customer read in the same
    transaction, and customers are never deleted (an erasure keeps their row and deletes
    this one). The key's check would lock each customer's row for every status written:
    a first pass over 100,000 customers took a fifth longer with it on PostgreSQL."""

    __tablename__ = "customer_status"
    __table_args__ = (Index("ix_customer_status_status", "status", "customer_id"),)
    customer_id: int = Field(primary_key=True)
    status: Status = Field(sa_type=enum_column(Status))
    reason: Reason = Field(sa_type=enum_column(Reason))
    visit_count: int = Field(description="distinct days with a visit")
    usual_interval_days: float | None = Field(
        default=None, description="median of their intervals between visit days")
    last_visit_day: int | None = Field(
        default=None, description="the shop's local day of the last visit, as days since "
                                  "1970-01-01 (the days since it are counted when read: a "
                                  "night rewrites no row for them)")
    spend_recent_vnd: int = Field(default=0, sa_type=BigInteger,
                                  description="spend in the last 90 days")
    spend_before_vnd: int = Field(default=0, sa_type=BigInteger,
                                  description="spend in the 90 days before those")
    usual_spend_vnd: int = Field(default=0, sa_type=BigInteger,
                                 description="their usual spend per 90 days: the last 365 "
                                             "days' times 90/365")
    p_alive: float | None = Field(default=None, description="the model's chance that they "
                                  "are still a customer (null: no good fit, or no visit); "
                                  "rewritten once it moved by half a point (`service`)")
    expected_visits_90d: float | None = Field(
        default=None, description="the model's expected visits in the next 90 days; "
                                  "rewritten once it moved by 0.05")
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime,
                                 description="when the status became what it is")
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime,
                                  description="when the figures last moved")


class StatusChange(SQLModel, table=True):
    """A customer's status changed (from a previous one): campaigns read these."""

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_time", "changed_at"),
                      Index("ix_status_changes_customer", "customer_id", "changed_at"))
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id")
    from_status: Status = Field(sa_type=enum_column(Status))
    to_status: Status = Field(sa_type=enum_column(Status))
    reason: Reason = Field(sa_type=enum_column(Reason))
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class CustomerStatusPublic(SQLModel):
    customer_id: int
    status: Status
    reason: Reason
    visit_count: int
    usual_interval_days: float | None
    days_since: int | None
    spend_recent_vnd: int
    spend_before_vnd: int
    spend_drop_pct: int | None = Field(
        description="how far the last 90 days' spend is below the 90 days before, in %")
    usual_spend_vnd: int = Field(description="their usual spend per 90 days (the last 365 "
                                 "days' times 90/365)")
    p_alive: float | None = Field(description="the model's chance that they are still a "
                                  "customer, 0 to 1 (null: no good fit yet, or no visit)")
    expected_visits_90d: float | None = Field(
        description="the model's expected visits in the next 90 days (null likewise)")
    value_at_risk_vnd: int | None = Field(
        description="usual_spend_vnd * (1 - p_alive), rounded (null when p_alive is)")
    changed_at: datetime = Field(description="when the status became what it is")
    computed_at: datetime = Field(description="when its figures last moved (a night that "
                                  "finds them as they were writes nothing); `days_since` "
                                  "is counted to today whenever it is read")


class StatusChangePublic(SQLModel):
    id: int
    customer_id: int
    from_status: Status
    to_status: Status
    reason: Reason
    changed_at: datetime


class CustomerStatusListed(CustomerStatusPublic):
    full_name: str


class CustomerStatusPage(SQLModel):
    items: list[CustomerStatusListed]
    next_cursor: int | None = Field(
        default=None, description="pass as `after` to get the next page; null on the last page")
