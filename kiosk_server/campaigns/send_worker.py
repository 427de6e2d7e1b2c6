"""The threads that draw the recipients of the campaigns starting in this process."""

from kiosk_server.campaigns.sending import draw_next_batch, unfinished_starts
from kiosk_server.core.batches import BatchThreads
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database
from kiosk_server.core.signing import TokenSigner


class CampaignStarter(BatchThreads):
    """Draws each starting campaign on a thread of its own, a batch (a short transaction)
    at a time; a start whose process stopped is carried on at start-up, by a repeated
    start, or by `kiosk campaign send`."""

    def __init__(self, database: Database, settings: Settings, signer: TokenSigner) -> None:
        super().__init__(database, name="campaign", unfinished=unfinished_starts,
                         next_batch=lambda campaign_id: draw_next_batch(
                             database, campaign_id, settings=settings, signer=signer))
