"""The worker that delivers the outbox through its channels, inside the server's event loop.

It wakes when a transaction that queued a message commits (`service.wake_senders`), and
every `POLL_S` seconds for retries and for messages queued by other processes. Each round
claims a batch of due messages of the channels this server delivers and hands each
channel its share over one connection, marking each message right after the other side
answers it, so that a crash leaves at most one message per channel whose fate is unknown.
Database work runs in a thread and network work in the loop: no request is ever made
while a transaction is open.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database
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


class OutboxSender:
    """Delivers due outbox messages while the server runs (only for the channels set up)."""

    def __init__(self, database: Database, settings: Settings, *,
                 clock: Callable[[], datetime] = utcnow,
                 retry_delays: Sequence[timedelta] = RETRY_DELAYS,
                 batch: int = BATCH, poll_s: float = POLL_S) -> None:
        self._database = database
        self._channels = {sender.channel: sender for sender in channels_for(settings,
                                                                            clock=clock)}
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
        """Claim one batch of due messages and deliver it; the number claimed."""
        batch = await asyncio.to_thread(self._claim)
        for channel, sender in self._channels.items():
            share = [message for message in batch if message.channel is channel]
            if not share:
                continue
            if self._stopping:
                await asyncio.to_thread(self._release, [m.id for m in share])
            else:
                await self._deliver(sender, share)
        return len(batch)

    async def _deliver(self, sender: ChannelSender, batch: list[Outgoing]) -> None:
        try:
            connection = await sender.open()
        except ChannelUnavailable as exc:
            log.warning("cannot reach the %s channel: %s", sender.channel.value, exc)
            for message in batch:  # each of them was due and could not go: an attempt each
                await asyncio.to_thread(self._record, message.id, Result(Outcome.RETRY, str(exc)))
            return
        try:
            for index, message in enumerate(batch):
                if self._stopping:  # the rest were never tried: back to the queue
                    await asyncio.to_thread(self._release, [m.id for m in batch[index:]])
                    return
                result = await connection.send(message)
                await asyncio.to_thread(self._record, message.id, result)
                if not result.usable:  # the connection broke: the rest wait for a next round
                    await asyncio.to_thread(self._release, [m.id for m in batch[index + 1:]])
                    return
        finally:
            await connection.close()

    def _claim(self) -> list[Outgoing]:
        with self._database.session() as session:
            return service.claim_due(session, limit=self._batch, now=self._clock(),
                                     channels=list(self._channels))

    def _record(self, message_id: int, result: Result) -> None:
        with self._database.session() as session:
            if result.outcome is Outcome.SENT:
                service.mark_sent(session, message_id=message_id, now=self._clock())
            elif result.outcome is Outcome.REJECTED:
                service.mark_rejected(session, message_id=message_id, error=result.error)
            else:
                service.mark_failed(session, message_id=message_id, error=result.error,
                                    now=self._clock(), delays=self._retry_delays)

    def _release(self, message_ids: list[int]) -> None:
        if message_ids:
            with self._database.session() as session:
                service.release(session, message_ids=message_ids)
