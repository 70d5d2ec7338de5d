"""The meme API: generate (one and batch), read, feeds, delete, vote, react, moderate, templates;
every validation, anonymous reads vs writes, another user's private meme, the rate limit, and the
trending page's cache."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from apps.accounts import services as account_services
from apps.memes import api as memes_api
from apps.memes import generation, services, trending
from apps.memes.models import Meme, MemeTemplate, MemeVote
from tests.factories import StaffFactory, UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def token(user):
    return account_services.api_token_create(user=user, name="tests")[1]


def auth(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, path, body, **extra):
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


def make(template, owner, texts=("top", "bottom"), is_public=True, size="thumbnail", **kwargs):
    spec = generation.spec_from_input(template=template, texts=list(texts), **kwargs)
    return services.meme_create(user=owner, spec=spec, size=size, is_public=is_public)[0]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


GOOD = {"template": "this-is-fine", "texts": ["when the tests pass", "on the first try"], "size": "thumbnail"}


# --- Generate ---------------------------------------------------------------------------------------


def test_generating_a_meme_answers_201_with_a_working_url_per_size(client, starter, user, token):
    response = post(client, "/api/v1/memes", GOOD, **auth(token))
    assert response.status_code == 201
    data = response.json()
    meme = Meme.objects.get(pk=data["id"])
    assert meme.owner == user
    assert data["template"] == "this-is-fine" and data["texts"] == GOOD["texts"]
    assert data["format"] == "jpeg" and data["is_public"] is False and data["moderation"] == "visible"
    assert (data["score"], data["up_votes"], data["down_votes"], data["reactions"]) == (0, 0, 0, {})
    assert data["your_vote"] == 0 and data["your_reactions"] == []
    assert set(data["urls"]) == {"thumbnail", "medium", "full"}
    assert data["urls"]["thumbnail"] == f"http://testserver/memes/r/{meme.cache_key}-thumbnail.jpg"
    # Every size's URL works, rendered ones and not yet rendered ones alike.
    for size, width in (("thumbnail", 320), ("medium", 640)):
        image = client.get(data["urls"][size].removeprefix("http://testserver"))
        assert image.status_code == 200
        assert Image.open(io.BytesIO(body(image))).size[0] == width


def test_asking_for_the_same_pixels_again_answers_200_with_the_same_meme(client, starter, token):
    first = post(client, "/api/v1/memes", GOOD, **auth(token))
    again = post(client, "/api/v1/memes", GOOD, **auth(token))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Meme.objects.count() == 1


def test_every_option_is_accepted_and_decides_the_pixels(client, starter, token):
    options = {
        **GOOD,
        "boxes": [{"x": 0.1, "y": 0.1, "w": 0.8, "h": 0.3}, {"x": 0.1, "y": 0.6, "w": 0.8, "h": 0.3}],
        "font": "sans",
        "fill": "#FFCC00",
        "stroke": "#112233",
        "effect": "shadow",
        "align": "left",
        "filters": ["blur:1.5", {"name": "sepia"}],
        "format": "png",
        "is_public": True,
    }
    response = post(client, "/api/v1/memes", options, **auth(token))
    assert response.status_code == 201, response.json()
    meme = Meme.objects.get(pk=response.json()["id"])
    assert meme.format == "png" and meme.is_public
    assert (
        meme.style.items()
        >= {"font": "sans", "fill": "#FFCC00", "stroke": "#112233", "effect": "shadow"}.items()
    )
    assert meme.filters == [{"name": "blur", "value": 1.5}, {"name": "sepia", "value": None}]
    assert [box["align"] for box in meme.boxes] == ["left", "left"]
    assert response.json()["urls"]["full"].endswith(".png")


def test_an_animated_template_gives_an_animated_gif_by_default(client, starter, token):
    response = post(
        client,
        "/api/v1/memes",
        {"template": "hype-pulse", "texts": ["go"], "size": "thumbnail"},
        **auth(token),
    )
    assert response.status_code == 201
    meme = Meme.objects.get(pk=response.json()["id"])
    with default_storage.open(meme.images["thumbnail"]) as handle:
        assert Image.open(handle).n_frames > 1


def test_an_unknown_template_is_404(client, starter, token):
    response = post(client, "/api/v1/memes", {**GOOD, "template": "no-such-thing"}, **auth(token))
    assert response.status_code == 404
    assert response.json()["detail"]


def test_another_users_pending_template_is_404_and_ones_own_makes_private_memes(client, starter, user, token):
    template = starter["two-buttons"]
    MemeTemplate.objects.filter(pk=template.pk).update(
        status=MemeTemplate.Status.PENDING, uploaded_by=UserFactory()
    )
    assert (
        post(client, "/api/v1/memes", {**GOOD, "template": "two-buttons"}, **auth(token)).status_code == 404
    )
    MemeTemplate.objects.filter(pk=template.pk).update(uploaded_by=user)
    private = post(client, "/api/v1/memes", {**GOOD, "template": "two-buttons"}, **auth(token))
    assert private.status_code == 201
    public = post(
        client,
        "/api/v1/memes",
        {**GOOD, "texts": ["x"], "template": "two-buttons", "is_public": True},
        **auth(token),
    )
    assert public.status_code == 422 and "is_public" in public.json()["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"texts": ["x" * 201]}, "texts"),
        ({"texts": []}, "texts"),
        ({"texts": ["a", "b", "c", "d"]}, "texts"),  # more texts than the template has boxes
        ({"boxes": [{"x": 0.1, "y": 0.1, "w": 0.5, "h": 0.1}] * 11}, "boxes"),
        ({"boxes": [{"x": 1.5, "y": 0.1, "w": 0.5, "h": 0.1}]}, "boxes[0].x"),
        ({"fill": "blueish"}, "fill"),
        ({"stroke": "#12345"}, "stroke"),
        ({"filters": ["melt"]}, "filters"),
        ({"filters": ["blur:99"]}, "filters.blur"),
        ({"format": "bmp"}, "format"),
        ({"size": "huge"}, "size"),
        ({"font": "comic"}, "font"),
        ({"effect": "glow"}, "effect"),
        ({"align": "justify"}, "align"),
        # Wrong types are refused by the schema, with the field named the same way.
        ({"texts": "one string"}, "texts"),
        ({"texts": [5]}, "texts[0]"),
        ({"boxes": [{"x": "left"}]}, "boxes[0].x"),
        ({"boxes": [{"x": 0.1, "colour": "red"}]}, "boxes[0].colour"),
        ({"filters": [{"name": "blur", "strength": 2}]}, "filters[0]"),
        ({"filters": [5]}, "filters"),
        ({"filters": {"blur": 2}}, "filters"),
        ({"is_public": "perhaps"}, "is_public"),
        ({"template": None}, "template"),
        ({"caption": "hi"}, "caption"),
    ],
)
def test_bad_input_is_422_json_naming_the_field(client, starter, token, change, field, monkeypatch):
    rendered = []
    monkeypatch.setattr(generation, "render_spec", lambda *a, **k: rendered.append(a))
    response = post(client, "/api/v1/memes", {**GOOD, **change}, **auth(token))
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert isinstance(data["detail"], str) and data["detail"]
    assert any(name == field or name.startswith(field) for name in data["errors"]), data
    assert rendered == [] and not Meme.objects.exists()


def test_a_body_that_is_not_json_is_a_4xx_with_a_message(client, starter, token):
    response = client.post("/api/v1/memes", "not json", content_type="application/json", **auth(token))
    assert response.status_code in (400, 422) and response.json()["detail"]


def test_generating_requires_sign_in(client, starter):
    response = post(client, "/api/v1/memes", GOOD)
    assert response.status_code == 401 and "Authentication required" in response.json()["detail"]


def test_a_browser_session_can_generate(client, starter, user):
    client.force_login(user)
    assert post(client, "/api/v1/memes", GOOD).status_code == 201


# --- Rate limit -------------------------------------------------------------------------------------


def test_over_the_rate_limit_generation_is_429_with_retry_after(client, starter, token, settings):
    settings.MEME_GENERATE_PER_USER = "2/minute"
    for text in ("one", "two"):
        assert post(client, "/api/v1/memes", {**GOOD, "texts": [text]}, **auth(token)).status_code == 201
    refused = post(client, "/api/v1/memes", {**GOOD, "texts": ["three"]}, **auth(token))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "try again" in refused.json()["detail"]
    assert Meme.objects.count() == 2
    # Asking again for a meme one has renders nothing and is not refused.
    assert post(client, "/api/v1/memes", {**GOOD, "texts": ["one"]}, **auth(token)).status_code == 200


def test_the_ip_limit_covers_every_user_on_that_address(client, starter, settings):
    settings.MEME_GENERATE_PER_USER = "off"
    settings.MEME_GENERATE_PER_IP = "1/hour"
    first, second = (account_services.api_token_create(user=UserFactory(), name="t")[1] for _ in range(2))
    assert post(client, "/api/v1/memes", GOOD, **auth(first)).status_code == 201
    refused = post(client, "/api/v1/memes", GOOD, **auth(second))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 3000
    other_address = post(client, "/api/v1/memes", GOOD, REMOTE_ADDR="10.9.8.7", **auth(second))
    assert other_address.status_code == 201


def test_invalid_requests_do_not_use_up_the_limit(client, starter, token, settings):
    settings.MEME_GENERATE_PER_USER = "1/minute"
    for _ in range(3):
        assert post(client, "/api/v1/memes", {**GOOD, "fill": "nope"}, **auth(token)).status_code == 422
    assert post(client, "/api/v1/memes", GOOD, **auth(token)).status_code == 201


# --- Batch ------------------------------------------------------------------------------------------


def test_a_batch_reports_each_items_result_and_answers_207_when_some_failed(client, starter, token):
    items = [
        GOOD,
        GOOD,  # the same pixels again: the meme made just before
        {**GOOD, "template": "no-such-template"},
        {**GOOD, "texts": ["x" * 300]},
        {**GOOD, "texts": "not a list"},
        "not an object",
        {**GOOD, "template": "two-buttons", "format": "webp"},
    ]
    response = post(client, "/api/v1/memes/batch", {"items": items}, **auth(token))
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["status"] for r in results] == [201, 200, 404, 422, 422, 422, 201]
    assert results[0]["meme"]["id"] == results[1]["meme"]["id"]
    assert "no-such-template" in results[2]["detail"]
    assert "texts" in results[3]["errors"] and "texts" in results[4]["errors"]
    assert results[6]["meme"]["format"] == "webp"
    assert response.json()["summary"] == {"created": 2, "existing": 1, "failed": 4}
    assert Meme.objects.count() == 2


def test_a_batch_where_every_item_succeeds_answers_200(client, starter, token):
    items = [{**GOOD, "texts": [f"meme {i}"]} for i in range(3)]
    response = post(client, "/api/v1/memes/batch", {"items": items}, **auth(token))
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == [201, 201, 201]


def test_a_batch_of_more_than_50_is_refused_whole(client, starter, token):
    response = post(client, "/api/v1/memes/batch", {"items": [GOOD] * 51}, **auth(token))
    assert response.status_code == 422
    assert "items" in response.json()["errors"]
    assert not Meme.objects.exists()


def test_an_empty_batch_is_422(client, starter, token):
    assert post(client, "/api/v1/memes/batch", {"items": []}, **auth(token)).status_code == 422


def test_batch_items_over_the_rate_limit_get_429_entries(client, starter, token, settings):
    settings.MEME_GENERATE_PER_USER = "2/minute"
    items = [{**GOOD, "texts": [f"meme {i}"]} for i in range(4)]
    response = post(client, "/api/v1/memes/batch", {"items": items}, **auth(token))
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201, 429, 429]
    assert all(1 <= r["retry_after"] <= 60 for r in results[2:])
    assert Meme.objects.count() == 2


def test_batch_requires_sign_in(client, starter):
    assert post(client, "/api/v1/memes/batch", {"items": [GOOD]}).status_code == 401


# --- Read one ---------------------------------------------------------------------------------------


def test_a_public_meme_is_readable_by_anyone(client, starter):
    meme = make(starter["this-is-fine"], UserFactory(display_name="Meme Lord"))
    response = client.get(f"/api/v1/memes/{meme.pk}")
    assert response.status_code == 200
    assert response.json()["author"] == "Meme Lord"
    assert response.json()["your_vote"] == 0


def test_a_private_meme_is_404_to_others_and_visible_to_its_owner_and_staff(client, starter, user, token):
    meme = make(starter["this-is-fine"], user, is_public=False)
    assert client.get(f"/api/v1/memes/{meme.pk}").status_code == 404
    assert client.get(f"/api/v1/memes/{meme.pk}", **auth(token)).status_code == 200
    other = account_services.api_token_create(user=UserFactory(), name="t")[1]
    assert client.get(f"/api/v1/memes/{meme.pk}", **auth(other)).json() == {"detail": "Not found."}
    client.force_login(user)
    assert client.get(f"/api/v1/memes/{meme.pk}").status_code == 200
    client.force_login(StaffFactory())
    assert client.get(f"/api/v1/memes/{meme.pk}").status_code == 200


def test_a_hidden_meme_is_404_to_the_public(client, starter):
    meme = make(starter["this-is-fine"], UserFactory())
    services.meme_moderate(meme=meme, user=StaffFactory(), action="hide")
    assert client.get(f"/api/v1/memes/{meme.pk}").status_code == 404


def test_a_missing_meme_is_404(client, db):
    assert client.get("/api/v1/memes/999999").status_code == 404


# --- Delete -----------------------------------------------------------------------------------------


def test_the_owner_deletes_a_meme_with_204(client, starter, user, token):
    meme = make(starter["this-is-fine"], user)
    response = client.delete(f"/api/v1/memes/{meme.pk}", **auth(token))
    assert response.status_code == 204 and response.content == b""
    assert not Meme.objects.filter(pk=meme.pk).exists()


def test_others_cannot_delete_a_meme_and_learn_nothing(client, starter, token):
    public = make(starter["this-is-fine"], UserFactory())
    private = make(starter["this-is-fine"], UserFactory(), texts=("secret",), is_public=False)
    for meme in (public, private):
        assert client.delete(f"/api/v1/memes/{meme.pk}", **auth(token)).status_code == 404
    assert Meme.objects.count() == 2
    assert client.delete(f"/api/v1/memes/{public.pk}").status_code == 401


def test_staff_delete_any_meme(client, starter):
    meme = make(starter["this-is-fine"], UserFactory(), is_public=False)
    client.force_login(StaffFactory())
    assert client.delete(f"/api/v1/memes/{meme.pk}").status_code == 204


# --- Votes and reactions ----------------------------------------------------------------------------


def test_voting_twice_counts_once(client, starter, user, token):
    meme = make(starter["this-is-fine"], UserFactory())
    for _ in range(2):
        response = post(client, f"/api/v1/memes/{meme.pk}/vote", {"value": 1}, **auth(token))
        assert response.status_code == 200
    assert response.json() == {"score": 1, "up_votes": 1, "down_votes": 0, "your_vote": 1}
    assert MemeVote.objects.filter(meme=meme).count() == 1
    down = post(client, f"/api/v1/memes/{meme.pk}/vote", {"value": -1}, **auth(token)).json()
    assert down == {"score": -1, "up_votes": 0, "down_votes": 1, "your_vote": -1}
    back = post(client, f"/api/v1/memes/{meme.pk}/vote", {"value": 0}, **auth(token)).json()
    assert back == {"score": 0, "up_votes": 0, "down_votes": 0, "your_vote": 0}
    assert client.get(f"/api/v1/memes/{meme.pk}", **auth(token)).json()["your_vote"] == 0


@pytest.mark.parametrize("value", [2, "up", None])
def test_a_vote_other_than_1_minus_1_or_0_is_422(client, starter, token, value):
    meme = make(starter["this-is-fine"], UserFactory())
    response = post(client, f"/api/v1/memes/{meme.pk}/vote", {"value": value}, **auth(token))
    assert response.status_code == 422 and "value" in response.json()["errors"]


def test_voting_and_reacting_require_sign_in(client, starter):
    meme = make(starter["this-is-fine"], UserFactory())
    assert post(client, f"/api/v1/memes/{meme.pk}/vote", {"value": 1}).status_code == 401
    assert post(client, f"/api/v1/memes/{meme.pk}/reactions", {"emoji": "fire"}).status_code == 401


def test_another_users_private_meme_cannot_be_voted_or_reacted_on(client, starter, token):
    meme = make(starter["this-is-fine"], UserFactory(), is_public=False)
    assert post(client, f"/api/v1/memes/{meme.pk}/vote", {"value": 1}, **auth(token)).status_code == 404
    assert (
        post(client, f"/api/v1/memes/{meme.pk}/reactions", {"emoji": "fire"}, **auth(token)).status_code
        == 404
    )
    assert not MemeVote.objects.exists()


def test_reactions_toggle_or_are_set_and_report_yours(client, starter, token):
    meme = make(starter["this-is-fine"], UserFactory())
    path = f"/api/v1/memes/{meme.pk}/reactions"
    assert post(client, path, {"emoji": "fire"}, **auth(token)).json() == {
        "reactions": {"fire": 1},
        "yours": ["fire"],
    }
    both = post(client, path, {"emoji": "laugh", "on": True}, **auth(token)).json()
    assert both == {"reactions": {"laugh": 1, "fire": 1}, "yours": ["fire", "laugh"]}
    again = post(client, path, {"emoji": "laugh", "on": True}, **auth(token)).json()
    assert again["reactions"]["laugh"] == 1
    assert post(client, path, {"emoji": "fire"}, **auth(token)).json() == {
        "reactions": {"laugh": 1},
        "yours": ["laugh"],
    }
    assert client.get(f"/api/v1/memes/{meme.pk}", **auth(token)).json()["your_reactions"] == ["laugh"]


def test_an_unknown_reaction_is_422(client, starter, token):
    meme = make(starter["this-is-fine"], UserFactory())
    response = post(client, f"/api/v1/memes/{meme.pk}/reactions", {"emoji": "poop"}, **auth(token))
    assert response.status_code == 422 and "emoji" in response.json()["errors"]


# --- Moderation -------------------------------------------------------------------------------------


def test_staff_hide_a_meme_and_it_leaves_trending(client, starter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meme = make(starter["this-is-fine"], UserFactory())
    assert [m["id"] for m in client.get("/api/v1/memes/trending").json()["results"]] == [meme.pk]
    client.force_login(StaffFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"/api/v1/memes/{meme.pk}/moderate", {"action": "hide", "reason": "spam"})
    assert response.status_code == 200 and response.json()["moderation"] == "hidden"
    memes_api.trending_cache_clear()  # the next read of the version (at most 1 s later in production)
    assert client.get("/api/v1/memes/trending").json()["results"] == []


def test_only_staff_moderate(client, starter, token):
    meme = make(starter["this-is-fine"], UserFactory())
    response = post(client, f"/api/v1/memes/{meme.pk}/moderate", {"action": "hide"}, **auth(token))
    assert response.status_code == 403
    assert Meme.objects.get(pk=meme.pk).moderation == "visible"


# --- Feeds ------------------------------------------------------------------------------------------


@pytest.fixture
def feed(starter, django_capture_on_commit_callbacks):
    """Five public memes (in the trending set) with 0..4 up votes, a private one and a hidden one."""
    owner = UserFactory()
    voters = [UserFactory() for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        memes = [make(starter["this-is-fine"], owner, texts=(f"meme {i}",)) for i in range(5)]
        for i, meme in enumerate(memes):
            for voter in voters[:i]:
                services.meme_vote(meme=meme, user=voter, value=1)
        make(starter["this-is-fine"], owner, texts=("private",), is_public=False)
        hidden = make(starter["this-is-fine"], owner, texts=("hidden",))
        services.meme_moderate(meme=hidden, user=StaffFactory(), action="hide")
    return memes


def test_trending_is_anonymous_paginated_and_best_first(client, feed):
    first = client.get("/api/v1/memes/trending?page=1&page_size=2")
    assert first.status_code == 200
    data = first.json()
    assert data["count"] == 5 and data["page"] == 1 and data["page_size"] == 2
    assert [m["id"] for m in data["results"]] == [feed[4].pk, feed[3].pk]
    assert data["results"][0]["up_votes"] == 4
    assert data["previous"] is None
    assert data["next"] == "http://testserver/api/v1/memes/trending?page=2&page_size=2"
    last = client.get("/api/v1/memes/trending?page=3&page_size=2").json()
    assert [m["id"] for m in last["results"]] == [feed[0].pk]
    assert last["next"] is None
    assert last["previous"] == "http://testserver/api/v1/memes/trending?page=2&page_size=2"


def test_trending_has_the_memeout_shape(client, feed):
    meme = client.get("/api/v1/memes/trending").json()["results"][0]
    assert set(meme) == {
        "id", "template", "template_name", "author", "texts", "format", "is_public", "moderation",
        "score", "up_votes", "down_votes", "reactions", "created_at", "urls",
    }  # fmt: skip
    assert meme["created_at"].endswith("Z")
    assert set(meme["urls"]) == {"thumbnail", "medium", "full"}


@pytest.mark.parametrize("query", ["page=0", "page_size=101", "page_size=0", "page=x"])
def test_trending_refuses_bad_pages_with_422(client, db, query):
    response = client.get(f"/api/v1/memes/trending?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.json()["errors"]


def test_a_trending_page_costs_one_query_and_then_none(client, feed, django_assert_max_num_queries):
    # The memes of the page's ids (from Redis); without Redis the order and count come from the
    # database too.
    with django_assert_max_num_queries(1 if trending.redis_client() else 3):
        first = client.get("/api/v1/memes/trending?page_size=50")
    with django_assert_max_num_queries(0):
        second = client.get("/api/v1/memes/trending?page_size=50")
    assert first.content == second.content and len(first.json()["results"]) == 5


def test_trending_is_cacheable_and_answers_304_to_its_etag(client, feed):
    response = client.get("/api/v1/memes/trending")
    assert response["Cache-Control"] == "public, max-age=2"
    assert response["Content-Type"] == "application/json"
    again = client.get("/api/v1/memes/trending", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_the_trending_cache_is_dropped_when_a_vote_changes_the_version(
    client, feed, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(memes_api, "TRENDING_VERSION_TTL", 0)
    before = client.get("/api/v1/memes/trending").json()
    assert before["results"][-1]["id"] == feed[0].pk and before["results"][-1]["up_votes"] == 0
    version = trending.trending_version()
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            f"/api/v1/memes/{feed[0].pk}/vote",
            {"value": 1},
            **auth(account_services.api_token_create(user=UserFactory(), name="t")[1]),
        )
    assert trending.trending_version() != version
    after = client.get("/api/v1/memes/trending").json()
    assert next(m for m in after["results"] if m["id"] == feed[0].pk)["up_votes"] == 1


def test_within_the_version_ttl_trending_reads_nothing_at_all(client, feed, monkeypatch):
    client.get("/api/v1/memes/trending")
    reads = []
    monkeypatch.setattr(trending, "trending_version", lambda: reads.append(1) or "changed")
    assert client.get("/api/v1/memes/trending").status_code == 200
    assert reads == []
    monkeypatch.setattr(memes_api, "TRENDING_VERSION_TTL", 0)
    client.get("/api/v1/memes/trending")
    assert reads == [1]


def test_latest_is_newest_first_and_continues_before_the_last_id(client, feed):
    first = client.get("/api/v1/memes/latest?limit=3").json()
    ids = [m["id"] for m in first["results"]]
    assert ids == [feed[4].pk, feed[3].pk, feed[2].pk]
    assert first["next"] == f"http://testserver/api/v1/memes/latest?before={feed[2].pk}&limit=3"
    rest = client.get(first["next"].removeprefix("http://testserver")).json()
    assert [m["id"] for m in rest["results"]] == [feed[1].pk, feed[0].pk]
    assert rest["next"] is None


def test_mine_lists_ones_own_memes_private_included(client, starter, user, token):
    mine = [make(starter["this-is-fine"], user, texts=(f"mine {i}",), is_public=i == 0) for i in range(3)]
    make(starter["this-is-fine"], UserFactory(), texts=("theirs",))
    data = client.get("/api/v1/memes/mine?page_size=2", **auth(token)).json()
    assert data["count"] == 3
    assert [m["id"] for m in data["results"]] == [mine[2].pk, mine[1].pk]
    assert data["next"].endswith("page=2&page_size=2")
    assert client.get("/api/v1/memes/mine").status_code == 401


# --- Templates --------------------------------------------------------------------------------------


def test_templates_are_searchable_by_name_and_tag_anonymously(client, starter):
    everything = client.get("/api/v1/meme-templates").json()
    assert everything["count"] == len(starter)
    fine = client.get("/api/v1/meme-templates?q=fine").json()
    assert [t["slug"] for t in fine["results"]] == ["this-is-fine"]
    template = fine["results"][0]
    assert template["boxes"] and {"x", "y", "w", "h", "align", "valign", "uppercase"} <= set(
        template["boxes"][0]
    )
    assert template["width"] > 0 and template["is_animated"] is False and template["frame_count"] == 1
    assert template["image_url"].startswith("http://testserver/memes/t/this-is-fine.")
    assert template["render_url"] == "http://testserver/memes/render/this-is-fine.jpg"
    assert client.get(template["image_url"].removeprefix("http://testserver")).status_code == 200
    tag = starter["hype-pulse"].tag_list[0]
    tagged = client.get(f"/api/v1/meme-templates?tag={tag}").json()
    assert "hype-pulse" in [t["slug"] for t in tagged["results"]]
    assert client.get("/api/v1/meme-templates?q=zzzznothing").json()["count"] == 0


def test_templates_paginate(client, starter):
    page = client.get("/api/v1/meme-templates?page_size=4&page=2").json()
    assert len(page["results"]) == 4 and page["previous"] and page["next"]


def test_a_pending_template_is_listed_for_its_uploader_only(client, starter, user, token):
    MemeTemplate.objects.filter(slug="two-buttons").update(
        status=MemeTemplate.Status.PENDING, uploaded_by=user
    )
    anonymous = [t["slug"] for t in client.get("/api/v1/meme-templates").json()["results"]]
    assert "two-buttons" not in anonymous
    assert client.get("/api/v1/meme-templates/two-buttons").status_code == 404
    own = client.get("/api/v1/meme-templates?q=buttons", **auth(token)).json()["results"]
    assert [(t["slug"], t["status"]) for t in own] == [("two-buttons", "pending")]
    assert client.get("/api/v1/meme-templates/two-buttons", **auth(token)).status_code == 200


# --- The schema -------------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_meme_endpoints(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/memes",
        "/api/v1/memes/batch",
        "/api/v1/memes/trending",
        "/api/v1/memes/{meme_id}",
        "/api/v1/memes/{meme_id}/vote",
        "/api/v1/memes/{meme_id}/reactions",
        "/api/v1/meme-templates",
    ):
        assert path in paths, path
    trending_schema = paths["/api/v1/memes/trending"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]
    assert trending_schema["schema"]["$ref"].endswith("/MemePageOut")
    batch_items = schema["components"]["schemas"]["MemeBatchIn"]["properties"]["items"]
    assert batch_items["maxItems"] == 50 and {"template", "texts"} <= set(batch_items["items"]["properties"])


def test_filters_may_be_one_comma_separated_string(client, starter, token):
    response = post(client, "/api/v1/memes", {**GOOD, "filters": "blur:2,grayscale"}, **auth(token))
    assert response.status_code == 201
    assert Meme.objects.get().filters == [
        {"name": "blur", "value": 2.0},
        {"name": "grayscale", "value": None},
    ]
