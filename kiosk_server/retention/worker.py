"""Keeping statuses current: the full pass (nightly, and `kiosk retention recompute`), and
the customers whose visit or sale was just recorded.

A visit's transaction only puts the customer's id in a set, after its commit (a hook
registered at start-up: check-in and loyalty know nothing of retention); a thread of the
server recomputes the customers of that set a few at a time, in their own short
transactions, so that a check-in never waits for it: half a second after a visit (a
burst at a gate is then a few transactions, not one per scan), at most `DRAIN_BATCH` each
half second, `PER_TRANSACTION` to a transaction, the check-ins waiting for the write lock
first between two; a customer whose recomputation failed is tried again a few seconds
later. The same thread runs the full pass each night at `NIGHTLY_HOUR` (the shop's time),
the return-visit model fitted anew first: days since the last visit grow without any
visit, and the model learns from the day's visits."""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database, commit_without_waiting
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.live.hub import LocalHub
from kiosk_server.retention import fit, service
from kiosk_server.retention.service import BATCH, Moment, StatusHook

log = logging.getLogger(__name__)

NIGHTLY_HOUR = 3
# Customers taken from the visits' set at a time, and recomputed per transaction: small,
# so that a gate's check-ins never wait long for the write lock.
DRAIN_BATCH = 50
PER_TRANSACTION = 10
# A visit's customer is recomputed this long after it at the latest: a gate's burst of
# check-ins is then handled in a few transactions, not one each, between its scans.
SETTLE_S = 0.5
STOP_TIMEOUT_S = 10.0
# Batches of the full pass read at once ahead of the one written (the machine's cores).
READERS = 2
# A customer whose recomputation failed (the database unreachable a moment, say) is tried
# again this long after, `TRIES` times in all; then the nightly pass is left to do it (one
# that always fails must not come back for ever). A nightly pass that failed is run again
# `PASS_RETRY` after.
RETRY_S = 5.0
TRIES = 3
PASS_RETRY = timedelta(minutes=15)


# Told when a full pass has finished, with the time it stood at (a higher domain's daily
# work on the fresh statuses, registered at start-up).
PassHook = Callable[[Database, datetime], None]


@dataclass(frozen=True)
class PassReport:
    customers: int
    changes: int
    seconds: float


def full_pass(database: Database, *, zone: ZoneInfo, hub: LocalHub | None = None,
              now: datetime | None = None, batch: int = BATCH,
              hooks: Sequence[StatusHook] = (), after: Sequence[PassHook] = (),
              refit: bool = False) -> PassReport:
    """Recompute every customer's status, `batch` customers per short transaction (each
    read ahead: `service.recompute`); then tell `after`. With `refit`, the return-visit
    model is fitted first (outside any write transaction; a failed fit leaves the last
    good one in use), and the pass scores with it."""
    started = time.perf_counter()
    if refit:
        fitted = fit.refit(database, zone=zone, now=now)
        if fitted is not None and not fitted.converged:
            log.warning("retention fit failed, the last good one stays: %s", fitted.message)
    with database.session(Access.READ) as session:
        moment = Moment.of(session, zone, now)
    count, changes = 0, 0
    after_id: int | None = 0
    ahead: deque[Future[service.Batch]] = deque()

    def read(ids: list[int]) -> service.Batch:
        with database.session(Access.READ) as session:
            return service.read_batch(session, ids, moment=moment)

    def read_ahead(reader: ThreadPoolExecutor) -> None:
        nonlocal after_id
        while after_id is not None and len(ahead) < READERS:
            with database.session(Access.READ) as session:
                ids = customers.customer_ids(session, after_id=after_id, limit=batch)
            if not ids:
                after_id = None
                return
            ahead.append(reader.submit(read, ids))
            after_id = ids[-1]

    # `READERS` batches are read at once, in threads (the databases' work runs without the
    # interpreter's lock), while the one before them is written.
    with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="kiosk-retention-read"
                            ) as reader:
        read_ahead(reader)
        while ahead:
            current = ahead.popleft().result()
            read_ahead(reader)
            with database.session() as session:
                commit_without_waiting(session)  # statuses: computed again after a crash
                changes += len(service.recompute(session, moment=moment, hub=hub,
                                                 hooks=hooks, read=current))
            database.let_waiting_writers_in()
            count += len(current.ids)
    for hook in after:
        hook(database, moment.now)
    return PassReport(count, changes, time.perf_counter() - started)


