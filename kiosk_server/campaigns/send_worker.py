"""The threads that draw the recipients of the campaigns starting in this process."""

import logging
import threading

from kiosk_server.campaigns.sending import draw_next_batch, unfinished_starts
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database
from kiosk_server.core.signing import TokenSigner

_log = logging.getLogger(__name__)


class CampaignStarter:
    """Draws each starting campaign on a thread of its own, a batch (a short transaction)
    at a time; a start whose process stopped is carried on at start-up, by a repeated
    start, or by `kiosk campaign send`."""

    def __init__(self, database: Database, settings: Settings, signer: TokenSigner) -> None:
        self._database = database
        self._settings = settings
        self._signer = signer
        self._threads: dict[int, threading.Thread] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def start(self, campaign_id: int) -> None:
        with self._lock:
            if self._stopping.is_set() or (
                    campaign_id in self._threads and self._threads[campaign_id].is_alive()):
                return
            thread = threading.Thread(target=self.work, args=(campaign_id,), daemon=True,
                                      name=f"campaign-{campaign_id}")
            self._threads[campaign_id] = thread
        thread.start()

    def resume_unfinished(self) -> None:
        with self._database.session(Access.READ) as session:
            campaign_ids = unfinished_starts(session)
        for campaign_id in campaign_ids:
            self.start(campaign_id)

    def work(self, campaign_id: int) -> None:
        """Draw every batch left (in the calling thread)."""
        try:
            while not self._stopping.is_set() and draw_next_batch(
                    self._database, campaign_id, settings=self._settings, signer=self._signer):
                pass
        except Exception:  # carried on at the next start-up or repeated start
            _log.exception("drawing the recipients of campaign %s stopped", campaign_id)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stopping.set()
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout_s)
        self._stopping.clear()  # the same app may be served again (a restart)
