"""Writing campaigns: drafts created, changed and deleted, read back for the admin pages.

A campaign is changed only while it is a draft: once it starts, its recipients were drawn
from that segment and got that message, and the report compares them; editing it then
would make the report describe a campaign nobody received (409 `campaign_not_draft`).
"""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlmodel import Session, col

from kiosk_server.campaigns import segments
from kiosk_server.campaigns.api_models import (
    NEEDED_TO_START,
    CampaignCreate,
    CampaignListed,
    CampaignPage,
    CampaignPublic,
    CampaignUpdate,
)
from kiosk_server.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignState,
    RecipientGroup,
)
from kiosk_server.core.config import Settings
from kiosk_server.core.db import id_of
from kiosk_server.core.errors import DomainError, conflict, invalid, not_found
from kiosk_server.core.types import utcnow
from kiosk_server.messaging import service as messaging
from kiosk_server.messaging.models import DeliveryState

MAX_PAGE = 200
# Fields a change may not empty (`coupon_benefit: null` is allowed: no coupon).
_NOT_NULL = ("name", "channel", "segment", "subject_vi", "subject_en", "text_vi", "text_en",
             "html_vi", "html_en", "coupon_valid_days", "hold_out_pct", "return_days")


def _no_such_campaign() -> DomainError:
    return not_found("chiến dịch", "Campaign", code="campaign_not_found")


def _not_draft() -> DomainError:
    return conflict("campaign_not_draft",
                    "Chiến dịch đã bắt đầu gửi nên không sửa hay xoá được nữa.",
                    "The campaign has started sending, so it can no longer be changed or "
                    "deleted.")


def get_campaign(session: Session, *, campaign_id: int, lock: bool = False) -> Campaign:
    """The campaign (404 `campaign_not_found`); with `lock`, locked for a change."""
    query = select(Campaign).where(col(Campaign.id) == campaign_id)
    campaign = session.scalars(query.with_for_update() if lock else query).first()
    if campaign is None:
        raise _no_such_campaign()
    return campaign


def draft(session: Session, *, campaign_id: int) -> Campaign:
    """The campaign if it is still a draft (404 `campaign_not_found`, 409
    `campaign_not_draft`), locked for the change."""
    campaign = get_campaign(session, campaign_id=campaign_id, lock=True)
    if campaign.state is not CampaignState.DRAFT:
        raise _not_draft()
    return campaign


def missing_to_start(campaign: Campaign) -> list[str]:
    """What must still be written before the campaign can start (field names)."""
    return [name for name in NEEDED_TO_START if not getattr(campaign, name).strip()]


def refuse_incomplete(campaign: Campaign) -> None:
    """400 `campaign_incomplete` (naming the first field missing) for a campaign that cannot
    start yet: without the Vietnamese subject and text there is nothing to send."""
    missing = missing_to_start(campaign)
    if missing:
        raise invalid("campaign_incomplete",
                      "Hãy viết tiêu đề và nội dung tiếng Việt trước khi bắt đầu gửi.",
                      "Write the Vietnamese subject and text before starting to send.",
                      field=missing[0])


def to_public(campaign: Campaign) -> CampaignPublic:
    return CampaignPublic.model_validate(campaign, update={
        "id": id_of(campaign), "missing": missing_to_start(campaign)})


def create_campaign(session: Session, *, data: CampaignCreate, by: int | None,
                    settings: Settings) -> Campaign:
    """A new draft, as written so far (its segment naming only tiers and events that
    exist)."""
    segments.validated(session, data.segment, settings=settings)
    values = data.model_dump()
    values["coupon_benefit"] = values["coupon_benefit"] or None
    campaign = Campaign(**values, created_by=by)
    session.add(campaign)
    session.flush()
    return campaign


def update_campaign(session: Session, *, campaign_id: int, data: CampaignUpdate,
                    settings: Settings) -> tuple[Campaign, list[str]]:
    """Change a draft; fields left out stay as they are. The campaign, and the names of the
    fields that changed."""
    campaign = draft(session, campaign_id=campaign_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("segment") is not None:
        segments.validated(session, changes["segment"], settings=settings)
    for name in _NOT_NULL:
        if name in changes and changes[name] is None:
            raise invalid("required", "Trường này không được để trống.",
                          "This field cannot be empty.", field=name)
    if "coupon_benefit" in changes:
        changes["coupon_benefit"] = changes["coupon_benefit"] or None
    changed = [name for name, value in changes.items() if getattr(campaign, name) != value]
    for name in changed:
        setattr(campaign, name, changes[name])
    if changed:
        campaign.updated_at = utcnow()
        session.add(campaign)
    return campaign, changed


def delete_campaign(session: Session, *, campaign_id: int) -> Campaign:
    """Delete a draft (nothing was drawn or sent for it)."""
    campaign = draft(session, campaign_id=campaign_id)
    session.delete(campaign)
    session.flush()
    return campaign


def list_campaigns(session: Session, *, before: int | None = None, limit: int = 50
                   ) -> CampaignPage:
    """Campaigns, newest first, a page at a time, each with how many it is sent to and
    how many of those were sent."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(Campaign).order_by(col(Campaign.id).desc()).limit(limit + 1)
    if before is not None:
        query = query.where(col(Campaign.id) < before)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    started = [id_of(row) for row in rows if row.state is not CampaignState.DRAFT]
    recipients, sent = _counts(session, started)
    items = [CampaignListed.model_validate(row, update={
        "id": id_of(row), "recipients": recipients.get(id_of(row), 0),
        "sent": sent.get(id_of(row), 0)}) for row in rows]
    return CampaignPage(items=items, next_cursor=id_of(rows[-1]) if more else None)


def _counts(session: Session, campaign_ids: Sequence[int]
            ) -> tuple[dict[int, int], dict[int, int]]:
    """Each campaign's recipients to send to, and how many of their messages went."""
    if not campaign_ids:
        return {}, {}
    recipients: dict[int, int] = {
        campaign_id: int(count) for campaign_id, count in session.execute(
            select(col(CampaignRecipient.campaign_id), func.count())
            .where(col(CampaignRecipient.campaign_id).in_(campaign_ids),
                   col(CampaignRecipient.group) == RecipientGroup.SEND)
            .group_by(col(CampaignRecipient.campaign_id)))}
    outbox = [(campaign_id, message_id) for campaign_id, message_id in session.execute(
        select(col(CampaignRecipient.campaign_id), col(CampaignRecipient.outbox_id))
        .where(col(CampaignRecipient.campaign_id).in_(campaign_ids),
               col(CampaignRecipient.outbox_id).is_not(None)))]
    states = messaging.delivery_states(session, message_ids=[mid for _, mid in outbox
                                                             if mid is not None])
    sent: dict[int, int] = {}
    for campaign_id, message_id in outbox:
        if message_id is not None and states.get(message_id) is DeliveryState.SENT:
            sent[campaign_id] = sent.get(campaign_id, 0) + 1
    return recipients, sent


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Campaigns' names, by id (for the audit log)."""
    if not ids:
        return {}
    return {campaign_id: name for campaign_id, name in session.execute(
        select(col(Campaign.id), col(Campaign.name)).where(col(Campaign.id).in_(ids)))}
