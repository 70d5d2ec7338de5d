"""The WebSocket of the staff trends page: every refresh run's progress card, live."""

from channels.generic.websocket import AsyncWebsocketConsumer

from .events import GROUP

# Application close codes (4000-4999): the browser sees why it was refused.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class TrendRefreshConsumer(AsyncWebsocketConsumer):
    joined = False

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not user.is_staff:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(GROUP, self.channel_name)
        self.joined = True
        await self.accept()

    async def disconnect(self, code):
        if self.joined:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # Server-to-browser only: whatever a client sends is ignored, never an error.
        return

    async def run_progress(self, event):
        await self.send(text_data=event["html"])
