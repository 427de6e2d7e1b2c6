"""What the campaigns' admin API takes and answers: a draft as it is written (create, change)
and a campaign as the pages show it.

A draft may be incomplete (saved as the owner writes it); what a template says is checked
on every save all the same: a placeholder Kiosk does not know is refused (422
`unknown_placeholders`, naming them), so that no recipient ever gets a `{{...}}`.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from kiosk_server.campaigns import segments, templates
from kiosk_server.campaigns.models import CampaignState
from kiosk_server.core.errors import DomainError
from kiosk_server.core.text import clean_name
from kiosk_server.core.types import NoteText, PlainText
from kiosk_server.messaging.models import Channel

# The longest of each text. A whole request is held to the staff body limit (256 KiB) too.
MAX_NAME = 200
MAX_SUBJECT = 300
MAX_TEXT = 10_000
MAX_HTML = 60_000
MAX_BENEFIT = 200

# What must be written before a campaign can start (in this order on the page).
NEEDED_TO_START = ("subject_vi", "text_vi")


def _known_placeholders(value: str) -> str:
    unknown = templates.unknown_placeholders(value)
    if unknown:
        raise PydanticCustomError(
            "unknown_placeholders", "unknown placeholders: {placeholders}",
            {"placeholders": ", ".join("{{" + name + "}}" for name in unknown),
             "names": unknown})
    return value


def _title(value: str) -> str:
    cleaned = clean_name(value)  # NFC, single spaces: every diacritic kept
    if not cleaned:
        raise PydanticCustomError("name_empty", "the name is empty")
    return cleaned


def _segment(value: Any) -> dict:
    """The segment checked for everything that needs no database (`segments.parse`: shape,
    size, days, tags), refused with the same codes as the audience count's."""
    if not isinstance(value, dict):
        raise PydanticCustomError("segment_invalid", "the segment is not a group of rules")
    try:
        return segments.parse(value).model_dump(mode="json")
    except DomainError as refused:
        raise PydanticCustomError(refused.code, refused.message_en) from None


CampaignName = Annotated[PlainText, AfterValidator(_title)]
Subject = Annotated[PlainText, AfterValidator(_known_placeholders)]
Template = Annotated[NoteText, AfterValidator(_known_placeholders)]
Segment = Annotated[dict, AfterValidator(_segment)]
Benefit = Annotated[PlainText, AfterValidator(clean_name)]

_SEGMENT_DOC = "rules joined with and/or (see GET /campaigns/{id}); default: every customer"


class CampaignCreate(SQLModel):
    name: CampaignName = Field(min_length=1, max_length=MAX_NAME)
    channel: Channel = Field(default=Channel.EMAIL, description="email, or sms (SMS/Zalo)")
    segment: Segment = Field(default_factory=lambda: {"kind": "group", "join": "and",
                                                      "rules": [{"kind": "all"}]},
                             description=_SEGMENT_DOC)
    subject_vi: Subject = Field(default="", max_length=MAX_SUBJECT)
    subject_en: Subject = Field(default="", max_length=MAX_SUBJECT)
    text_vi: Template = Field(default="", max_length=MAX_TEXT)
    text_en: Template = Field(default="", max_length=MAX_TEXT)
    html_vi: Template = Field(default="", max_length=MAX_HTML)
    html_en: Template = Field(default="", max_length=MAX_HTML)
    coupon_benefit: Benefit | None = Field(
        default=None, max_length=MAX_BENEFIT,
        description="a personal coupon for each recipient with this benefit; null: none")
    coupon_valid_days: int = Field(default=30, ge=1, le=365)
    hold_out_pct: int = Field(default=5, ge=0, le=50,
                              description="the share drawn at random to send nothing")
    return_days: int = Field(default=30, ge=1, le=365, description="a visit within this "
                                                                   "many days counts as a return")


class CampaignUpdate(SQLModel):
    """Fields left out stay as they are; `coupon_benefit: null` takes the coupon away."""

    name: CampaignName | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    channel: Channel | None = None
    segment: Segment | None = Field(default=None, description=_SEGMENT_DOC)
    subject_vi: Subject | None = Field(default=None, max_length=MAX_SUBJECT)
    subject_en: Subject | None = Field(default=None, max_length=MAX_SUBJECT)
    text_vi: Template | None = Field(default=None, max_length=MAX_TEXT)
    text_en: Template | None = Field(default=None, max_length=MAX_TEXT)
    html_vi: Template | None = Field(default=None, max_length=MAX_HTML)
    html_en: Template | None = Field(default=None, max_length=MAX_HTML)
    coupon_benefit: Benefit | None = Field(default=None, max_length=MAX_BENEFIT)
    coupon_valid_days: int | None = Field(default=None, ge=1, le=365)
    hold_out_pct: int | None = Field(default=None, ge=0, le=50)
    return_days: int | None = Field(default=None, ge=1, le=365)


class CampaignPublic(SQLModel):
    id: int
    name: str
    state: CampaignState
    channel: Channel
    segment: dict
    subject_vi: str
    subject_en: str
    text_vi: str
    text_en: str
    html_vi: str
    html_en: str
    coupon_benefit: str | None
    coupon_valid_days: int
    hold_out_pct: int
    return_days: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    missing: list[str] = Field(
        description="what must still be written before it can start (field names: "
                    "subject_vi, text_vi); empty when it is ready")


class CampaignListed(SQLModel):
    """A campaign in the list: what it is and how far it went."""

    id: int
    name: str
    state: CampaignState
    channel: Channel
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    recipients: int = Field(description="customers it is sent to (0 until it starts)")
    sent: int = Field(description="of them, those whose message the server accepted")


class CampaignPage(SQLModel):
    items: list[CampaignListed]
    next_cursor: int | None = Field(
        default=None, description="pass as `before` to get the next page; null on the last page")
