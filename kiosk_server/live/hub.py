"""Publish/subscribe for live updates: in this process, or across processes over Redis.

A channel is a name ("event:12"); a message is a JSON-able dict. `publish` may be
called from any thread (the database writer publishes after its commits) and never
blocks on a slow subscriber. A subscriber that falls too far behind is dropped: its
client reconnects and replays what it missed from the database, which is the
record; the hub only says that something new is there.

- `LocalHub`: subscribers of this process only (one server process).
- `RedisHub`: every message goes through Redis pub/sub, so the subscribers of
  every server process get it (`kiosk serve --workers N`, `KIOSK_REDIS_URL`).
"""

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

import redis
import redis.asyncio as aioredis

log = logging.getLogger(__name__)

QUEUE_LIMIT = 1000


def to_json(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class Update(dict):
    """A message as its subscribers receive it: a dict, whose JSON text (`text`) is made
    once however many subscribers send it on."""

    __slots__ = ("_text",)

    def __init__(self, message: dict[str, Any], text: str | None = None) -> None:
        super().__init__(message)
        if text is not None:
            self._text = text

    @property
    def text(self) -> str:
        try:
            return self._text
        except AttributeError:
            self._text = to_json(self)
            return self._text


class Overflow(Exception):
    """The subscriber fell too far behind and was dropped; it should replay and resubscribe."""


class Subscription:
    """Messages of one channel for one subscriber, in publication order."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Update | None] = asyncio.Queue(QUEUE_LIMIT)
        self.overflowed = False

    def _put(self, message: Update) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self.drop()

    def drop(self) -> None:
        """Deliver nothing more: the reader, once through what is queued, gets `Overflow`
        and replays from the database (the record) before subscribing again."""
        if self.overflowed:
            return
        self.overflowed = True
        if self._queue.full():
            self._queue.get_nowait()  # room for the marker; the replay covers this one
        self._queue.put_nowait(None)

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> Update:
        message = await self._queue.get()
        if message is None:
            raise Overflow()
        return message


class LocalHub:
    """Fan-out to the subscribers of this process, on its event loop."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._channels: dict[str, set[Subscription]] = {}

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def close(self) -> None:
        self._loop = None

    def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Deliver `message` to the channel's subscribers (any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if channel not in self._channels:
            # Nobody here follows it: no wake-up of the event loop. (A subscriber added
            # just now reads the record after subscribing, so it misses nothing.)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._deliver(channel, message)
        else:
            loop.call_soon_threadsafe(self._deliver, channel, message)

    def _deliver(self, channel: str, message: dict[str, Any], text: str | None = None) -> None:
        update = Update(message, text)
        for subscription in list(self._channels.get(channel, ())):
            subscription._put(update)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        subscription = Subscription()
        self._channels.setdefault(channel, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._channels.get(channel)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._channels[channel]


class RedisHub(LocalHub):
    """Every message goes through Redis, and comes back to the subscribers of every process."""

    def __init__(self, url: str, *, namespace: str) -> None:
        """`namespace` keeps installations that share a Redis server apart."""
        super().__init__()
        self._url = url
        self._prefix = f"kiosk:{namespace}:"
        self._publisher = redis.Redis.from_url(url)
        self._publisher_lock = threading.Lock()
        self._listener: asyncio.Task | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        await super().start()
        self._ready = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(), name="kiosk-redis-hub")
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        self._publisher.close()
        await super().close()

    def publish(self, channel: str, message: dict[str, Any]) -> None:
        data = to_json(message)
        try:
            with self._publisher_lock:
                self._publisher.publish(self._prefix + channel, data)
        except redis.RedisError:
            # Subscribers lose only the nudge: they replay from the database on reconnect.
            log.warning("live update not published to Redis", exc_info=True)

    async def _listen(self) -> None:
        while True:
            client = aioredis.Redis.from_url(self._url)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(self._prefix + "*")
                self._ready.set()
                async for item in pubsub.listen():
                    if item.get("type") != "pmessage":
                        continue
                    channel = item["channel"].decode()[len(self._prefix):]
                    text = item["data"].decode()
                    self._deliver(channel, json.loads(text), text)
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError):
                log.warning("Redis subscription lost; reconnecting", exc_info=True)
                self._drop_all()
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                    await client.aclose()

    def _drop_all(self) -> None:
        """Messages may have been missed: every subscriber replays from the database."""
        for subscribers in self._channels.values():
            for subscription in subscribers:
                subscription.drop()



def create_hub(redis_url: str | None, *, namespace: str) -> LocalHub:
    return RedisHub(redis_url, namespace=namespace) if redis_url else LocalHub()
