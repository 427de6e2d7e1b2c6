"""Channels: how an outbox message leaves the server, one class per channel.

The outbox, its claiming, retries and the `unknown` state belong to the sender
(`messaging/sender.py`); a channel only knows how to hand one message over and to say
how that went. A new channel (Zalo OA, a wallet pass) is a new class here and a value of
`Channel`, nothing more.
"""

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from kiosk_server.messaging.models import Channel
from kiosk_server.messaging.service import Outgoing


class Outcome(Enum):
    SENT = "sent"  # the other side took it
    RETRY = "retry"  # not taken this time (down, busy, timed out): try again later
    REJECTED = "rejected"  # refused for good (a bad address, a 4xx): never try again


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    error: str = ""
    # False when the connection can take no more: the batch's untried messages go back to
    # the queue without an attempt counted.
    usable: bool = True


class ChannelUnavailable(Exception):
    """The channel's server could not be reached at all: every message of the batch failed
    one attempt."""


class Connection(Protocol):
    async def send(self, message: Outgoing) -> Result: ...

    async def close(self) -> None: ...


class ChannelSender(Protocol):
    """One way out of the outbox. `open` raises `ChannelUnavailable`; network work only,
    never a database session or transaction."""

    channel: Channel

    async def open(self) -> Connection: ...


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]
