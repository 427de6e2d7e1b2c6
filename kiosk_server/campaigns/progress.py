"""Where a campaign stands: its recipients by group, its messages by delivery state, the
rate over the last minute and the time left; and when it is done."""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Field, Session, SQLModel, col

from kiosk_server.campaigns import service
from kiosk_server.campaigns.models import CampaignRecipient, CampaignState, RecipientGroup
from kiosk_server.campaigns.sending import RUNNING, messages_of, move_state
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database
from kiosk_server.core.types import utcnow
from kiosk_server.messaging import service as messaging

# A message claimed longer ago than the channels' timeout and this was in flight in a
# process that died: its fate is unknown, and it is not sent again.
IN_FLIGHT_GRACE = timedelta(seconds=30)
RATE_WINDOW = timedelta(minutes=1)


class CampaignProgress(SQLModel):
    """Where a campaign stands. `recipients`: the customers sent to (`hold_out` and
    `left_out` are the others the segment matched); `remaining`: of those, the messages
    not sent yet (pending, held or in flight)."""

    state: CampaignState
    recipients: int
    hold_out: int
    left_out: int
    sent: int
    failed: int
    unknown: int = Field(description="claimed by a sender that stopped mid-send: it may have "
                                     "gone out, and is never sent again")
    cancelled: int = Field(description="withdrawn before they went (cancelled, unsubscribed)")
    remaining: int
    unsubscribed: int
    rate_per_min: float = Field(description="messages sent in the last minute")
    eta_s: int | None = Field(description="seconds left at that rate; null when not sending")
    started_at: datetime | None
    finished_at: datetime | None



def in_flight_since(settings: Settings, now: datetime) -> datetime:
    """Messages claimed before this moment are no longer in flight: unknown."""
    longest = max(settings.smtp_timeout_s, settings.webhook_timeout_s)
    return now - timedelta(seconds=longest) - IN_FLIGHT_GRACE


def _groups(session: Session, campaign_id: int) -> dict[RecipientGroup, int]:
    return {group: int(number) for group, number in session.execute(
        select(col(CampaignRecipient.group), func.count())
        .where(col(CampaignRecipient.campaign_id) == campaign_id)
        .group_by(col(CampaignRecipient.group)))}


def progress(session: Session, *, campaign_id: int, settings: Settings,
             now: datetime | None = None, stale: datetime | None = None
             ) -> CampaignProgress:
    """Where the campaign stands now. `stale`: messages claimed before it count as
    unknown (default: `in_flight_since`)."""
    now = now or utcnow()
    campaign = service.get_campaign(session, campaign_id=campaign_id)
    groups = _groups(session, campaign_id)
    tally = messaging.tally(session, among=messages_of(campaign_id),
                            stale=stale or in_flight_since(settings, now),
                            recent=now - RATE_WINDOW)
    unsubscribed = session.scalar(select(func.count()).select_from(CampaignRecipient).where(
        col(CampaignRecipient.campaign_id) == campaign_id,
        col(CampaignRecipient.unsubscribed_at).is_not(None))) or 0
    remaining = tally.pending + tally.held + tally.in_flight
    rate = tally.sent_recently * 60 / RATE_WINDOW.total_seconds()
    sending = campaign.state in RUNNING and rate > 0
    return CampaignProgress(
        state=campaign.state, recipients=groups.get(RecipientGroup.SEND, 0),
        hold_out=groups.get(RecipientGroup.HOLD_OUT, 0),
        left_out=groups.get(RecipientGroup.LEFT_OUT, 0), sent=tally.sent, failed=tally.failed,
        unknown=tally.unknown, cancelled=tally.cancelled, remaining=remaining,
        unsubscribed=int(unsubscribed), rate_per_min=round(rate, 1),
        eta_s=round(remaining * 60 / rate) if sending else None,
        started_at=campaign.started_at, finished_at=campaign.finished_at)


def finish_if_done(session: Session, *, campaign_id: int, settings: Settings,
                   stale: datetime | None = None) -> bool:
    """A sending campaign none of whose messages is pending, held or in flight is done;
    whether it is now."""
    now = utcnow()
    tally = messaging.tally(session, among=messages_of(campaign_id),
                            stale=stale or in_flight_since(settings, now), recent=now)
    if tally.pending or tally.held or tally.in_flight:
        return False
    return move_state(session, campaign_id, (CampaignState.SENDING,), CampaignState.DONE,
                       finished_at=now)


def current_progress(database: Database, *, campaign_id: int, settings: Settings,
                     stale: datetime | None = None) -> CampaignProgress:
    """`progress`, after marking the campaign done if it is (a short write of its own,
    only then)."""
    with database.session(Access.READ) as session:
        found = progress(session, campaign_id=campaign_id, settings=settings, stale=stale)
    if found.state is CampaignState.SENDING and found.remaining == 0:
        with database.session() as session:
            if finish_if_done(session, campaign_id=campaign_id, settings=settings,
                              stale=stale):
                found = progress(session, campaign_id=campaign_id, settings=settings,
                                 stale=stale)
    return found
