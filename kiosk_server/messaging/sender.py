"""The worker that delivers the outbox through its channels, inside the server's event loop.

It wakes when a transaction that queued a message commits (`service.wake_senders`), and
every `POLL_S` seconds for retries and for messages queued by other processes. Each round
reads a batch of due messages of the channels this server delivers and hands each
channel its share over one connection, claiming each message right before it goes and
marking it right after the other side answers it (one short transaction does both), so
that a crash leaves at most one message per channel whose fate is unknown. Each channel
keeps its pace (`KIOSK_EMAIL_PER_SECOND`, `KIOSK_SMS_PER_SECOND`).
Database work runs in a thread and network work in the loop: no request is ever made
while a transaction is open.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database
from kiosk_server.core.types import utcnow
from kiosk_server.messaging import service
from kiosk_server.messaging.channels import ChannelSender, ChannelUnavailable, Outcome, Result
from kiosk_server.messaging.channels.smtp import SmtpChannel
from kiosk_server.messaging.channels.webhook import WebhookChannel
from kiosk_server.messaging.models import Channel
from kiosk_server.messaging.service import RETRY_DELAYS, Outgoing

log = logging.getLogger(__name__)

POLL_S = 5.0
BATCH = 50
STOP_TIMEOUT_S = 10.0


def channels_for(settings: Settings, *, clock: Callable[[], datetime] = utcnow
                 ) -> list[ChannelSender]:
    """The channels these settings set up: e-mail with `KIOSK_SMTP_HOST`, phone messages
    with `KIOSK_WEBHOOK_URL` (a bad secret or CA file stops the start here)."""
    channels: list[ChannelSender] = []
    if service.delivers(settings, Channel.EMAIL):
        channels.append(SmtpChannel(settings, clock=clock))
    if service.delivers(settings, Channel.SMS):
        channels.append(WebhookChannel(settings))
    return channels


class Throttle:
    """At most `per_second` messages a second on one channel (0: no limit), evenly spaced:
    a mail provider's sending limit is kept without bursts."""

    def __init__(self, per_second: float) -> None:
        self._gap = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0

    def delay(self) -> float:
        """How long to wait before the next message may go."""
        return max(0.0, self._next - time.monotonic()) if self._gap else 0.0

    def sent(self) -> None:
        if self._gap:
            self._next = max(self._next, time.monotonic()) + self._gap


