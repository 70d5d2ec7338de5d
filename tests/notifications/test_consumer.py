"""The notification WebSocket, through the full ASGI stack (origin check, session auth)."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.notifications import services
from project.asgi import application

# Channels closes "old" connections around each database call: tests must not hold a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/notifications/"
ORIGIN = (b"origin", b"http://localhost")


def session_headers(client, user, origin=ORIGIN):
    client.force_login(user)
    cookie = (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())
    return [origin, cookie] if origin else [cookie]


def run(coro_fn):
    async_to_sync(coro_fn)()


def test_anonymous_socket_is_refused():
    async def scenario():
        communicator = WebsocketCommunicator(application, PATH, headers=[ORIGIN])
        connected, code = await communicator.connect()
        assert not connected
        assert code == 4401

    run(scenario)


def test_socket_from_another_origin_is_refused(client, brand_user):
    headers = session_headers(client, brand_user, origin=(b"origin", b"https://evil.example"))

    async def scenario():
        connected, _ = await WebsocketCommunicator(application, PATH, headers=headers).connect()
        assert not connected

    run(scenario)


def test_socket_without_origin_is_refused(client, brand_user):
    headers = session_headers(client, brand_user, origin=None)

    async def scenario():
        connected, _ = await WebsocketCommunicator(application, PATH, headers=headers).connect()
        assert not connected

    run(scenario)


def test_new_notification_reaches_every_open_page_of_its_user_only(client, brand_user, influencer):
    from django.test import Client

    mine = session_headers(client, brand_user)
    other = session_headers(Client(), influencer)

    def create():
        services.notification_create(user=brand_user, title="Your post is live", body="On X")

    async def scenario():
        tab1 = WebsocketCommunicator(application, PATH, headers=mine)
        tab2 = WebsocketCommunicator(application, PATH, headers=mine)
        stranger = WebsocketCommunicator(application, PATH, headers=other)
        for c in (tab1, tab2, stranger):
            assert (await c.connect())[0]
        await database_sync_to_async(create)()
        for tab in (tab1, tab2):
            html = await tab.receive_from(timeout=3)
            assert "Your post is live" in html
            assert 'id="unread-count"' in html and 'hx-swap-oob="true"' in html
            assert 'id="toasts"' in html
        assert await stranger.receive_nothing(timeout=0.3)
        for c in (tab1, tab2, stranger):
            await c.disconnect()

    run(scenario)


def test_garbage_from_the_client_is_ignored_and_the_socket_stays_open(client, brand_user):
    headers = session_headers(client, brand_user)

    async def scenario():
        communicator = WebsocketCommunicator(application, PATH, headers=headers)
        assert (await communicator.connect())[0]
        await communicator.send_to(text_data="{not json")
        await communicator.send_to(bytes_data=b"\x00\xff")
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()

    run(scenario)
