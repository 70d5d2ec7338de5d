"""The meme feed WebSocket, through the full ASGI stack (origin check, session auth)."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from apps.memes import generation, services
from project.asgi import application
from tests.factories import StaffFactory, UserFactory

# Channels closes "old" connections around each database call: tests must not hold a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/memes/feed/"
ORIGIN = (b"origin", b"http://localhost")


def session_headers(user):
    client = Client()
    client.force_login(user)
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


def run(coro_fn):
    async_to_sync(coro_fn)()


def make(template, user, texts=("live", "meme"), *, is_public=True):
    spec = generation.spec_from_input(template=template, texts=list(texts))
    meme, _ = services.meme_create(user=user, spec=spec, size="medium", is_public=is_public)
    return meme


def test_anonymous_visitors_may_watch_the_feed(starter):
    author = UserFactory()

    async def scenario():
        watcher = WebsocketCommunicator(application, PATH, headers=[ORIGIN])
        connected, _ = await watcher.connect()
        assert connected
        meme = await database_sync_to_async(make)(starter["this-is-fine"], author, ("hello", "anon"))
        html = await watcher.receive_from(timeout=3)
        assert 'hx-swap-oob="afterbegin"' in html and f'id="meme-{meme.pk}"' in html
        assert "/accounts/login/?next=/memes/" in html and "hx-post" not in html
        await watcher.disconnect()

    run(scenario)


def test_a_socket_from_another_origin_is_refused(db):
    async def scenario():
        communicator = WebsocketCommunicator(
            application, PATH, headers=[(b"origin", b"https://evil.example")]
        )
        connected, _ = await communicator.connect()
        assert not connected

    run(scenario)


def test_every_viewer_receives_published_counts_and_removed_fragments_for_their_audience(starter):
    author, voter, staff = UserFactory(), UserFactory(), StaffFactory()
    voter_headers, staff_headers = session_headers(voter), session_headers(staff)

    async def scenario():
        anon = WebsocketCommunicator(application, PATH, headers=[ORIGIN])
        member = WebsocketCommunicator(application, PATH, headers=voter_headers)
        moderator = WebsocketCommunicator(application, PATH, headers=staff_headers)
        sockets = (anon, member, moderator)
        for socket in sockets:
            assert (await socket.connect())[0]

        meme = await database_sync_to_async(make)(starter["this-is-fine"], author)
        cards = [await socket.receive_from(timeout=3) for socket in sockets]
        assert "hx-post" not in cards[0]
        assert f'hx-post="/memes/{meme.pk}/vote"' in cards[1] and "Staff actions" not in cards[1]
        assert "Staff actions" in cards[2]

        await database_sync_to_async(services.meme_vote)(meme=meme, user=voter, value=1)
        for socket in sockets:
            html = await socket.receive_from(timeout=3)
            assert f'id="meme-{meme.pk}-score" hx-swap-oob="true"' in html and ">1</span>" in html

        await database_sync_to_async(services.meme_moderate)(meme=meme, user=staff, action="hide")
        for socket in sockets:
            html = await socket.receive_from(timeout=3)
            assert f'<article id="meme-{meme.pk}" hx-swap-oob="delete">' in html
        for socket in sockets:
            await socket.disconnect()

    run(scenario)


def test_private_memes_never_reach_the_feed_socket(starter):
    author = UserFactory()

    async def scenario():
        watcher = WebsocketCommunicator(application, PATH, headers=[ORIGIN])
        assert (await watcher.connect())[0]
        await database_sync_to_async(make)(starter["this-is-fine"], author, is_public=False)
        assert await watcher.receive_nothing(timeout=0.3)
        await watcher.disconnect()

    run(scenario)


def test_garbage_from_a_client_is_ignored_and_the_socket_keeps_working(starter):
    author = UserFactory()

    async def scenario():
        watcher = WebsocketCommunicator(application, PATH, headers=[ORIGIN])
        assert (await watcher.connect())[0]
        await watcher.send_to(text_data="not json at all {{{")
        await watcher.send_to(text_data='{"type": "feed.event", "html": "<script>alert(1)</script>"}')
        await watcher.send_to(bytes_data=b"\x00\xff\xfe garbage")
        await watcher.send_to(text_data="x" * 100_000)
        assert await watcher.receive_nothing(timeout=0.3)  # nothing echoed, nothing broadcast

        meme = await database_sync_to_async(make)(starter["this-is-fine"], author, ("still", "alive"))
        html = await watcher.receive_from(timeout=3)
        assert f'id="meme-{meme.pk}"' in html
        await watcher.disconnect()

    run(scenario)