class OutboxSender:
    """Delivers due outbox messages while the server runs (only for the channels set up)."""

    def __init__(self, database: Database, settings: Settings, *,
                 clock: Callable[[], datetime] = utcnow,
                 retry_delays: Sequence[timedelta] = RETRY_DELAYS,
                 batch: int = BATCH, poll_s: float = POLL_S,
                 among: ColumnElement[bool] | None = None, inline: bool = False) -> None:
        """`among`: only the messages this condition on the outbox's rows selects (the
        command line sends one campaign's). `inline`: each message's short transaction
        runs on the loop's own thread, not a worker thread: for a process that does
        nothing else meanwhile (the command line), where the hop costs more than the
        transaction; a server's loop must never wait on the database."""
        self._database = database
        self._channels = {sender.channel: sender for sender in channels_for(settings,
                                                                            clock=clock)}
        self._throttles = {Channel.EMAIL: Throttle(settings.email_per_second),
                           Channel.SMS: Throttle(settings.sms_per_second)}
        self._among = among
        self._inline = inline
        self._clock = clock
        self._retry_delays = retry_delays
        self._batch = batch
        self._poll_s = poll_s
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken = asyncio.Event()
        self._stopping = False

    @property
    def enabled(self) -> bool:
        return bool(self._channels)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if not self.enabled or self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._woken = asyncio.Event()
        self._stopping = False
        service.add_waker(self.wake)
        self._task = asyncio.create_task(self._run(), name="kiosk-outbox-sender")

    async def stop(self) -> None:
        """Finish the message in hand, then stop (cancelled only if that takes too long)."""
        if self._task is None:
            return
        service.remove_waker(self.wake)
        self._stopping = True
        self._woken.set()
        try:
            await asyncio.wait_for(self._task, STOP_TIMEOUT_S)
        except TimeoutError:
            log.warning("outbox sender did not stop in time; a message may be left 'sending'")
        self._task = None

    def wake(self) -> None:
        """Deliver now rather than at the next poll; safe to call from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed in between
            loop.call_soon_threadsafe(self._woken.set)

    async def _run(self) -> None:
        while not self._stopping:
            self._woken.clear()
            try:
                handled = await self.run_once()
            except Exception:  # the database was unreachable, say: try again at the next poll
                log.exception("outbox round failed")
                handled = 0
            if handled >= self._batch or self._stopping:
                continue  # more may be due right away
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self._poll_s)

    async def run_once(self) -> int:
        """Read one batch of due messages and deliver it; the number read."""
        batch = await asyncio.to_thread(self._due)
        for channel, sender in self._channels.items():
            share = [message for message in batch if message.channel is channel]
            if share and not self._stopping:
                await self._deliver(sender, share)
        return len(batch)

    async def _deliver(self, sender: ChannelSender, batch: list[Outgoing]) -> None:
        """Each message is claimed right before it goes, in the transaction that records
        how the one before went: one transaction per message, and never more than the
        message in flight left `sending` if the process dies."""
        try:
            connection = await sender.open()
        except ChannelUnavailable as exc:
            log.warning("cannot reach the %s channel: %s", sender.channel.value, exc)
            # each of them was due and could not go: an attempt each
            await asyncio.to_thread(self._unreachable, [m.id for m in batch], str(exc))
            return
        throttle = self._throttles[sender.channel]
        done: tuple[int, Result] | None = None
        try:
            for message in batch:
                if self._stopping:  # the rest were never claimed: they wait in the queue
                    return
                delay = throttle.delay()
                if delay > 0:  # the one sent is recorded now, not after the pause
                    if done is not None:
                        await self._off_loop(self._settle, done, None)
                        done = None
                    await asyncio.sleep(delay)
                claimed = await self._off_loop(self._settle, done, message.id)
                done = None
                if not claimed:  # held, cancelled or taken by another sender meanwhile
                    continue
                throttle.sent()
                result = await connection.send(message)
                done = (message.id, result)
                if not result.usable:  # the connection broke: the rest wait for a next round
                    return
        finally:
            if done is not None:
                await self._off_loop(self._settle, done, None)
            await connection.close()

    async def _off_loop(self, work: Callable[..., bool], *args: object) -> bool:
        return work(*args) if self._inline else await asyncio.to_thread(work, *args)

    def _due(self) -> list[Outgoing]:
        with self._database.session(Access.READ) as session:
            return service.read_due(session, limit=self._batch, now=self._clock(),
                                    channels=list(self._channels), among=self._among)

    def _unreachable(self, message_ids: list[int], error: str) -> None:
        with self._database.session() as session:
            service.fail_unreachable(session, message_ids=message_ids, error=error,
                                     now=self._clock(), delays=self._retry_delays)

    def _settle(self, done: tuple[int, Result] | None, claim: int | None) -> bool:
        """Record how the message just sent went, and claim the next (either may be
        absent), in one transaction; whether the next was claimed."""
        with self._database.session() as session:
            if done is not None:
                self._record(session, *done)
            return claim is not None and service.claim(session, message_id=claim,
                                                       now=self._clock())

    def _record(self, session: Session, message_id: int, result: Result) -> None:
        if result.outcome is Outcome.SENT:
            service.mark_sent(session, message_id=message_id, now=self._clock())
        elif result.outcome is Outcome.REJECTED:
            service.mark_rejected(session, message_id=message_id, error=result.error)
        else:
            service.mark_failed(session, message_id=message_id, error=result.error,
                                now=self._clock(), delays=self._retry_delays)
