"""The WebSockets of the trend job: every refresh run's progress card on the staff trends page,
and a brand's scoring progress on its dashboard."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import Http404
from django.template.loader import render_to_string

from apps.brands.selectors import brand_get_for_user

from . import progress
from .events import GROUP, brand_scoring_group

# Application close codes (4000-4999): the browser sees why it was refused.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


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


@database_sync_to_async
def _brand_and_snapshot(user, brand_id: int) -> tuple[object | None, str]:
    """The brand if the user is its member (another brand's and a missing one look alike), and
    its progress fragment as it stands, for a page that connected after an event went out."""
    try:
        brand = brand_get_for_user(user=user, brand_id=brand_id)
    except Http404:
        return None, ""
    state = progress.progress_get(brand.pk)
    if state is None:
        return brand, ""
    html = render_to_string(
        "trends/partials/scoring_progress.html", {"brand": brand, "scoring": state, "oob": True}
    )
    return brand, html


class BrandScoringConsumer(AsyncWebsocketConsumer):
    """A brand's trend scoring, n of N trends, for its members' dashboards."""

    group = ""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        brand, snapshot = await _brand_and_snapshot(user, self.scope["url_route"]["kwargs"]["brand_id"])
        if brand is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = brand_scoring_group(brand.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        if snapshot:
            await self.send(text_data=snapshot)

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # Server-to-browser only: whatever a client sends is ignored, never an error.
        return

    async def scoring_progress(self, event):
        await self.send(text_data=event["html"])
