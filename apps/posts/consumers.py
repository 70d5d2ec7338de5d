"""The WebSocket of a post's review page: its generation progress, live, for the brand's members."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from apps.brands.selectors import brand_scoped

from .events import post_group

# Application close codes (4000-4999): the browser sees why it was refused.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _may_watch(user, post_id: int) -> bool:
    from .models import Post

    return brand_scoped(Post.objects, user=user).filter(pk=post_id).exists()


class PostProgressConsumer(AsyncWebsocketConsumer):
    group = ""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        post_id = self.scope["url_route"]["kwargs"]["post_id"]
        # Another brand's post and a missing one look the same: neither exists for this user.
        if not await _may_watch(user, post_id):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = post_group(post_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # Server-to-browser only: whatever a client sends is ignored, never an error.
        return

    async def post_progress(self, event):
        await self.send(text_data=event["html"])
