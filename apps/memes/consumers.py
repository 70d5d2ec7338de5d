"""The WebSocket of the public meme feed: new cards, counters and removals, live, for everybody.

Fan-out. A broadcast reaches every open feed socket, thousands per process. Joining each socket's
channel to the group (Channels' usual pattern) makes every event cost, per socket: a Redis pub/sub
delivery into its queue, a decode of the whole message, a task wake-up, and Channels' per-message
``close_old_connections`` hop through a thread pool. ``python -m bench.memes`` measured that at
≈ 0.4 ms of CPU per socket in daphne (1,000 sockets: 420 ms per event on this 2-core machine).

So one ``FeedHub`` per process (per event loop) is the group member: it receives each event once
and hands the fragment to its sockets directly, yielding to the event loop every ``BATCH`` sockets
so the first ones' bytes leave while the rest are written. A socket's only per-event cost is its
frame. Sockets join the hub before they are accepted, as they joined the group before, so nothing
published after a page's socket opened is missed. The hub leaves the group when its last socket
closes.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from apps.memes.cards import audience_of
from apps.memes.events import AUDIENCE_KEYS, EVENT_TYPE, FEED_GROUP

logger = logging.getLogger(__name__)

BATCH = 100  # sockets written between two yields to the event loop


class FeedHub:
    """This process's member of the feed group, forwarding each event to its sockets."""

    def __init__(self):
        self.members: set[MemeFeedConsumer] = set()
        self.layer = None
        self.channel: str | None = None
        self.task: asyncio.Task | None = None
        self.lock = asyncio.Lock()

    async def add(self, consumer: MemeFeedConsumer) -> None:
        async with self.lock:
            if self.task is None or self.task.done():
                self.layer = get_channel_layer()
                self.channel = await self.layer.new_channel("memes-feed-hub.")
                await self.layer.group_add(FEED_GROUP, self.channel)
                self.task = asyncio.get_running_loop().create_task(self._forward(self.channel))
            self.members.add(consumer)

    async def remove(self, consumer: MemeFeedConsumer) -> None:
        async with self.lock:
            self.members.discard(consumer)
            if self.members or self.task is None:
                return
            task, channel, self.task, self.channel = self.task, self.channel, None, None
            task.cancel()
            await self.layer.group_discard(FEED_GROUP, channel)

    async def _forward(self, channel: str) -> None:
        while True:
            try:
                event = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # the layer lost Redis: it reconnects; try again shortly
                logger.warning("memes.feed_hub_receive_failed", exc_info=True)
                await asyncio.sleep(1)
                continue
            if event.get("type") == EVENT_TYPE:
                await self.deliver(event)

    async def deliver(self, event: dict) -> None:
        for i, consumer in enumerate(list(self.members), 1):
            html = event.get(consumer.html_key) or event.get("html")
            if html:
                try:
                    await consumer.send(text_data=html)
                except Exception:  # a socket closing meanwhile; its disconnect removes it
                    logger.debug("memes.feed_send_failed", exc_info=True)
            if i % BATCH == 0:
                await asyncio.sleep(0)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FeedHub] = weakref.WeakKeyDictionary()


def feed_hub() -> FeedHub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = FeedHub()
    return hub


class MemeFeedConsumer(AsyncWebsocketConsumer):
    """Anonymous visitors may watch the feed, so unlike the other consumers this one accepts
    everybody (the origin check in project.asgi still applies). Events arrive rendered; the
    process's ``FeedHub`` picks each socket's variant for its audience and forwards it: no database
    or template work per socket, which keeps a broadcast to thousands of sockets cheap."""

    joined = False
    html_key = AUDIENCE_KEYS["anon"]

    async def connect(self):
        # AuthMiddlewareStack has already loaded the user; reading it does not query.
        self.html_key = AUDIENCE_KEYS[audience_of(self.scope.get("user"))]
        await feed_hub().add(self)
        self.joined = True
        await self.accept()

    async def disconnect(self, code):
        if self.joined:
            await feed_hub().remove(self)

    async def receive(self, text_data=None, bytes_data=None):
        # Server-to-browser only: whatever a client sends is ignored, never an error.
        return

    async def feed_event(self, event):
        """An event sent to this socket's own channel (the hub forwards the group's)."""
        html = event.get(self.html_key) or event.get("html")
        if html:
            await self.send(text_data=html)
