"""The WebSocket of the public meme feed: new cards, counters and removals, live, for everybody."""

from channels.generic.websocket import AsyncWebsocketConsumer

from apps.memes.cards import audience_of
from apps.memes.events import AUDIENCE_KEYS, FEED_GROUP


class MemeFeedConsumer(AsyncWebsocketConsumer):
    """Anonymous visitors may watch the feed, so unlike the other consumers this one accepts
    everybody (the origin check in project.asgi still applies). Events arrive rendered; a consumer
    only picks the variant for its audience and forwards it: no database or template work here,
    which keeps a broadcast to thousands of sockets cheap."""

    joined = False
    html_key = AUDIENCE_KEYS["anon"]

    async def connect(self):
        # AuthMiddlewareStack has already loaded the user; reading it does not query.
        self.html_key = AUDIENCE_KEYS[audience_of(self.scope.get("user"))]
        await self.channel_layer.group_add(FEED_GROUP, self.channel_name)
        self.joined = True
        await self.accept()

    async def disconnect(self, code):
        if self.joined:
            await self.channel_layer.group_discard(FEED_GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # Server-to-browser only: whatever a client sends is ignored, never an error.
        return

    async def feed_event(self, event):
        html = event.get(self.html_key) or event.get("html")
        if html:
            await self.send(text_data=html)
