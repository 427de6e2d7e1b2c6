"""E-mail over SMTP (aiosmtplib): one connection per batch, each message marked as the
mail server answers it."""

import base64
import functools
import secrets
import ssl
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

import aiosmtplib

from kiosk_server.core.config import Settings
from kiosk_server.core.types import utcnow
from kiosk_server.messaging.channels import (
    ChannelUnavailable,
    Connection,
    Outcome,
    Result,
    describe,
)
from kiosk_server.messaging.models import Channel
from kiosk_server.messaging.service import Outgoing

# Errors of the connection itself: the message was not refused, the server was not reached.
_CONNECTION_ERRORS = (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError,
                      aiosmtplib.SMTPTimeoutError, OSError, TimeoutError)


class SmtpChannel:
    channel = Channel.EMAIL

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._settings = settings
        self._clock = clock
        # The mail server's certificate is always verified: against the system's CAs, or
        # only those of KIOSK_SMTP_CA_FILE (read now: a missing file stops the start).
        self._tls = (ssl.create_default_context(cafile=settings.smtp_ca_file)
                     if settings.smtp_ca_file else None)

    async def open(self) -> Connection:
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
            raise ChannelUnavailable(describe(exc)) from exc
        return _SmtpConnection(smtp, sender=settings.mail_from, clock=self._clock)


class _SmtpConnection:
    def __init__(self, smtp: aiosmtplib.SMTP, *, sender: str,
                 clock: Callable[[], datetime]) -> None:
        self._smtp = smtp
        self._sender = sender
        self._envelope_from = parseaddr(sender)[1]
        self._clock = clock

    async def send(self, message: Outgoing) -> Result:
        smtp = self._smtp
        data = build_email(message, sender=self._sender, now=self._clock())
        try:
            await smtp.sendmail(self._envelope_from, [message.to_address], data)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            refusal = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            final = bool(codes) and all(code >= 500 for code in codes)
            return Result(Outcome.REJECTED if final else Outcome.RETRY, refusal,
                          usable=smtp.is_connected)
        except aiosmtplib.SMTPResponseException as exc:
            return Result(Outcome.REJECTED if exc.code >= 500 else Outcome.RETRY,
                          describe(exc), usable=smtp.is_connected)
        except (aiosmtplib.SMTPException, *_CONNECTION_ERRORS) as exc:
            return Result(Outcome.RETRY, describe(exc), usable=False)
        return Result(Outcome.SENT)

    async def close(self) -> None:
        if self._smtp.is_connected:
            try:
                await self._smtp.quit()
            except (aiosmtplib.SMTPException, *_CONNECTION_ERRORS):
                self._smtp.close()


def build_email(message: Outgoing, *, sender: str, now: datetime | None = None) -> bytes:
    """The MIME message, CRLF-ended: plain text, with the HTML as an alternative whose
    inline images are `related` parts named by Content-ID; a marketing message's one-click
    unsubscribe headers (RFC 2369, RFC 8058: a mail program's "unsubscribe" button POSTs
    `List-Unsubscribe=One-Click` to the address, no page to open). Every part is UTF-8 in
    base64 and every header with more than ASCII an encoded word, so any text arrives as
    written.

    Written by hand rather than with `email.message.EmailMessage`, whose header folding
    and generator cost about 5 ms a message (measured: most of a campaign's send)."""
    address = parseaddr(sender)[1]
    headers = [
        ("From", _from_header(sender)),
        ("To", message.to_address),
        ("Subject", _encoded(message.subject)),
        ("Date", format_datetime(now or utcnow())),
        # The outbox id in the Message-ID lets a mail log be matched to its row.
        ("Message-ID", make_msgid(idstring=f"outbox.{message.id}",
                                  domain=address.rpartition("@")[2] or "localhost")),
        ("MIME-Version", "1.0"),
    ]
    if message.unsubscribe_url:
        headers += [("List-Unsubscribe", f"<{message.unsubscribe_url}>"),
                    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    text = _part("text/plain; charset=\"utf-8\"", message.body_text.encode())
    if not message.body_html:
        body = text
    else:
        html = _part("text/html; charset=\"utf-8\"", message.body_html.encode())
        if message.images:
            html = _multipart("related", [html] + [
                _part(image.content_type, image.content,
                      [("Content-ID", f"<{image.cid}>"),
                       ("Content-Disposition", f'inline; filename="{image.cid}.'
                                               f'{image.content_type.split("/", 1)[1]}"')])
                for image in message.images])
        body = _multipart("alternative", [text, html])
    head = "".join(f"{key}: {value}\r\n" for key, value in headers)
    return head.encode() + body


@functools.lru_cache(maxsize=8)
def _from_header(sender: str) -> str:
    return formataddr(parseaddr(sender), charset="utf-8")


def _encoded(text: str) -> str:
    """A header's text as RFC 2047 encoded words (UTF-8, base64), each under 76
    characters and whole characters only, on folded lines; ASCII as it is."""
    if text.isascii():
        return text
    words: list[str] = []
    chunk = b""
    for character in text:
        encoded = character.encode()
        if len(chunk) + len(encoded) > 45:  # 45 bytes: 60 in base64, 72 with the frame
            words.append(chunk.decode())
            chunk = b""
        chunk += encoded
    words.append(chunk.decode())
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word.encode()).decode()}?="
                          for word in words)


def _part(content_type: str, content: bytes, extra: list[tuple[str, str]] | None = None
          ) -> bytes:
    lines = [("Content-Type", content_type), ("Content-Transfer-Encoding", "base64"),
             *(extra or [])]
    head = "".join(f"{key}: {value}\r\n" for key, value in lines)
    return (head + "\r\n").encode() + base64.encodebytes(content).replace(b"\n", b"\r\n")


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    boundary = f"=_kiosk_{secrets.token_hex(12)}"  # base64 parts can never contain it
    inner = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return (f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\n".encode()
            + inner + b"--" + boundary.encode() + b"--\r\n")
