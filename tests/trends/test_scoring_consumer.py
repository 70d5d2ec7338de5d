"""A brand's scoring WebSocket, through the full ASGI stack (origin check, session auth): its
members get each step, a late socket gets the step as it stands, and anyone else is refused."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.trends import events, progress
from project.asgi import application
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

# Channels closes "old" connections around each database call: tests must not hold a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def path(brand) -> str:
    return f"/ws/brands/{brand.pk}/scoring/"


def session_headers(client, user):
    client.force_login(user)
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


def run(coro_fn):
    async_to_sync(coro_fn)()


@pytest.fixture
def member(brand_user, brand):
    return brand_user


def test_a_member_receives_each_scoring_step_of_their_brand(client, member, brand):
    headers = session_headers(client, member)

    def step(done):
        events.brand_scoring_progress(brand, progress.ScoringProgress(brand.pk, progress.SCORING, done, 300))

    async def scenario():
        communicator = WebsocketCommunicator(application, path(brand), headers=headers)
        assert (await communicator.connect())[0]
        await database_sync_to_async(step)(100)
        html = await communicator.receive_from(timeout=3)
        assert f'id="brand-{brand.pk}-scoring"' in html and 'hx-swap-oob="true"' in html
        assert "Scored 100 of 300 trends" in html
        await database_sync_to_async(step)(300)
        assert "Scored 300 of 300 trends" in await communicator.receive_from(timeout=3)
        await communicator.disconnect()

    run(scenario)


def test_a_socket_opened_after_a_step_gets_that_step_at_once(client, member, brand):
    headers = session_headers(client, member)
    progress.progress_set(progress.ScoringProgress(brand.pk, progress.FINISHED, 300, 300))

    async def scenario():
        communicator = WebsocketCommunicator(application, path(brand), headers=headers)
        assert (await communicator.connect())[0]
        html = await communicator.receive_from(timeout=3)
        assert 'data-stage="finished"' in html and 'hx-trigger="load"' in html
        await communicator.disconnect()

    run(scenario)


def test_another_brands_member_is_refused_and_hears_nothing(client, brand):
    outsider = BrandUserFactory()
    MembershipFactory(brand=BrandFactory(), user=outsider)
    headers = session_headers(client, outsider)
    progress.progress_set(progress.ScoringProgress(brand.pk, progress.SCORING, 1, 3))

    async def scenario():
        connected, code = await WebsocketCommunicator(application, path(brand), headers=headers).connect()
        assert not connected
        assert code == 4404  # the same as a brand that does not exist

    run(scenario)


def test_a_brand_that_does_not_exist_is_refused_alike(client, member, brand):
    headers = session_headers(client, member)

    async def scenario():
        communicator = WebsocketCommunicator(
            application, f"/ws/brands/{brand.pk + 999}/scoring/", headers=headers
        )
        connected, code = await communicator.connect()
        assert not connected and code == 4404

    run(scenario)


def test_anonymous_sockets_are_refused_with_4401(brand):
    async def scenario():
        connected, code = await WebsocketCommunicator(application, path(brand), headers=[ORIGIN]).connect()
        assert not connected
        assert code == 4401

    run(scenario)
