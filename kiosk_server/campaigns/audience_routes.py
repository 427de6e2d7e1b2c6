"""The segment builder's API: how many customers a segment reaches (the live count under the
rules), and the tiers a rule may name."""

from typing import Any

from fastapi import APIRouter
from pydantic import Field
from sqlmodel import SQLModel

from kiosk_server.campaigns import segments
from kiosk_server.campaigns.models import LeftOut
from kiosk_server.core.deps import SessionDep, SettingsDep
from kiosk_server.messaging.models import Channel
from kiosk_server.staff.deps import CurrentStaff

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])

REFUSED: dict[int | str, dict[str, Any]] = {422: {"description": (
    "the rules' shape (FastAPI's `detail`), or `segment_too_deep`, `segment_too_many_rules`, "
    "`segment_day_invalid`, `segment_period_reversed`, `segment_range_reversed`, "
    "`segment_tag_invalid`, `segment_unknown_tier`, `segment_unknown_event` (`field`: the "
    "rule's path, as `rules.1.rules.0.from_day`)")}}


class AudienceQuery(SQLModel):
    segment: segments.SegmentBody
    channel: Channel = Channel.EMAIL


class AudiencePublic(SQLModel):
    matched: int = Field(description="customers the segment matches")
    reachable: int = Field(description="of them, those the message would be sent to")
    left_out: dict[LeftOut, int] = Field(description="of them, those left out, by why "
                                                     "(every reason, zeros included)")


class TierPublic(SQLModel):
    name: str
    threshold_vnd: int = Field(description="the last 12 months' spend the tier starts at")


@router.post("/audience", response_model=AudiencePublic, responses=REFUSED)
def count_audience(body: AudienceQuery, session: SessionDep, settings: SettingsDep,
                   caller: CurrentStaff):
    """Staff. How many customers the segment matches, how many the message would reach on
    the channel, and how many are left out and why (erased, in the call list's hold-out,
    unsubscribed, no consent, no address). Saves nothing."""
    return segments.count(session, body.segment.model_dump(), body.channel, settings=settings)


@router.get("/tiers", response_model=list[TierPublic])
def list_tiers(settings: SettingsDep, caller: CurrentStaff):
    """Staff. The loyalty tiers (KIOSK_LOYALTY_TIERS), lowest first: what a tier rule names."""
    return [TierPublic(name=tier.name, threshold_vnd=tier.threshold_vnd)
            for tier in segments.tier_list(settings)]
