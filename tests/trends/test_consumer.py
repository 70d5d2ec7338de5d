"""The staff trends WebSocket, through the full ASGI stack (origin check, session auth)."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.trends import events
from apps.trends.models import RunStatus, TrendRefreshRun
from project.asgi import application

# Channels closes "old" connections around each database call: tests must not hold a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/staff/trends/"
ORIGIN = (b"origin", b"http://localhost")


def session_headers(client, user):
    client.force_login(user)
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


def run(coro_fn):
    async_to_sync(coro_fn)()


def test_staff_receive_each_run_progress_card(client, staff):
    headers = session_headers(client, staff)

    def progress():
        refresh = TrendRefreshRun.objects.create(
            status=RunStatus.RUNNING, stage="Fetching Demo set", progress=40, items_fetched=120
        )
        events.run_progress(refresh)
        return refresh.pk

    async def scenario():
        communicator = WebsocketCommunicator(application, PATH, headers=headers)
        assert (await communicator.connect())[0]
        run_id = await database_sync_to_async(progress)()
        html = await communicator.receive_from(timeout=3)
        assert f'id="trend-run-{run_id}"' in html and 'hx-swap-oob="true"' in html
        assert "Fetching Demo set" in html and "40%" in html and "120" in html
        await communicator.disconnect()

    run(scenario)


def test_brand_users_are_refused_with_4403(client, brand_user):
    headers = session_headers(client, brand_user)

    async def scenario():
        connected, code = await WebsocketCommunicator(application, PATH, headers=headers).connect()
        assert not connected
        assert code == 4403

    run(scenario)


def test_anonymous_sockets_are_refused_with_4401():
    async def scenario():
        connected, code = await WebsocketCommunicator(application, PATH, headers=[ORIGIN]).connect()
        assert not connected
        assert code == 4401

    run(scenario)


def test_messages_from_the_client_are_ignored_and_the_socket_stays_open(client, staff):
    headers = session_headers(client, staff)

    async def scenario():
        communicator = WebsocketCommunicator(application, PATH, headers=headers)
        assert (await communicator.connect())[0]
        await communicator.send_to(text_data='{"type": "run.progress", "html": "<script>"}')
        await communicator.send_to(bytes_data=b"\x00\xff")
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()

    run(scenario)
