"""A collaboration's thread over the WebSocket, through the full ASGI stack (origin check, session
auth): both sides receive new messages live, however they were posted (the socket, the page's form,
the API), each marked as their own on the writer's pages; refused frames get an error frame and
post nothing; strangers and anonymous sockets are refused like a missing collaboration."""

import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from apps.collaborations.models import CollaborationMessage
from apps.collaborations.services import offer_accept, offer_send
from apps.notifications.models import Notification
from project.asgi import application
from tests.factories import InfluencerProfileFactory, MembershipFactory, PublishedPostFactory

# Channels closes "old" connections around each database call: tests must not hold a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def session_headers(user):
    client = Client()
    client.force_login(user)
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


@pytest.fixture
def membership():
    return MembershipFactory()


@pytest.fixture
def creator():
    return InfluencerProfileFactory(slug="ivy")


@pytest.fixture
def collaboration(membership, creator):
    post = PublishedPostFactory(brand=membership.brand)
    [offer] = offer_send(
        brand=membership.brand,
        user=membership.user,
        post=post,
        influencers=[creator],
        fee_minor=10_000,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=2),
        platform="x",
    )
    return offer_accept(offer=offer, influencer=creator)


def path(collaboration) -> str:
    return f"/ws/collaborations/{collaboration.pk}/"


def run(coro_fn):
    async_to_sync(coro_fn)()


def test_a_message_sent_over_the_socket_reaches_both_sides(membership, creator, collaboration):
    brand_headers, creator_headers = session_headers(membership.user), session_headers(creator.user)

    async def scenario():
        brand_socket = WebsocketCommunicator(application, path(collaboration), headers=brand_headers)
        creator_socket = WebsocketCommunicator(application, path(collaboration), headers=creator_headers)
        assert (await brand_socket.connect())[0] and (await creator_socket.connect())[0]
        # As the htmx ws extension sends a form: its fields, and the request's headers beside them.
        await creator_socket.send_to(
            text_data=json.dumps({"body": "Posting at 9 <b>sharp</b>", "HEADERS": {}})
        )
        theirs = await brand_socket.receive_from(timeout=3)
        mine = await creator_socket.receive_from(timeout=3)
        message = await database_sync_to_async(CollaborationMessage.objects.get)()
        for html in (theirs, mine):
            assert html.startswith('<ul hx-swap-oob="beforeend:#thread-messages">')
            assert f'id="message-{message.pk}"' in html
            assert "Posting at 9 &lt;b&gt;sharp&lt;/b&gt;" in html  # escaped, never markup
        assert 'class="thread-message mine"' in mine and " mine" not in theirs
        await brand_socket.disconnect()
        await creator_socket.disconnect()

    run(scenario)
    assert (
        Notification.objects.filter(user=membership.user, title="New message on a collaboration").count() == 1
    )


