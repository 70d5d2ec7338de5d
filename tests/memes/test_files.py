"""Meme images over HTTP: stored renders by content address (ETag, 304, immutable, sizes rendered on
demand), render-by-URL previews (cache hits never render, misses are rate limited) and template
images (pending ones only for their uploader)."""

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from apps.memes import generation, services
from apps.memes.models import MemeTemplate
from apps.memes.views import files as file_views
from tests.factories import StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_template_cache():
    file_views._templates.clear()
    yield
    file_views._templates.clear()


def make(template, user, texts=("top text", "bottom text"), size="medium", is_public=True, **kwargs):
    spec = generation.spec_from_input(template=template, texts=list(texts), **kwargs)
    return services.meme_create(user=user, spec=spec, size=size, is_public=is_public)[0]


def url_of(meme, size):
    return reverse(
        "memes:file",
        kwargs={"key": meme.cache_key, "size": size, "ext": generation.EXTENSIONS[meme.format]},
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def no_render(monkeypatch):
    calls = []
    monkeypatch.setattr(generation, "render_spec", lambda *a, **k: calls.append(a))
    return calls


# --- Stored renders ---------------------------------------------------------------------------------


def test_a_stored_render_is_served_immutable_with_its_address_as_strong_etag(
    client, starter, django_assert_num_queries
):
    meme = make(starter["this-is-fine"], UserFactory())
    with django_assert_num_queries(0):
        response = client.get(url_of(meme, "medium"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["ETag"] == f'"{meme.cache_key}-medium"'
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    with default_storage.open(meme.images["medium"]) as handle:
        assert body(response) == handle.read()
    assert "sessionid" not in response.cookies


def test_if_none_match_is_answered_304_without_a_body(client, starter):
    meme = make(starter["this-is-fine"], UserFactory())
    etag = f'"{meme.cache_key}-medium"'
    response = client.get(url_of(meme, "medium"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    other = client.get(url_of(meme, "medium"), HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_a_size_not_rendered_yet_is_rendered_on_first_request_and_stored(client, starter):
    meme = make(starter["this-is-fine"], UserFactory(), size="medium")
    assert "thumbnail" not in meme.images
    response = client.get(url_of(meme, "thumbnail"))
    assert response.status_code == 200
    assert Image.open(io.BytesIO(body(response))).size[0] == 320
    meme.refresh_from_db()
    assert default_storage.exists(meme.images["thumbnail"])


def test_an_unknown_address_is_404_and_nothing_is_rendered(client, starter, monkeypatch):
    calls = no_render(monkeypatch)
    response = client.get(reverse("memes:file", kwargs={"key": "ab" * 32, "size": "full", "ext": "jpg"}))
    assert response.status_code == 404
    assert calls == []


def test_the_wrong_extension_for_a_known_address_is_404(client, starter):
    meme = make(starter["this-is-fine"], UserFactory())
    path = url_of(meme, "medium").replace(".jpg", ".png")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/memes/r/abc-medium.jpg", f"/memes/r/{'a' * 64}-huge.jpg", f"/memes/r/{'a' * 64}-medium.bmp"],
)
def test_malformed_file_paths_are_404(client, db, path):
    assert client.get(path).status_code == 404


def test_download_asks_the_browser_to_save_the_file(client, starter):
    meme = make(starter["this-is-fine"], UserFactory())
    response = client.get(url_of(meme, "medium") + "?download=1")
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"meme-{meme.cache_key[:12]}-medium.jpg" in response["Content-Disposition"]


def test_a_private_memes_file_is_served_to_whoever_has_its_address(client, starter):
    meme = make(starter["this-is-fine"], UserFactory(), is_public=False)
    assert client.get(url_of(meme, "medium")).status_code == 200


# --- Render by URL ----------------------------------------------------------------------------------


def render_path(slug="this-is-fine", ext="jpg"):
    return reverse("memes:render", kwargs={"slug": slug, "ext": ext})


def test_render_by_url_renders_once_then_serves_the_stored_file(client, starter, monkeypatch):
    query = {"text": ["hello", "world"], "size": "thumbnail"}
    first = client.get(render_path(), query)
    assert first.status_code == 200
    assert first["Content-Type"] == "image/jpeg"
    data = body(first)
    image = Image.open(io.BytesIO(data))
    assert image.size[0] == 320
    spec = generation.spec_from_input(template=starter["this-is-fine"], texts=["hello", "world"])
    assert first["ETag"] == f'"{spec.key}-thumbnail"'
    assert first["Content-Location"] == reverse(
        "memes:file", kwargs={"key": spec.key, "size": "thumbnail", "ext": "jpg"}
    )
    assert first["Cache-Control"] == "public, max-age=86400"

    calls = no_render(monkeypatch)
    second = client.get(render_path(), query)
    assert second.status_code == 200 and body(second) == data
    assert calls == []
    # The same pixels through the files view, by content address.
    assert body(client.get(first["Content-Location"])) == data


def test_a_render_by_url_hit_runs_no_query_and_leaves_the_session_alone(
    client, starter, django_assert_num_queries
):
    client.force_login(UserFactory())
    query = {"text": ["hello"], "size": "thumbnail"}
    assert client.get(render_path(), query).status_code == 200
    with django_assert_num_queries(0):
        response = client.get(render_path(), query)
    assert response.status_code == 200
    assert not response.cookies


def test_render_by_url_answers_304_to_its_etag(client, starter, monkeypatch):
    query = {"text": ["hello"], "size": "thumbnail"}
    etag = client.get(render_path(), query)["ETag"]
    calls = no_render(monkeypatch)
    response = client.get(render_path(), query, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b"" and calls == []


def test_render_by_url_takes_every_style_option(client, starter):
    query = {
        "text": ["left", "right"],
        "size": "thumbnail",
        "font": "sans",
        "fill": "#FF0000",
        "stroke": "#00ff00",
        "effect": "shadow",
        "align": "left",
        "filters": "blur:2,sepia",
    }
    response = client.get(render_path(ext="png"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    spec = generation.spec_from_input(
        template=starter["this-is-fine"],
        texts=["left", "right"],
        font="sans",
        fill="#FF0000",
        stroke="#00ff00",
        effect="shadow",
        align="left",
        filters="blur:2,sepia",
        format="png",
    )
    assert response["ETag"] == f'"{spec.key}-thumbnail"'


def test_an_animated_template_stays_animated_unless_asked_for_a_still(client, starter):
    animated = client.get(render_path("hype-pulse", "gif"), {"text": ["go"], "size": "thumbnail"})
    assert Image.open(io.BytesIO(body(animated))).n_frames > 1
    still = client.get(
        render_path("hype-pulse", "gif"), {"text": ["go"], "size": "thumbnail", "animated": "0"}
    )
    assert getattr(Image.open(io.BytesIO(body(still))), "n_frames", 1) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"text": ["x" * 201]}, "texts"),
        ({"text": []}, "texts"),
        ({"text": ["a"], "fill": "blue-ish"}, "fill"),
        ({"text": ["a"], "filters": "melt"}, "filters"),
        ({"text": ["a"], "font": "comic"}, "font"),
        ({"text": ["a"], "effect": "glow"}, "effect"),
        ({"text": ["a"], "align": "justify"}, "align"),
        ({"text": ["a"], "size": "huge"}, "size"),
    ],
)
def test_bad_render_queries_are_422_json_naming_the_field(client, starter, query, field, monkeypatch):
    calls = no_render(monkeypatch)
    response = client.get(render_path(), query)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert field in data["errors"] and data["detail"]
    assert calls == []


def test_an_unknown_template_is_404_json(client, starter):
    response = client.get(render_path("no-such-template"), {"text": ["a"]})
    assert response.status_code == 404 and response.json()["detail"] == "No such template."


def test_a_pending_template_renders_for_its_uploader_only(client, starter):
    uploader = UserFactory()
    template = starter["this-is-fine"]
    MemeTemplate.objects.filter(pk=template.pk).update(
        status=MemeTemplate.Status.PENDING, uploaded_by=uploader
    )
    query = {"text": ["mine"], "size": "thumbnail"}
    assert client.get(render_path(), query).status_code == 404
    client.force_login(UserFactory())
    assert client.get(render_path(), query).status_code == 404
    client.force_login(uploader)
    response = client.get(render_path(), query)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=86400"


def test_render_by_url_misses_are_rate_limited_and_hits_are_not(client, starter, settings):
    settings.MEME_GENERATE_PER_IP = "2/minute"
    for word in ("one", "two"):
        assert client.get(render_path(), {"text": [word], "size": "thumbnail"}).status_code == 200
    refused = client.get(render_path(), {"text": ["three"], "size": "thumbnail"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "try again" in refused.json()["detail"]
    # Stored files are still served while the limit is reached.
    assert client.get(render_path(), {"text": ["one"], "size": "thumbnail"}).status_code == 200


def test_render_by_url_only_answers_get_and_head(client, starter):
    assert client.post(render_path(), {"text": ["a"]}).status_code == 405


# --- Template images --------------------------------------------------------------------------------


def test_a_template_image_is_public_and_cached_for_a_year_when_versioned(client, starter):
    template = starter["this-is-fine"]
    url = file_views.template_image_url(template)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    with template.image.open("rb") as handle:
        assert body(response) == handle.read()
    unversioned = client.get(url.split("?")[0])
    assert unversioned["Cache-Control"] == "public, max-age=3600"
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_pending_template_image_is_shown_to_its_uploader_and_staff_only(client, starter):
    uploader = UserFactory()
    template = starter["two-buttons"]
    MemeTemplate.objects.filter(pk=template.pk).update(
        status=MemeTemplate.Status.PENDING, uploaded_by=uploader
    )
    url = file_views.template_image_url(template)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(uploader)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, max-age=3600"
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 200


def test_a_template_image_under_the_wrong_extension_is_404(client, starter):
    template = starter["this-is-fine"]
    ext = file_views.template_ext(template)
    other = "png" if ext != "png" else "jpg"
    assert (
        client.get(reverse("memes:template_image", kwargs={"slug": template.slug, "ext": other})).status_code
        == 404
    )
