"""The worker that delivers the outbox over SMTP, inside the server's event loop.

It wakes when a transaction that queued mail commits (`service.wake_senders`), and
every `POLL_S` seconds for retries and for mail queued by other processes. Each round
claims a batch of due messages and sends them over one SMTP connection, marking each
message right after the server answers it, so that a crash leaves at most one message
whose fate is unknown. Database work runs in a thread: the event loop never waits on it.
"""

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import aiosmtplib

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database
from kiosk_server.core.types import utcnow
from kiosk_server.messaging import service
from kiosk_server.messaging.service import RETRY_DELAYS, Outgoing

log = logging.getLogger(__name__)

POLL_S = 5.0
BATCH = 50
STOP_TIMEOUT_S = 10.0
# Errors of the connection itself: the message was not refused, the server was not reached.
_CONNECTION_ERRORS = (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError,
                      aiosmtplib.SMTPTimeoutError, OSError, TimeoutError)


class OutboxSender:
    """Delivers due outbox messages while the server runs (only when SMTP is configured)."""

    def __init__(self, database: Database, settings: Settings, *,
                 clock: Callable[[], datetime] = utcnow,
                 retry_delays: Sequence[timedelta] = RETRY_DELAYS,
                 batch: int = BATCH, poll_s: float = POLL_S) -> None:
        self._database = database
        self._settings = settings
        self._clock = clock
        self._retry_delays = retry_delays
        self._batch = batch
        self._poll_s = poll_s
        # The mail server's certificate is always verified: against the system's CAs, or
        # only those of KIOSK_SMTP_CA_FILE (read now: a missing file stops the start).
        self._tls = (ssl.create_default_context(cafile=settings.smtp_ca_file)
                     if settings.smtp_ca_file else None)
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken = asyncio.Event()
        self._stopping = False

    @property
    def enabled(self) -> bool:
        return service.sends_mail(self._settings)

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
        if batch:
            await self._deliver(batch)
        return len(batch)

    async def _deliver(self, batch: list[Outgoing]) -> None:
        settings = self._settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        smtp = aiosmtplib.SMTP(hostname=settings.smtp_host, port=settings.smtp_port,
                               username=settings.smtp_username, password=password,
                               use_tls=settings.smtp_tls,
                               start_tls=settings.smtp_starttls and not settings.smtp_tls,
                               tls_context=self._tls, timeout=settings.smtp_timeout_s)
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, *_CONNECTION_ERRORS) as exc:
            log.warning("cannot reach the mail server: %s", exc)
            for message in batch:  # each of them was due and could not go: an attempt each
                await asyncio.to_thread(self._failed, message.id, _describe(exc))
            return
        try:
            for index, message in enumerate(batch):
                if self._stopping or not await self._send_one(smtp, message):
                    # Stopping, or the connection broke: the rest were never tried, and go
                    # back to the queue for the next round (of this process or another).
                    start = index if self._stopping else index + 1
                    await asyncio.to_thread(self._release, [m.id for m in batch[start:]])
                    return
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, *_CONNECTION_ERRORS):
                    smtp.close()

    async def _send_one(self, smtp: aiosmtplib.SMTP, message: Outgoing) -> bool:
        """Send and mark one message; False when the connection is no longer usable."""
        email = service.build_email(message, sender=self._settings.mail_from, now=self._clock())
        try:
            await smtp.send_message(email)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            refusal = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            if codes and all(code >= 500 for code in codes):
                await asyncio.to_thread(self._rejected, message.id, refusal)
            else:
                await asyncio.to_thread(self._failed, message.id, refusal)
            return smtp.is_connected
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= 500:
                await asyncio.to_thread(self._rejected, message.id, _describe(exc))
            else:
                await asyncio.to_thread(self._failed, message.id, _describe(exc))
            return smtp.is_connected
        except (aiosmtplib.SMTPException, *_CONNECTION_ERRORS) as exc:
            await asyncio.to_thread(self._failed, message.id, _describe(exc))
            return False
        await asyncio.to_thread(self._sent, message.id)
        return True

    def _claim(self) -> list[Outgoing]:
        with self._database.session() as session:
            return service.claim_due(session, limit=self._batch, now=self._clock())

    def _sent(self, message_id: int) -> None:
        with self._database.session() as session:
            service.mark_sent(session, message_id=message_id, now=self._clock())

    def _failed(self, message_id: int, error: str) -> None:
        with self._database.session() as session:
            service.mark_failed(session, message_id=message_id, error=error, now=self._clock(),
                                delays=self._retry_delays)

    def _rejected(self, message_id: int, error: str) -> None:
        with self._database.session() as session:
            service.mark_rejected(session, message_id=message_id, error=error)

    def _release(self, message_ids: list[int]) -> None:
        if message_ids:
            with self._database.session() as session:
                service.release(session, message_ids=message_ids)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]
