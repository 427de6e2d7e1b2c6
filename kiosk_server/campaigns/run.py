"""A campaign sent from the command line: its start carried on (or begun) and its messages
delivered by this process, until none is left to send."""

import asyncio
import multiprocessing
import time
from collections.abc import Callable

from kiosk_server.audit.service import AuditLog
from kiosk_server.campaigns import progress, sending, service
from kiosk_server.campaigns.models import CampaignState
from kiosk_server.campaigns.progress import CampaignProgress
from kiosk_server.campaigns.send_worker import CampaignStarter
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database
from kiosk_server.core.errors import DomainError
from kiosk_server.core.signing import TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.messaging import service as messaging
from kiosk_server.messaging.sender import OutboxSender

CLI_USER = "kiosk-cli"  # who the audit log says started a campaign from the command line
REPORT_EVERY_S = 0.5
_ENDED = (CampaignState.DONE, CampaignState.CANCELLED, CampaignState.PAUSED)


def begin(database: Database, campaign_id: int, *, settings: Settings) -> None:
    """Start the campaign if it is a draft (recorded in the audit log); refused when this
    machine's settings cannot deliver its channel."""
    with database.session() as session:
        campaign = service.get_campaign(session, campaign_id=campaign_id)
        if not messaging.delivers(settings, campaign.channel):
            raise DomainError(
                "channel_not_set_up", "Máy chủ chưa được cài đặt để gửi qua kênh này.",
                f"This server is not set up to send by {campaign.channel.value} "
                f"(KIOSK_SMTP_HOST or KIOSK_WEBHOOK_URL).")
        sending.start(session, campaign_id=campaign_id,
                      log=AuditLog(session, None, CLI_USER), work=lambda _: None)


def _draw(settings: Settings, campaign_id: int) -> None:
    """What is left of the recipients, drawn in a process of its own."""
    database = Database(settings.resolved_database_url)
    try:
        CampaignStarter(database, settings, TokenSigner(settings.signing_key)).work(campaign_id)
    finally:
        database.dispose()


async def send(database: Database, campaign_id: int, *, settings: Settings,
               report: Callable[[CampaignProgress], None], poll_s: float = 0.5
               ) -> CampaignProgress:
    """Draw what is left of the recipients while delivering the campaign's messages, until
    none is pending, held or in flight; then where it stands. A message claimed before this
    run began, by a process that stopped, is unknown: not sent again.

    The drawing (a QR code and a message per recipient: CPU work) runs in a child process,
    so that it and the sending (mostly waiting on the mail server) use two cores rather
    than taking turns on one. Killing either half-way is safe: each batch of recipients is
    written whole or not at all, and the next run carries on."""
    began = utcnow()
    drawer = multiprocessing.get_context("fork").Process(
        target=_draw, args=(settings, campaign_id), name=f"campaign-{campaign_id}-draw",
        daemon=True)
    drawer.start()
    sender = OutboxSender(database, settings, among=sending.messages_of(campaign_id),
                          poll_s=poll_s, inline=True)
    reported = 0.0
    try:
        while True:
            handled = await sender.run_once()
            if handled and time.monotonic() - reported < REPORT_EVERY_S:
                continue  # counting takes a query over the campaign: not after every batch
            reported = time.monotonic()
            stale = max(progress.in_flight_since(settings, utcnow()), began)
            found = progress.current_progress(database, campaign_id=campaign_id,
                                             settings=settings, stale=stale)
            report(found)
            finished = found.state in _ENDED or (found.state is CampaignState.SENDING
                                                 and found.remaining == 0)
            if finished and not drawer.is_alive():
                return found
            if not handled:
                await asyncio.sleep(poll_s)
    finally:
        if drawer.is_alive():
            drawer.terminate()
        drawer.join()
