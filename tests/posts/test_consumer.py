"""The review page's WebSocket, through the full ASGI stack (origin check, session auth): members of
the post's brand get its progress fragment; other brands and missing posts 4404, anonymous 4401."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.brands.models import BrandMembership
from apps.posts import events
from apps.posts.models import GenerationState, Post
from project.asgi import application
from tests.factories import BrandFactory, BrandUserFactory

# Channels closes "old" connections around each database call: tests must not hold a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def session_headers(client, user):
    client.force_login(user)
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


def member_of(brand):
    user = BrandUserFactory()
    BrandMembership.objects.create(brand=brand, user=user, role="owner")
    return user


@pytest.fixture
def post(brand, trend):
    return Post.objects.create(brand=brand, trend=trend, tone="bold", generation_stage="Waiting for a worker")


def test_a_member_receives_the_progress_fragment(client, brand, post):
    headers = session_headers(client, member_of(brand))

    def progress():
        post.generation_state, post.generation_progress = GenerationState.RUNNING, 60
        post.generation_stage = "Drawing the graphics"
        post.save()
        events.post_progress(post)

    def ready():
        post.generation_state, post.generation_progress = GenerationState.READY, 100
        post.save()
        events.post_progress(post)

    async def scenario():
        communicator = WebsocketCommunicator(application, f"/ws/posts/{post.pk}/", headers=headers)
        assert (await communicator.connect())[0]
        await database_sync_to_async(progress)()
        html = await communicator.receive_from(timeout=3)
        assert f'id="post-{post.pk}-progress"' in html and 'hx-swap-oob="true"' in html
        assert "Drawing the graphics" in html and "60%" in html
        assert 'hx-trigger="load"' not in html
        await database_sync_to_async(ready)()
        html = await communicator.receive_from(timeout=3)
        # Finished: the fragment asks for the review section once.
        assert f'hx-get="/posts/{post.pk}/content/" hx-trigger="load"' in html
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_another_brands_member_is_refused_with_4404(client, post):
    headers = session_headers(client, member_of(BrandFactory()))

    async def scenario():
        connected, code = await WebsocketCommunicator(
            application, f"/ws/posts/{post.pk}/", headers=headers
        ).connect()
        assert not connected and code == 4404

    async_to_sync(scenario)()


def test_a_missing_post_is_refused_with_4404(client, brand):
    headers = session_headers(client, member_of(brand))

    async def scenario():
        connected, code = await WebsocketCommunicator(
            application, "/ws/posts/999999/", headers=headers
        ).connect()
        assert not connected and code == 4404

    async_to_sync(scenario)()


def test_anonymous_sockets_are_refused_with_4401(post):
    async def scenario():
        connected, code = await WebsocketCommunicator(
            application, f"/ws/posts/{post.pk}/", headers=[ORIGIN]
        ).connect()
        assert not connected and code == 4401

    async_to_sync(scenario)()


def test_messages_from_the_client_are_ignored(client, brand, post):
    headers = session_headers(client, member_of(brand))

    async def scenario():
        communicator = WebsocketCommunicator(application, f"/ws/posts/{post.pk}/", headers=headers)
        assert (await communicator.connect())[0]
        await communicator.send_to(text_data='{"type": "post.progress", "html": "<script>"}')
        await communicator.send_to(bytes_data=b"\x00\xff")
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()

    async_to_sync(scenario)()
