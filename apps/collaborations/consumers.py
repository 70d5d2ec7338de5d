"""The WebSocket of a collaboration's message thread: both sides of the collaboration (its influencer
and the brand's members) receive new messages live and may write over it too."""

from __future__ import annotations

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import PermissionDenied, ValidationError

from . import selectors
from .events import thread_error, thread_group
from .models import Collaboration
from .services.collaboration import MAX_MESSAGE, collaboration_message_post

# Application close codes (4000-4999): the browser sees why it was refused.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
# A frame longer than this is refused unread: a message of MAX_MESSAGE characters fits even with
# every character JSON-escaped (\uXXXX is six).
MAX_FRAME = 6 * MAX_MESSAGE + 1000
SEND_AS = 'Send the message as JSON text: {"body": "…"}.'


@database_sync_to_async
def _collaboration_for(user, collaboration_id: int) -> Collaboration | None:
    """The one access rule of collaborations (the pages' and the API's): another's is missing."""
    try:
        return selectors.collaboration_get_for_user(user=user, collaboration_id=collaboration_id)
    except Collaboration.DoesNotExist:
        return None


@database_sync_to_async
def _post(user, collaboration_id: int, body: str) -> None:
    collaboration = selectors.collaboration_get_for_user(user=user, collaboration_id=collaboration_id)
    # Broadcast to the thread (this socket too) once the message is committed.
    collaboration_message_post(collaboration=collaboration, user=user, body=body)


class CollaborationThreadConsumer(AsyncWebsocketConsumer):
    group = ""
    user_id: int | None = None
    collaboration_id: int | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        collaboration_id = self.scope["url_route"]["kwargs"]["collaboration_id"]
        # Someone else's collaboration and a missing one look the same: neither exists for this user.
        if await _collaboration_for(user, collaboration_id) is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.user_id, self.collaboration_id = user.pk, collaboration_id
        self.group = thread_group(collaboration_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        """A message to post: {"body": "…"} (the htmx ws extension sends the form's fields so, with
        its HEADERS beside them). Whatever is wrong with it is answered with an error frame."""
        if text_data is None:
            await self.send(text_data=thread_error(SEND_AS))
            return
        if len(text_data) > MAX_FRAME:
            await self.send(text_data=thread_error(f"Keep a message to {MAX_MESSAGE:,} characters."))
            return
        try:
            data = json.loads(text_data)
        except ValueError:
            await self.send(text_data=thread_error(SEND_AS))
            return
        body = data.get("body") if isinstance(data, dict) else None
        if not isinstance(body, str):
            await self.send(text_data=thread_error(SEND_AS))
            return
        if "\x00" in body:  # the database cannot store it
            await self.send(text_data=thread_error("A message may not contain NUL (\\x00) characters."))
            return
        try:
            await _post(self.scope["user"], self.collaboration_id, body)
        except ValidationError as exc:
            await self.send(text_data=thread_error(" ".join(exc.messages)))
        except (PermissionDenied, Collaboration.DoesNotExist):
            # No longer theirs (a member who left the brand): the thread closes as if it were gone.
            await self.close(code=CLOSE_NOT_FOUND)

    async def thread_message(self, event):
        mine = event.get("author_id") is not None and event.get("author_id") == self.user_id
        await self.send(text_data=event["html_mine"] if mine else event["html"])