def recompute_customers(database: Database, ids: list[int], *, zone: ZoneInfo,
                        hub: LocalHub | None = None, hooks: Sequence[StatusHook] = ()) -> int:
    """Recompute these customers now, `PER_TRANSACTION` to a short transaction (the
    check-ins waiting for the write lock go first between two), each from one statement
    that also reads the thresholds and the model (`service.read_one`); the changes."""
    wanted = sorted(set(ids))
    changes = 0
    for start in range(0, len(wanted), PER_TRANSACTION):
        if start:
            database.let_waiting_writers_in()
        with database.session() as session:
            for customer_id in wanted[start:start + PER_TRANSACTION]:
                moment, reads = service.read_one(session, customer_id=customer_id, zone=zone)
                if reads.ids:  # not a customer erased (or never there): nothing to keep
                    changes += len(service.recompute(session, moment=moment, hub=hub,
                                                     hooks=hooks, reads=reads))
    return changes


class RetentionWorker:
    """The thread that recomputes the customers whose visit was just recorded, and runs
    the nightly pass."""

    def __init__(self, database: Database, settings: Settings, hub: LocalHub | None,
                 hooks: Sequence[StatusHook] = (), after_pass: Sequence[PassHook] = ()
                 ) -> None:
        self._database = database
        self._zone = settings.zone
        self._hub = hub
        self._hooks = tuple(hooks)  # higher domains told of statuses set
        self._after_pass = tuple(after_pass)  # and of each nightly pass done
        self._pending: set[int] = set()
        self._woken = threading.Condition()
        self._stopping = False
        self._stopped = threading.Event()  # wakes the settling wait at once on a stop
        self._thread: threading.Thread | None = None
        self._failures: dict[int, int] = {}  # customer: tries that failed, while retried
        self.recomputed = 0  # customers recomputed from visits (tests wait on it)

    def customer_changed(self, customer_id: int) -> None:
        """After a visit or a sale is committed: the customer's status is to be recomputed
        (by the worker's thread; this returns at once)."""
        with self._woken:
            self._pending.add(customer_id)
            self._woken.notify()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping = False
        self._stopped.clear()
        self._thread = threading.Thread(target=self._run, name="kiosk-retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the transaction in hand, then stop."""
        with self._woken:
            self._stopping = True
            self._woken.notify()
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S)
            self._thread = None

    def _next_night(self) -> datetime:
        local = utcnow().astimezone(self._zone)
        night = local.replace(hour=NIGHTLY_HOUR, minute=0, second=0, microsecond=0)
        return night if night > local else night + timedelta(days=1)

    def _run(self) -> None:
        night = self._next_night()
        while True:
            with self._woken:
                wait_s = max(0.0, (night - utcnow()).total_seconds())
                if not self._pending and not self._stopping:
                    self._woken.wait(min(wait_s, 3600.0))
                waiting = bool(self._pending) and not self._stopping
            if waiting:  # the rest of a burst joins meanwhile (outside the lock)
                self._stopped.wait(SETTLE_S)
            with self._woken:
                if self._stopping:
                    return
                ids = sorted(self._pending)[:DRAIN_BATCH]
                self._pending.difference_update(ids)
            if ids:
                self._recompute(ids)
            if utcnow() >= night:
                try:
                    report = full_pass(self._database, zone=self._zone, hub=self._hub,
                                       hooks=self._hooks, after=self._after_pass, refit=True)
                    log.info("retention pass: %d customers, %d changes, %.1f s",
                             report.customers, report.changes, report.seconds)
                    night = self._next_night()
                except Exception:  # the database was unreachable, say
                    log.exception("retention pass failed; run again in %s", PASS_RETRY)
                    night = utcnow() + PASS_RETRY

    def _recompute(self, ids: list[int]) -> None:
        """Recompute these customers; if that fails, each alone, and those that fail alone
        are put back, tried again after `RETRY_S` (`TRIES` in all)."""
        failed: set[int] = set()
        if not self._recomputed(ids):
            failed = (set(ids) if len(ids) == 1
                      else {c for c in ids if not self._recomputed([c], logged=False)})
        self.recomputed += len(ids) - len(failed)
        with self._woken:
            for customer_id in ids:
                tries = self._failures.pop(customer_id, 0) + 1
                if customer_id not in failed:
                    continue
                if tries < TRIES:
                    self._failures[customer_id] = tries
                    self._pending.add(customer_id)
                else:
                    log.warning("customer %d not recomputed after %d tries: left to the "
                                "nightly pass", customer_id, tries)
        if failed:
            self._stopped.wait(RETRY_S)

    def _recomputed(self, ids: list[int], *, logged: bool = True) -> bool:
        """Recompute these customers; whether that worked (`logged`: a failure is logged)."""
        try:
            recompute_customers(self._database, ids, zone=self._zone, hub=self._hub,
                                hooks=self._hooks)
            return True
        except Exception:  # the database was unreachable, say
            if logged:
                log.exception("retention recomputation of %d customers failed", len(ids))
            return False
