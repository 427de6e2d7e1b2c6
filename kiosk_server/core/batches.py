"""Long jobs worked in short transactions, each on a thread of its own in this process.

A job (an event's invitation send, a campaign's draw...) is a sequence of batches, each
one short transaction that lets the check-in writer take its turn between two; a job
whose process stopped is found again by the caller's `unfinished` and carried on."""

import logging
import threading
from collections.abc import Callable

from sqlmodel import Session

from kiosk_server.core.db import Access, Database

_log = logging.getLogger(__name__)


class BatchThreads:
    """Works each job on a thread of its own until `next_batch(job_id)` says no batch is
    left (False); `unfinished(session)` names the jobs to carry on at start-up."""

    def __init__(self, database: Database, *, name: str, next_batch: Callable[[int], bool],
                 unfinished: Callable[[Session], list[int]]) -> None:
        self._database = database
        self._name = name
        self._next_batch = next_batch
        self._unfinished = unfinished
        self._threads: dict[int, threading.Thread] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def start(self, job_id: int) -> None:
        """Work the job on its own thread, unless one already does (or we are stopping)."""
        with self._lock:
            if self._stopping.is_set() or (
                    job_id in self._threads and self._threads[job_id].is_alive()):
                return
            thread = threading.Thread(target=self.work, args=(job_id,), daemon=True,
                                      name=f"{self._name}-{job_id}")
            self._threads[job_id] = thread
        thread.start()

    def resume_unfinished(self) -> None:
        with self._database.session(Access.READ) as session:
            job_ids = self._unfinished(session)
        for job_id in job_ids:
            self.start(job_id)

    def work(self, job_id: int) -> None:
        """Every batch left, in the calling thread; a failure is logged, and the job is
        carried on by whoever starts it next (or at the next start-up)."""
        try:
            while not self._stopping.is_set() and self._next_batch(job_id):
                pass
        except Exception:
            _log.exception("%s %s stopped", self._name, job_id)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stopping.set()
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout_s)
        self._stopping.clear()  # the same app may be served again (a restart)
