"""A real SMTP server (aiosmtpd) and a real HTTP gateway on free local ports, collecting
what they are sent."""

import asyncio
import contextlib
import email
import ssl
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from examples.webhook_receiver import Refused, verify
from kiosk_server.core.config import Settings
from kiosk_server.core.types import utcnow
from tests.conftest import free_port

T = TypeVar("T")


class Inbox:
    """Collects the messages an SMTP server accepts; refuses the addresses in `refuse`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(email.message_from_bytes(envelope.original_content or
                                                      envelope.content, policy=default))
        return "250 Message accepted"


class MailServer:
    """An SMTP server that can be started late (a server that was down comes up).

    `tls`: None (plain), "starttls" (it requires STARTTLS before any mail) or "implicit"
    (TLS from the first byte), with `certificate` (a server-side SSL context)."""

    def __init__(self, tls: str | None = None, certificate: ssl.SSLContext | None = None
                 ) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.tls = tls
        self._certificate = certificate
        self._controller: Controller | None = None

    def start(self) -> None:
        options: dict[str, Any] = {}
        if self.tls == "starttls":
            options = {"tls_context": self._certificate, "require_starttls": True}
        elif self.tls == "implicit":
            options = {"ssl_context": self._certificate}
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                      **options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings_for(self, settings: Settings) -> Settings:
        return settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_timeout_s": 5.0,
            "smtp_starttls": self.tls == "starttls", "smtp_tls": self.tls == "implicit"})


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A running SMTP server."""
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def down_mail_server() -> Iterator[MailServer]:
    """An SMTP server's address, not yet listening; `start()` brings it up."""
    server = MailServer()
    yield server
    server.stop()


def wait_for(condition: Callable[[], object], timeout_s: float = 10.0) -> object:
    """Poll `condition` until it is truthy; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.02)
    raise AssertionError(f"not true within {timeout_s} s")


class LoopThread:
    """An event loop on its own thread, as the server runs the sender in its own loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    runner = LoopThread()
    yield runner
    runner.close()


class Clock:
    """A clock the test moves by hand (retry delays without waiting minutes)."""

    def __init__(self) -> None:
        self.now = utcnow() + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


WEBHOOK_SECRET = "webhook-secret-" + "w" * 40


class Gateway:
    """A real HTTP server standing for a shop's SMS gateway: it checks each request with the
    README's `verify`, counts arrivals by message id, and answers as `plan` says, one
    entry per request ("ok", "503", "sleep", "hold"), then "ok"."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/kiosk"
        self.arrivals: list[int] = []
        self.refused: list[str] = []
        self.plan: list[str] = []
        self.sleep_s = 0.0
        self.arrived = threading.Event()
        self.release = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    message = verify(WEBHOOK_SECRET.encode(), self.headers, body)
                except Refused as exc:
                    gateway.refused.append(str(exc))
                    self._answer(401)
                    return
                gateway.arrivals.append(message["id"])
                gateway.messages.append(message)
                gateway.arrived.set()
                step = gateway.plan.pop(0) if gateway.plan else "ok"
                if step == "sleep":
                    time.sleep(gateway.sleep_s)
                elif step == "hold":
                    gateway.release.wait(30)
                if step != "503":
                    gateway.delivered.append(message["id"])
                self._answer(503 if step == "503" else 200)

            def _answer(self, status: int) -> None:
                with contextlib.suppress(OSError):  # the client gave up (a timeout)
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.messages: list[dict] = []
        self.delivered: list[int] = []  # arrivals answered 200
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def settings_for(self, settings: Settings, timeout_s: float = 5.0) -> Settings:
        return settings.model_copy(update={
            "webhook_url": self.url, "webhook_secret": SecretStr(WEBHOOK_SECRET),
            "webhook_timeout_s": timeout_s})


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    server = Gateway()
    yield server
    server.stop()
