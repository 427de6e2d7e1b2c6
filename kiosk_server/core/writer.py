"""Group commit: hot writes queue up and are committed together.

A check-in is a handful of short statements; what costs is everything around
them: a thread hop per request, a transaction per request, and on SQLite one
writer at a time. `WriteQueue` runs jobs on dedicated writer threads, each
holding one connection. A thread takes every job waiting (up to `max_batch`),
runs them one after another inside one transaction, each under its own
savepoint, and commits once. Under load a batch holds many jobs, so the cost
of a commit is shared; when idle a batch is a single job and nothing waits.

Each job is isolated: an exception rolls back that job's savepoint only and is
raised to its caller; the other jobs of the batch are committed. A caller gets
its answer only after the commit, so an answer always describes saved data.
If the commit itself fails, every job of the batch gets that error.
"""

import asyncio
import queue
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

T = TypeVar("T")
# Where a job's after-commit hooks are collected (see `db.on_commit`).
HOOKS_KEY = "kiosk_after_commit"
_MEMO_KEY = "kiosk_batch_memo"


def batch_memo(db: Any) -> dict:
    """A dict that lives as long as the current batch's transaction (empty outside a writer).

    For lookups many jobs of one batch repeat and none of them changes (who a token
    belongs to, an event's rules): one query per batch instead of one per job."""
    info = getattr(db, "info", None)
    memo = info.get(_MEMO_KEY) if info is not None else None
    return memo if memo is not None else {}


Job = Callable[[Connection], T]


@dataclass
class _Pending:
    job: Job
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future
    result: Any = None
    error: BaseException | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)


_STOP = object()


class WriteQueue:
    """Writer threads that run queued jobs in shared transactions (group commit)."""

    def __init__(self, engine: Engine, *, threads: int = 1,
                 lock: AbstractContextManager | None = None, max_batch: int = 64) -> None:
        self._engine = engine
        self._threads_wanted = threads
        self._lock = lock
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()

    async def run(self, job: Job[T]) -> T:
        """Run `job(connection)` in a writer's transaction; return its result once committed."""
        loop = asyncio.get_running_loop()
        pending = _Pending(job=job, loop=loop, future=loop.create_future())
        self._ensure_started()
        self._queue.put(pending)
        return await pending.future

    def _ensure_started(self) -> None:
        if self._threads:
            return
        with self._start_lock:
            if self._threads:
                return
            for n in range(self._threads_wanted):
                thread = threading.Thread(target=self._work, name=f"kiosk-writer-{n}",
                                          daemon=True)
                thread.start()
                self._threads.append(thread)

    def close(self) -> None:
        """Finish the queued jobs, then stop the writer threads."""
        for _ in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()

    def _more(self, batch: list[_Pending]) -> None:
        """Add the jobs waiting now to `batch`, up to the batch size."""
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is _STOP:
                self._queue.put(_STOP)
                return
            batch.append(item)

    def _work(self) -> None:
        connection: Connection | None = None
        try:
            while (first := self._queue.get()) is not _STOP:
                if connection is None or connection.closed:
                    connection = self._engine.connect()
                self._run_batch(connection, [first])
        finally:
            if connection is not None:
                connection.close()

    def _run_batch(self, connection: Connection, batch: list[_Pending]) -> None:
        try:
            with self._lock or nullcontext():
                # Gathered once the lock is held: what arrived while waiting joins this batch.
                self._more(batch)
                with connection.begin():
                    connection.info[_MEMO_KEY] = {}
                    driver = connection.connection.driver_connection
                    for pending in batch:
                        _run_isolated(connection, driver, pending)
        except BaseException as exc:  # the commit failed: nothing of this batch was saved
            for pending in batch:
                if pending.error is None:
                    pending.error = exc
                pending.after_commit.clear()
        finally:
            connection.info.pop(_MEMO_KEY, None)
        by_loop: dict[asyncio.AbstractEventLoop, list[_Pending]] = {}
        for pending in batch:
            for hook in pending.after_commit:
                hook()
            by_loop.setdefault(pending.loop, []).append(pending)
        for loop, settled in by_loop.items():  # one wake-up of each event loop per batch
            loop.call_soon_threadsafe(_settle, settled)


def _run_isolated(connection: Connection, driver: Any, pending: _Pending) -> None:
    # Savepoints on the driver directly: a few microseconds on SQLite, one round trip on
    # PostgreSQL, and the job's statements stay plain Core statements on `connection`.
    driver.execute("SAVEPOINT kiosk_job")
    try:
        connection.info[HOOKS_KEY] = pending.after_commit
        pending.result = pending.job(connection)
    except BaseException as exc:
        pending.error = exc
        pending.after_commit.clear()
        driver.execute("ROLLBACK TO SAVEPOINT kiosk_job")
    finally:
        connection.info.pop(HOOKS_KEY, None)
    driver.execute("RELEASE SAVEPOINT kiosk_job")


def _settle(batch: list[_Pending]) -> None:
    for pending in batch:
        if pending.future.cancelled():
            continue
        if pending.error is not None:
            pending.future.set_exception(pending.error)
        else:
            pending.future.set_result(pending.result)
