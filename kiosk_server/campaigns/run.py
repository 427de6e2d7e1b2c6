"""A campaign sent from the command line: its start carried on (or begun) and its messages
delivered by this process, until none is left to send."""

import asyncio
from collections.abc import Callable

from kiosk_server.audit.service import AuditLog
from kiosk_server.campaigns import sending
from kiosk_server.campaigns.models import CampaignState
from kiosk_server.campaigns.send_worker import CampaignStarter
from kiosk_server.campaigns.sending import CampaignProgress
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database
from kiosk_server.core.errors import DomainError
from kiosk_server.core.signing import TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.messaging import service as messaging
from kiosk_server.messaging.sender import OutboxSender

CLI_USER = "kiosk-cli"  # who the audit log says started a campaign from the command line
_ENDED = (CampaignState.DONE, CampaignState.CANCELLED, CampaignState.PAUSED)


def begin(database: Database, campaign_id: int, *, settings: Settings) -> None:
    """Start the campaign if it is a draft (recorded in the audit log); refused when this
    machine's settings cannot deliver its channel."""
    with database.session() as session:
        campaign = sending.get(session, campaign_id=campaign_id)
        if not messaging.delivers(settings, campaign.channel):
            raise DomainError(
                "channel_not_set_up", "Máy chủ chưa được cài đặt để gửi qua kênh này.",
                f"This server is not set up to send by {campaign.channel.value} "
                f"(KIOSK_SMTP_HOST or KIOSK_WEBHOOK_URL).")
        sending.start(session, campaign_id=campaign_id,
                      log=AuditLog(session, None, CLI_USER), work=lambda _: None)


async def send(database: Database, campaign_id: int, *, settings: Settings,
               signer: TokenSigner, report: Callable[[CampaignProgress], None],
               poll_s: float = 0.5) -> CampaignProgress:
    """Draw what is left of the recipients (on a thread) while delivering the campaign's
    messages, until none is pending, held or in flight; then where it stands. A message
    claimed before this run began, by a process that stopped, is unknown: not sent again."""
    began = utcnow()
    starter = CampaignStarter(database, settings, signer)
    drawing = asyncio.ensure_future(asyncio.to_thread(starter.work, campaign_id))
    sender = OutboxSender(database, settings, among=sending.messages_of(campaign_id),
                          poll_s=poll_s)
    try:
        while True:
            handled = await sender.run_once()
            stale = max(sending.in_flight_since(settings, utcnow()), began)
            found = await asyncio.to_thread(sending.current_progress, database,
                                            campaign_id=campaign_id, settings=settings,
                                            stale=stale)
            report(found)
            finished = found.state in _ENDED or (found.state is CampaignState.SENDING
                                                 and found.remaining == 0)
            if finished and drawing.done():
                return found
            if not handled:
                await asyncio.sleep(poll_s)
    finally:
        starter.stop(timeout_s=0)
        await drawing
