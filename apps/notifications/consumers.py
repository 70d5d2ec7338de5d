"""The WebSocket every signed-in page opens to receive its user's notifications live."""

from channels.generic.websocket import AsyncWebsocketConsumer

from .events import user_group

# Application close codes (4000-4999): the browser sees why it was refused.
CLOSE_UNAUTHENTICATED = 4401


class NotificationConsumer(AsyncWebsocketConsumer):
    group_name: str | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # This feed is server-to-browser only. Whatever a client sends is ignored, never an error.
        return

    async def notification_created(self, event):
        await self.send(text_data=event["html"])
