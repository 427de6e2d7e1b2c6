"""Phone messages (SMS, Zalo) handed to the shop's gateway: an HTTP POST of JSON to
`KIOSK_WEBHOOK_URL`, signed so the gateway knows it comes from this server.

The request, byte for byte:

    POST <KIOSK_WEBHOOK_URL>
    Content-Type: application/json
    X-Kiosk-Message-Id: 42                  the outbox id: the same on every retry
    X-Kiosk-Timestamp: 1796000000           Unix seconds when this attempt was signed
    X-Kiosk-Signature: sha256=<hex>         HMAC-SHA256(secret, timestamp + "." + body)

    {"id": 42, "channel": "sms", "purpose": "service", "to": "+84903123456",
     "subject": "...", "text": "...", "created_at": "2026-12-06T16:00:00+00:00"}

A marketing message (a campaign's) also carries `"unsubscribe_url"`: the gateway may offer
it (a POST of `List-Unsubscribe=One-Click` to it withdraws the person's consent).

A 2xx answer means delivered. 408, 429 and 5xx, a timeout or a connection error are
tried again later (with the same id: a timed-out request may have arrived, so the
receiver drops an id it has seen). Any other answer is a refusal, never tried again.
"""

import hashlib
import hmac
import json
import time

import httpx

from kiosk_server.core.config import Settings
from kiosk_server.messaging.channels import Connection, Outcome, Result, describe
from kiosk_server.messaging.models import Channel
from kiosk_server.messaging.service import Outgoing

_RETRIED_STATUSES = {408, 429}


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The `X-Kiosk-Signature` value of a request."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def payload(message: Outgoing) -> bytes:
    fields = {
        "id": message.id, "channel": message.channel.value, "purpose": message.purpose.value,
        "to": message.to_address, "subject": message.subject, "text": message.body_text,
        "created_at": message.created_at.isoformat(),
    }
    if message.unsubscribe_url:
        fields["unsubscribe_url"] = message.unsubscribe_url
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookChannel:
    channel = Channel.SMS

    def __init__(self, settings: Settings) -> None:
        assert settings.webhook_url
        self._url = settings.webhook_url
        self._secret = settings.webhook_key()  # a missing or short secret stops the start
        self._timeout = settings.webhook_timeout_s

    async def open(self) -> Connection:
        client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False,
                                   headers={"User-Agent": "kiosk-outbox"})
        return _WebhookConnection(client, self._url, self._secret)


class _WebhookConnection:
    def __init__(self, client: httpx.AsyncClient, url: str, secret: bytes) -> None:
        self._client = client
        self._url = url
        self._secret = secret

    async def send(self, message: Outgoing) -> Result:
        body = payload(message)
        timestamp = str(int(time.time()))  # the wall clock: the receiver checks it against its own
        headers = {"Content-Type": "application/json", "X-Kiosk-Message-Id": str(message.id),
                   "X-Kiosk-Timestamp": timestamp,
                   "X-Kiosk-Signature": signature(self._secret, timestamp, body)}
        try:
            answer = await self._client.post(self._url, content=body, headers=headers)
        except httpx.TimeoutException as exc:  # it may have arrived: the id says so
            return Result(Outcome.RETRY, describe(exc) or "timed out")
        except httpx.ConnectError as exc:  # the gateway is not there: nothing more goes now
            return Result(Outcome.RETRY, describe(exc), usable=False)
        except httpx.HTTPError as exc:
            return Result(Outcome.RETRY, describe(exc))
        if answer.is_success:
            return Result(Outcome.SENT)
        error = f"HTTP {answer.status_code}: {answer.text[:200]}"
        if answer.status_code >= 500 or answer.status_code in _RETRIED_STATUSES:
            return Result(Outcome.RETRY, error)
        return Result(Outcome.REJECTED, error)

    async def close(self) -> None:
        await self._client.aclose()
