"""Animated memes asked for by a web request are rendered by the worker: the request queues the
render once, waits a moment, and otherwise answers that the image is on its way (202, a page that
shows progress); the same URLs serve the image once the worker has stored it. A render the worker
cannot make (over the memory budget) is a clear 4xx, never a 500 or a wait without end.

"The worker" here is the real task function, run when the test says so: `.delay` only records the
call, as a queue with a busy worker behind it would."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from apps.accounts import services as account_services
from apps.memes import generation, services, tasks
from apps.memes.models import Meme, MemeTemplate
from apps.memes.views import files as file_views
from tests.factories import UserFactory
from tests.memes.large_gifs import large_gif


def animated_gif(frames=6, size=(200, 120)) -> bytes:
    images = [Image.new("RGB", size, (40 * i, 90, 200 - 30 * i)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=80, loop=0)
    return buffer.getvalue()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def approved_template(slug: str, data: bytes) -> MemeTemplate:
    """An approved template stored as given (the import and upload checks are not run)."""
    im = Image.open(io.BytesIO(data))
    template = MemeTemplate(
        name=slug.title(),
        slug=slug,
        width=im.size[0],
        height=im.size[1],
        frame_count=getattr(im, "n_frames", 1),
        is_animated=getattr(im, "n_frames", 1) > 1,
        status=MemeTemplate.Status.APPROVED,
        image_hash=f"{slug}-hash",
    )
    template.image.save(f"{slug}.gif", ContentFile(data), save=True)
    return template


@pytest.fixture(autouse=True)
def _fresh(settings):
    file_views._templates.clear()
    generation._template_bytes.clear()
    yield
    file_views._templates.clear()
    generation._template_bytes.clear()


@pytest.fixture
def party(db, media):
    return approved_template("party", animated_gif())


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def token(user):
    return account_services.api_token_create(user=user, name="tests")[1]


@pytest.fixture
def queue(monkeypatch, settings):
    """The task queue with a busy worker: calls are kept; ``queue.work()`` runs them."""

    class Queue(list):
        def work(self):
            while self:
                tasks.meme_render_task(*self.pop(0))

    queued = Queue()
    monkeypatch.setattr(tasks.meme_render_task, "delay", lambda *args: queued.append(args))
    settings.MEME_RENDER_WAIT = 0
    return queued


def api_post(client, token, body_):
    return client.post(
        "/api/v1/memes",
        json.dumps(body_),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


PARTY = {"template": "party", "texts": ["top", "bottom"], "size": "medium"}


def test_an_animated_meme_answers_202_with_where_to_look_until_the_worker_has_rendered_it(
    client, party, token, queue
):
    response = api_post(client, token, PARTY)

    assert response.status_code == 202
    data = response.json()
    assert data["status"] == "rendering" and data["format"] == "gif"
    assert response["Location"] == f"http://testserver/api/v1/memes/{data['id']}"
    assert response["Retry-After"] == str(generation.RENDER_RETRY_AFTER)
    image_path = data["urls"]["medium"].removeprefix("http://testserver")
    waiting = client.get(image_path)
    assert waiting.status_code == 202 and waiting.json()["status"] == "rendering"
    assert waiting["Retry-After"] == str(generation.RENDER_RETRY_AFTER)

    queue.work()

    status = client.get(response["Location"], HTTP_AUTHORIZATION=f"Bearer {token}")
    assert status.json()["status"] == "ready"
    image = client.get(image_path)
    assert image.status_code == 200
    assert Image.open(io.BytesIO(body(image))).n_frames == 6


def test_an_animated_meme_the_worker_draws_at_once_answers_201_ready(client, party, token):
    response = api_post(client, token, PARTY)  # the test worker runs tasks as they are queued

    assert response.status_code == 201
    assert response.json()["status"] == "ready"


def test_a_still_is_rendered_in_the_request_and_never_queued(client, starter, token, queue):
    response = api_post(client, token, {"template": "this-is-fine", "texts": ["a", "b"], "size": "thumbnail"})

    assert response.status_code == 201 and response.json()["status"] == "ready"
    assert queue == []


def test_an_animation_on_its_way_is_queued_once_however_often_it_is_asked_for(
    client, party, user, token, queue
):
    meme_id = api_post(client, token, PARTY).json()["id"]
    client.force_login(user)
    path = "/memes/render/party.gif?text=top&text=bottom&size=medium"
    for _ in range(3):
        assert client.get(path).status_code == 202
        assert client.get(f"/memes/{meme_id}/").status_code == 200  # asks for the full size

    assert sorted(args[1] for args in queue) == ["full", "medium"]


def test_running_the_render_task_twice_stores_the_same_file_once(party, user, queue):
    spec = generation.spec_from_input(template=party, texts=["top"], format="gif")
    services.meme_create(user=user, spec=spec, size="medium", background=True)
    args = queue[0]

    first = tasks.meme_render_task(*args)
    again = tasks.meme_render_task(*args)

    assert first == again
    assert services.rendered_ready(meme=Meme.objects.get(), size="medium")


def test_a_batch_queues_its_animations_without_waiting_for_each(client, party, token, queue):
    items = [{**PARTY, "texts": [f"line {i}"]} for i in range(3)]

    response = client.post(
        "/api/v1/memes/batch",
        json.dumps({"items": items}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == [202, 202, 202]
    assert response.json()["summary"]["created"] == 3 and len(queue) == 3


# --- over the memory budget ------------------------------------------------------------------------


@pytest.fixture
def oversized(db, media):
    """A template stored before the memory budget existed: 200 frames of 1400×1400."""
    return approved_template("too-big", large_gif())


def test_an_oversized_stored_template_is_a_422_with_the_reason_from_the_api(client, oversized, token):
    response = api_post(client, token, {"template": "too-big", "texts": ["top"], "size": "medium"})

    assert response.status_code == 422
    assert "too large to render" in json.dumps(response.json())
    assert not Meme.objects.exists()


def test_an_oversized_stored_template_is_a_422_from_the_render_url(client, oversized, user):
    client.force_login(user)

    response = client.get("/memes/render/too-big.gif?text=top")

    assert response.status_code == 422
    assert "too large to render" in response.json()["detail"]


def test_a_failed_render_is_told_to_those_waiting_and_not_queued_again(client, oversized, user, queue):
    client.force_login(user)
    path = "/memes/render/too-big.gif?text=top"
    assert client.get(path).status_code == 202

    queue.work()

    again = client.get(path)
    assert again.status_code == 422 and "too large to render" in again.json()["detail"]
    assert queue == []


# --- pages -------------------------------------------------------------------------------------------


def test_the_maker_preview_shows_progress_until_the_worker_has_drawn_the_animation(
    client, party, user, queue
):
    client.force_login(user)
    preview = "/memes/make/preview?template=party&text=hello&size=medium&format=gif"

    waiting = client.get(preview, HTTP_HX_REQUEST="true").content.decode()

    assert "Rendering the animation…" in waiting and "6 frames" in waiting
    assert 'hx-trigger="load delay:1s"' in waiting and "/memes/make/preview" in waiting
    assert "data-preview-image" not in waiting
    queue.work()
    ready = client.get(preview, HTTP_HX_REQUEST="true").content.decode()
    assert "Rendering the animation" not in ready
    assert 'src="/memes/render/party.gif?text=hello' in ready


def test_a_new_animated_meme_opens_on_its_page_with_progress_until_it_is_drawn(client, party, user, queue):
    client.force_login(user)

    response = client.post(
        "/memes/make/", {"template": "party", "text": ["hello", ""], "size": "medium", "format": "gif"}
    )

    meme = Meme.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/memes/{meme.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Its animation is being rendered and appears here in a moment." in page
    assert "Rendering the animation…" in page and f'hx-get="/memes/{meme.pk}/image"' in page
    queue.work()
    figure = client.get(f"/memes/{meme.pk}/image").content.decode()
    assert "Rendering the animation" not in figure
    assert f'src="/memes/r/{meme.cache_key}-full.gif"' in figure
    assert client.get(f"/memes/r/{meme.cache_key}-full.gif").status_code == 200


def test_when_the_queue_is_down_an_animation_is_drawn_in_the_request_instead(
    client, party, token, monkeypatch, settings
):
    def broker_down(*args):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(tasks.meme_render_task, "delay", broker_down)
    settings.MEME_RENDER_WAIT = 0

    response = api_post(client, token, PARTY)

    assert response.status_code == 201 and response.json()["status"] == "ready"
