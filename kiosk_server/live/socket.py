"""Serving a live stream over a websocket: until the stream ends or the client leaves."""

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from kiosk_server.core.db import Access, Database
from kiosk_server.core.errors import DomainError
from kiosk_server.live.hub import Overflow

# Close codes a page acts on (4000-4999 are the application's own).
SIGN_IN_NEEDED = 4401
NOT_ALLOWED = 4403
NOT_FOUND = 4404


async def found_or_closed(websocket: WebSocket, lookup: Callable[[Session], object],
                          what: str) -> bool:
    """Whether `lookup` finds what the stream is about (it raises a `DomainError` if
    not); if not, the websocket is closed with 4404."""
    database: Database = websocket.app.state.db

    def look() -> bool:
        with database.session(Access.READ) as session:
            try:
                lookup(session)
            except DomainError:
                return False
        return True

    if await run_in_threadpool(look):
        return True
    await websocket.close(code=NOT_FOUND, reason=f"no such {what}")
    return False


async def stream_until_closed(websocket: WebSocket, stream: Coroutine[Any, Any, None]) -> None:
    """Run `stream`, which sends to the client, until it ends or the client goes away
    (the client sends nothing else: whatever it sends is read and ignored)."""
    feed = asyncio.create_task(stream)
    closed = asyncio.create_task(_until_closed(websocket))
    try:
        await asyncio.wait({feed, closed}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (feed, closed):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await asyncio.gather(feed, closed)


async def _until_closed(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()


async def relay(websocket: WebSocket, channel: str) -> None:
    """Send each update of `channel` as it comes, after a `{"type": "ready"}` that says the
    subscription is on (read what came before then). A subscriber that fell behind
    subscribes again and says `ready` again."""
    hub = websocket.app.state.hub
    while True:
        async with hub.subscribe(channel) as updates:
            await websocket.send_json({"type": "ready"})
            try:
                async for update in updates:
                    await websocket.send_text(update.text)
            except Overflow:
                continue
