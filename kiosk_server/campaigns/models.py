"""Campaigns: one message to a segment of the customer list, each recipient exactly once.

A campaign is written as a draft (who: a segment; what: a message in Vietnamese and
English, and optionally a personal coupon per recipient), then started. Starting draws
the recipients once: one `campaign_recipients` row per customer the segment matches, in
the group to send to, in the random hold-out (sent nothing: the comparison that shows what
the campaign caused), or left out with the reason (no consent, no address, erased, in the
call list's hold-out). Each recipient to send to gets their own outbox message, marked
sent only when the mail server accepted it.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import Field as PydanticField
from sqlalchemy import JSON, CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from kiosk_server.core.types import Id, Language, UtcDateTime, enum_column, utcnow
from kiosk_server.messaging.models import Channel
from kiosk_server.retention.models import Status

# ----------------------------------------------------------------------------- segments
# A segment is a tree of rules joined with and/or, stored as JSON with its campaign.
# `kind` names each rule; dates are the shop's local days, both ends included.

MAX_RULES = 30  # in one segment, counting every level
MAX_DEPTH = 3


class TierRule(SQLModel):
    kind: Literal["tier"]
    tiers: list[str] = PydanticField(min_length=1, max_length=20,
                                     description="tier names as set in KIOSK_LOYALTY_TIERS")


class StatusRule(SQLModel):
    kind: Literal["status"]
    statuses: list[Status] = PydanticField(min_length=1, max_length=5)


class AliveRule(SQLModel):
    """The model's probability that they are still a customer, in [min, max]."""

    kind: Literal["p_alive"]
    min: float = PydanticField(default=0.0, ge=0.0, le=1.0)
    max: float = PydanticField(default=1.0, ge=0.0, le=1.0)


class AttendedRule(SQLModel):
    """Checked in at the event (`attended`), or invited and never checked in."""

    kind: Literal["attended", "invited_not_attended"]
    event_id: Id


class RegisteredRule(SQLModel):
    kind: Literal["registered"]
    from_day: str | None = PydanticField(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    to_day: str | None = PydanticField(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class SpentRule(SQLModel):
    """Spent at least `min_vnd` (sales not voided) in the period."""

    kind: Literal["spent"]
    min_vnd: int = PydanticField(ge=0, le=10**13)
    from_day: str | None = PydanticField(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    to_day: str | None = PydanticField(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class TagRule(SQLModel):
    """Has any of the tags (lower-cased, as stored)."""

    kind: Literal["tags"]
    tags: list[str] = PydanticField(min_length=1, max_length=20)


class AllRule(SQLModel):
    kind: Literal["all"]


Rule = Annotated[
    Union[TierRule, StatusRule, AliveRule, AttendedRule, RegisteredRule,  # noqa: UP007
          SpentRule, TagRule, AllRule, "RuleGroup"],
    PydanticField(discriminator="kind"),
]


class RuleGroup(SQLModel):
    """Rules joined with `and` (every one holds) or `or` (any one holds)."""

    kind: Literal["group"] = "group"
    join: Literal["and", "or"] = "and"
    rules: list[Rule] = PydanticField(min_length=1, max_length=MAX_RULES)


RuleGroup.model_rebuild()


class LeftOut(StrEnum):
    """Why a customer the segment matches gets nothing."""

    NO_CONSENT = "no_consent"  # did not agree to marketing on this channel
    NO_ADDRESS = "no_address"  # no e-mail address (or phone) for this channel
    UNSUBSCRIBED = "unsubscribed"  # withdrew consent (by a message's link or otherwise)
    ERASED = "erased"  # their personal data was erased at their request
    CALL_HOLD_OUT = "call_hold_out"  # in the call list's hold-out: nobody contacts them


# ---------------------------------------------------------------------------- campaigns


class CampaignState(StrEnum):
    DRAFT = "draft"  # being written; nothing drawn yet
    STARTING = "starting"  # recipients being drawn and their messages written
    SENDING = "sending"
    PAUSED = "paused"  # messages held; resume sends the rest
    DONE = "done"  # every message sent or failed
    CANCELLED = "cancelled"  # the unsent ones withdrawn


class Campaign(SQLModel, table=True):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("hold_out_pct BETWEEN 0 AND 50", name="ck_campaigns_hold_out"),
        Index("ix_campaigns_state", "state", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    state: CampaignState = Field(default=CampaignState.DRAFT,
                                 sa_type=enum_column(CampaignState))
    channel: Channel = Field(default=Channel.EMAIL, sa_type=enum_column(Channel))
    segment: dict = Field(default_factory=lambda: {"kind": "group", "join": "and",
                                                   "rules": [{"kind": "all"}]}, sa_type=JSON)
    subject_vi: str = Field(default="", max_length=300)
    subject_en: str = Field(default="", max_length=300)
    text_vi: str = Field(default="", sa_type=Text)
    text_en: str = Field(default="", sa_type=Text)
    html_vi: str = Field(default="", sa_type=Text)
    html_en: str = Field(default="", sa_type=Text)
    coupon_benefit: str | None = Field(default=None, max_length=200,
                                       description="a personal coupon per recipient")
    coupon_valid_days: int = Field(default=30)
    hold_out_pct: int = Field(default=5)
    return_days: int = Field(default=30, description="a visit within this many days of "
                                                     "the send counts as a return")
    created_by: int | None = Field(default=None, foreign_key="staff_users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    started_by: int | None = Field(default=None, foreign_key="staff_users.id")
    drawn_through: int = Field(default=0, description="customers drawn so far while "
                                                      "starting (the last customer id)")
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class RecipientGroup(StrEnum):
    SEND = "send"
    HOLD_OUT = "hold_out"
    LEFT_OUT = "left_out"


class CampaignRecipient(SQLModel, table=True):
    """One customer the campaign's segment matched when it started."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "customer_id", name="uq_campaign_recipients"),
        Index("ix_campaign_recipients_group", "campaign_id", "group"),
    )
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id")
    customer_id: int = Field(foreign_key="customers.id", index=True)
    group: RecipientGroup = Field(sa_type=enum_column(RecipientGroup))
    left_out: LeftOut | None = Field(default=None, sa_type=enum_column(LeftOut))
    language: Language = Field(default=Language.VI, sa_type=enum_column(Language))
    serial: str = Field(max_length=16, unique=True,
                        description="behind the unsubscribe link (token kind U)")
    outbox_id: int | None = Field(default=None, foreign_key="outbox_messages.id", index=True)
    coupon_id: int | None = Field(default=None, foreign_key="coupons.id", index=True)
    unsubscribed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
