"""The threads that work an event's invitation sends in this process."""

from kiosk_server.core.batches import BatchThreads
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database
from kiosk_server.core.signing import TokenSigner
from kiosk_server.events.sending import send_next_batch, unfinished


class InvitationSender(BatchThreads):
    """Works the sends of this process, each on a thread of its own, one batch (a short
    transaction) at a time; a send whose process stopped is carried on by the next
    request about it, or at start-up."""

    def __init__(self, database: Database, settings: Settings, signer: TokenSigner) -> None:
        super().__init__(database, name="invitations", unfinished=unfinished,
                         next_batch=lambda run_id: send_next_batch(database, run_id,
                                                                   settings, signer))
