"""The threads that work an event's invitation sends in this process."""

import logging
import threading

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database
from kiosk_server.core.signing import TokenSigner
from kiosk_server.events.sending import send_next_batch, unfinished

_log = logging.getLogger(__name__)


class InvitationSender:
    """Works the sends of this process, each on a thread of its own, one batch (a short
    transaction) at a time; a send whose process stopped is carried on by the next
    request about it, or at start-up."""

    def __init__(self, database: Database, settings: Settings, signer: TokenSigner) -> None:
        self._database = database
        self._settings = settings
        self._signer = signer
        self._threads: dict[int, threading.Thread] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def start(self, run_id: int) -> None:
        with self._lock:
            if self._stopping.is_set() or (
                    run_id in self._threads and self._threads[run_id].is_alive()):
                return
            thread = threading.Thread(target=self._work, args=(run_id,), daemon=True,
                                      name=f"invitations-{run_id}")
            self._threads[run_id] = thread
        thread.start()

    def resume_unfinished(self) -> None:
        with self._database.session(Access.READ) as session:
            run_ids = unfinished(session)
        for run_id in run_ids:
            self.start(run_id)

    def _work(self, run_id: int) -> None:
        try:
            while not self._stopping.is_set() and send_next_batch(
                    self._database, run_id, self._settings, self._signer):
                pass
        except Exception:  # the next request about this send carries it on
            _log.exception("sending the invitations of send %s stopped", run_id)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stopping.set()
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout_s)
        self._stopping.clear()  # the same app may be served again (a restart)