def test_a_message_posted_by_the_page_form_or_the_api_is_pushed_live(membership, creator, collaboration):
    brand_headers = session_headers(membership.user)
    creator_client = Client()
    creator_client.force_login(creator.user)

    def post_by_form():
        response = creator_client.post(
            f"/influencer/collaborations/{collaboration.pk}/messages/",
            {"body": "From the form"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200

    def post_by_api():
        response = creator_client.post(
            f"/api/v1/collaborations/{collaboration.pk}/messages",
            json.dumps({"body": "From the API"}),
            content_type="application/json",
        )
        assert response.status_code == 201

    async def scenario():
        socket = WebsocketCommunicator(application, path(collaboration), headers=brand_headers)
        assert (await socket.connect())[0]
        await database_sync_to_async(post_by_form)()
        assert "From the form" in await socket.receive_from(timeout=3)
        await database_sync_to_async(post_by_api)()
        assert "From the API" in await socket.receive_from(timeout=3)
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "frame,message",
    [
        ("not json", "Send the message as JSON text"),
        (json.dumps(["body"]), "Send the message as JSON text"),
        (json.dumps({"text": "hi"}), "Send the message as JSON text"),
        (json.dumps({"body": 42}), "Send the message as JSON text"),
        (json.dumps({"body": "   "}), "Write a message first."),
        (json.dumps({"body": "x" * 4001}), "Keep a message to 4,000 characters."),
        ("x" * 100_000, "Keep a message to 4,000 characters."),
    ],
)
def test_a_refused_frame_gets_an_error_frame_and_posts_nothing(creator, collaboration, frame, message):
    headers = session_headers(creator.user)

    async def scenario():
        socket = WebsocketCommunicator(application, path(collaboration), headers=headers)
        assert (await socket.connect())[0]
        await socket.send_to(text_data=frame)
        html = await socket.receive_from(timeout=3)
        assert 'id="thread-live-error"' in html and 'hx-swap-oob="true"' in html and message in html
        # Still open: a good message after a bad one goes through.
        await socket.send_to(text_data=json.dumps({"body": "Second try"}))
        assert "Second try" in await socket.receive_from(timeout=3)
        await socket.disconnect()

    run(scenario)
    assert list(CollaborationMessage.objects.values_list("body", flat=True)) == ["Second try"]


def test_a_binary_frame_gets_an_error_frame(creator, collaboration):
    headers = session_headers(creator.user)

    async def scenario():
        socket = WebsocketCommunicator(application, path(collaboration), headers=headers)
        assert (await socket.connect())[0]
        await socket.send_to(bytes_data=b'{"body": "hi"}')
        assert "Send the message as JSON text" in await socket.receive_from(timeout=3)
        await socket.disconnect()

    run(scenario)
    assert not CollaborationMessage.objects.exists()


@pytest.mark.parametrize("who", ["other_brand_member", "other_influencer"])
def test_someone_elses_collaboration_is_refused_with_4404(collaboration, who):
    user = MembershipFactory().user if who == "other_brand_member" else InfluencerProfileFactory().user
    headers = session_headers(user)

    async def scenario():
        connected, code = await WebsocketCommunicator(
            application, path(collaboration), headers=headers
        ).connect()
        assert not connected and code == 4404

    run(scenario)


def test_a_missing_collaboration_is_refused_with_4404(creator, collaboration):
    headers = session_headers(creator.user)

    async def scenario():
        connected, code = await WebsocketCommunicator(
            application, "/ws/collaborations/999999/", headers=headers
        ).connect()
        assert not connected and code == 4404

    run(scenario)


def test_an_anonymous_socket_is_refused_with_4401(collaboration):
    async def scenario():
        connected, code = await WebsocketCommunicator(
            application, path(collaboration), headers=[ORIGIN]
        ).connect()
        assert not connected and code == 4401

    run(scenario)


def test_a_member_who_left_the_brand_can_no_longer_write(membership, collaboration):
    headers = session_headers(membership.user)

    async def scenario():
        socket = WebsocketCommunicator(application, path(collaboration), headers=headers)
        assert (await socket.connect())[0]
        await database_sync_to_async(membership.delete)()
        await socket.send_to(text_data=json.dumps({"body": "Still here?"}))
        assert (await socket.receive_output(timeout=3))["code"] == 4404

    run(scenario)
    assert not CollaborationMessage.objects.exists()


def test_the_page_opens_the_thread_socket(creator, collaboration):
    client = Client()
    client.force_login(creator.user)
    html = client.get(f"/influencer/collaborations/{collaboration.pk}/").content.decode()
    assert f'ws-connect="/ws/collaborations/{collaboration.pk}/"' in html
    assert 'id="thread-live-error"' in html and "js/collaboration-thread.js" in html


def test_a_nul_character_gets_an_error_frame_not_a_crash(creator, collaboration):
    headers = session_headers(creator.user)

    async def scenario():
        socket = WebsocketCommunicator(application, path(collaboration), headers=headers)
        assert (await socket.connect())[0]
        await socket.send_to(text_data=json.dumps({"body": "a\x00b"}))
        assert "NUL" in await socket.receive_from(timeout=3)
        await socket.send_to(text_data=json.dumps({"body": "fine"}))
        assert "fine" in await socket.receive_from(timeout=3)
        await socket.disconnect()

    run(scenario)
    assert list(CollaborationMessage.objects.values_list("body", flat=True)) == ["fine"]
