"""E-mail over SMTP (aiosmtplib): one connection per batch, each message marked as the
mail server answers it."""

import ssl
from collections.abc import Callable
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

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
        self._clock = clock

    async def send(self, message: Outgoing) -> Result:
        smtp = self._smtp
        email = build_email(message, sender=self._sender, now=self._clock())
        try:
            await smtp.send_message(email)
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


def build_email(message: Outgoing, *, sender: str, now: datetime | None = None
                ) -> EmailMessage:
    """The MIME message: plain text, with the HTML as an alternative whose inline images
    are `related` parts named by Content-ID; a marketing message's one-click unsubscribe
    headers."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now or utcnow())
    from_address = email["From"].addresses[0] if email["From"].addresses else Address()
    # The outbox id in the Message-ID lets a mail log be matched to its row.
    email["Message-ID"] = make_msgid(idstring=f"outbox.{message.id}",
                                     domain=from_address.domain or "localhost")
    if message.unsubscribe_url:
        # RFC 2369 and RFC 8058: mail programs show an "unsubscribe" button that POSTs
        # `List-Unsubscribe=One-Click` to the address, with no page to open.
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
        html_part = list(email.iter_parts())[1]
        for image in message.images:
            maintype, subtype = image.content_type.split("/", 1)
            html_part.add_related(image.content, maintype=maintype, subtype=subtype,
                                  cid=f"<{image.cid}>", disposition="inline",
                                  filename=f"{image.cid}.{subtype}")
    return email
