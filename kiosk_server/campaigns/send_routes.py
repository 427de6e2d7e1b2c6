"""Starting, pausing, resuming and cancelling a campaign, its progress and a preview."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from kiosk_server.campaigns import preview, progress, sending
from kiosk_server.campaigns.preview import CampaignPreview, PreviewRequest
from kiosk_server.campaigns.progress import CampaignProgress
from kiosk_server.campaigns.send_worker import CampaignStarter
from kiosk_server.core.deps import DatabaseDep, SessionDep, SettingsDep, SignerDep
from kiosk_server.core.types import Id
from kiosk_server.staff.deps import AdminOnly, Audit

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])


async def _starter(request: Request) -> CampaignStarter:
    return request.app.state.campaign_starter


# Draws the recipients of the campaigns this server starts, once the request commits.
StarterDep = Annotated[CampaignStarter, Depends(_starter)]


@router.post("/{campaign_id}/start", response_model=CampaignProgress)
def start_campaign(campaign_id: Id, session: SessionDep, settings: SettingsDep,
                   starter: StarterDep, caller: AdminOnly, log: Audit):
    """Admin. Start a draft: its recipients are drawn a batch at a time (each sent to, in
    the random hold-out, or left out with why) and each one's message queued; follow
    `GET .../progress`. A repeat (or a start of a running campaign) acts no more. 400
    `campaign_incomplete` without a Vietnamese subject and text."""
    sending.start(session, campaign_id=campaign_id, log=log, work=starter.start)
    return progress.progress(session, campaign_id=campaign_id, settings=settings)


@router.post("/{campaign_id}/pause", response_model=CampaignProgress)
def pause_campaign(campaign_id: Id, session: SessionDep, settings: SettingsDep,
                   caller: AdminOnly, log: Audit):
    """Admin. Hold the messages not sent yet (the one in flight still goes); a repeat acts
    no more; 409 `campaign_not_running` for a draft or a finished campaign."""
    sending.pause(session, campaign_id=campaign_id, log=log)
    return progress.progress(session, campaign_id=campaign_id, settings=settings)


@router.post("/{campaign_id}/resume", response_model=CampaignProgress)
def resume_campaign(campaign_id: Id, session: SessionDep, settings: SettingsDep,
                    starter: StarterDep, caller: AdminOnly, log: Audit):
    """Admin. Send the held messages (and draw the rest of the recipients if the pause
    came while they were being drawn); a repeat acts no more."""
    sending.resume(session, campaign_id=campaign_id, log=log, work=starter.start)
    return progress.progress(session, campaign_id=campaign_id, settings=settings)


@router.post("/{campaign_id}/cancel", response_model=CampaignProgress)
def cancel_campaign(campaign_id: Id, session: SessionDep, settings: SettingsDep,
                    caller: AdminOnly, log: Audit):
    """Admin. Withdraw the messages not sent yet, for good (409 `campaign_finished` once
    every message went); a repeat acts no more."""
    sending.cancel(session, campaign_id=campaign_id, log=log)
    return progress.progress(session, campaign_id=campaign_id, settings=settings)


@router.get("/{campaign_id}/progress", response_model=CampaignProgress)
def campaign_progress(campaign_id: Id, database: DatabaseDep, settings: SettingsDep,
                      caller: AdminOnly):
    """Admin. Sent, failed, unknown and remaining messages, the rate over the last minute
    and the time left at that rate; the campaign is marked done when nothing is left."""
    return progress.current_progress(database, campaign_id=campaign_id, settings=settings)


@router.post("/{campaign_id}/preview", response_model=CampaignPreview)
def preview_campaign(campaign_id: Id, body: PreviewRequest, session: SessionDep,
                     settings: SettingsDep, signer: SignerDep, caller: AdminOnly):
    """Admin. The message this customer would get (their name, tier, points, language;
    a coupon shown as a sample). Changes nothing."""
    return preview.preview(session, campaign_id=campaign_id, customer_id=body.customer_id,
                           settings=settings, signer=signer)
