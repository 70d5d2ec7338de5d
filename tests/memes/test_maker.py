"""The meme maker page (picker, live preview, create), caption ideas in the page, and My memes."""

import html
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from PIL import Image

from apps.memes import generation, services
from apps.memes.models import Meme, MemeTemplate
from tests.factories import StaffFactory, UserFactory
from tests.trends.conftest import make_trend

MAKE = "/memes/make/"
PREVIEW = "/memes/make/preview"
MINE = "/memes/mine/"


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def body(response) -> str:
    return response.content.decode()


def error_slot(page: str, slot: str) -> str:
    """The text of the error list next to a field (empty when there is none)."""
    found = re.search(rf'<ul id="err-{slot}"[^>]*>(.*?)</ul>', page, re.S)
    assert found, f"no error slot for {slot}"
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def preview_src(page: str) -> str | None:
    found = re.search(r'<img class="preview-image" src="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def make(template, user, texts=("top", "bottom"), *, public=True, size="thumbnail"):
    spec = generation.spec_from_input(template=template, texts=list(texts))
    meme, _ = services.meme_create(user=user, spec=spec, size=size, is_public=public)
    return meme


# --- the page ------------------------------------------------------------------------------------


def test_the_maker_needs_a_signed_in_user(client, db):
    response = client.get(f"{MAKE}?template=this-is-fine")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/memes/make/%3Ftemplate%3Dthis-is-fine" in response["Location"]


def test_url_names_the_other_pages_link_to(db):
    assert reverse("memes:make") == MAKE
    assert reverse("memes:mine") == MINE
    assert reverse("memes:template_upload") == "/memes/templates/new/"


def test_the_maker_lists_the_templates_and_asks_to_pick_one(signed_in, starter):
    page = body(signed_in.get(MAKE))
    assert "Pick a template to start" in page
    for template in starter.values():
        assert html.escape(template.name) in page
    assert "Animated" in page  # hype-pulse's badge


def test_a_template_in_the_query_is_preselected_with_one_input_per_box(signed_in, starter):
    page = body(signed_in.get(f"{MAKE}?template=this-is-fine"))
    assert 'class="template-card is-selected"' in page and 'data-template="this-is-fine"' in page
    assert ">Top text</label>" in page and ">Bottom text</label>" in page
    assert page.count('name="text"') == 2
    assert 'name="is_public" data-no-preview="1" checked' in page  # public by default

    three = body(signed_in.get(f"{MAKE}?template=two-buttons"))
    assert three.count('name="text"') == 3 and ">Text 3</label>" in three


def test_the_query_can_prefill_captions_and_the_preview_is_drawn_at_once(signed_in, starter):
    page = body(signed_in.get(f"{MAKE}?template=this-is-fine&text=Monday&text=Still+fine"))
    assert 'value="Monday"' in page and 'value="Still fine"' in page
    src = preview_src(page)
    assert src.startswith("/memes/render/this-is-fine.jpg?")
    assert parse_qs(urlsplit(src).query)["text"] == ["Monday", "Still fine"]


def test_animated_templates_say_which_formats_keep_the_animation(signed_in, starter):
    page = body(signed_in.get(f"{MAKE}?template=hype-pulse"))
    assert "GIF and WebP keep the animation; JPEG and PNG take the first frame" in page
    assert 'value="gif" checked' in page


def test_an_unknown_template_in_the_query_says_so_and_shows_the_picker(signed_in, starter):
    response = signed_in.get(f"{MAKE}?template=no-such-thing")
    assert response.status_code == 200
    assert "That template does not exist" in body(response)


def test_search_matches_names_and_tags(signed_in, starter):
    url = reverse("memes:make_templates")
    fine = body(signed_in.get(url, {"q": "fine"}))
    assert 'data-template="this-is-fine"' in fine and 'data-template="two-buttons"' not in fine
    tagged = body(signed_in.get(url, {"q": "comparison"}))
    assert 'data-template="approve-reject"' in tagged and 'data-template="before-after"' in tagged
    assert 'data-template="this-is-fine"' not in tagged
    nothing = body(signed_in.get(url, {"q": "zebra"}))
    assert "No template matches “zebra”" in nothing and "upload your own template" in nothing


def test_search_shows_the_users_own_pending_upload_but_not_someone_elses(signed_in, user, starter):
    mine = services.template_upload(user=user, name="Fine dog", data=_png())
    services.template_upload(user=UserFactory(), name="Fine cat", data=_png())
    page = body(signed_in.get(reverse("memes:make_templates"), {"q": "fine"}))
    assert f'data-template="{mine.slug}"' in page and "Yours — waiting for approval" in page
    assert "Fine cat" not in page


# --- the live preview ----------------------------------------------------------------------------


def preview(client, **params):
    params.setdefault("template", "this-is-fine")
    return client.get(PREVIEW, params)


def test_a_valid_preview_points_at_the_render_url_and_that_url_draws_it(signed_in, starter):
    response = preview(
        signed_in,
        text=["Deploy on Friday", "This is fine"],
        font="sans",
        fill="#ffcc00",
        stroke="#112233",
        effect="shadow",
        align="left",
        filter=["blur", "sepia", "contrast"],
        blur="3",
        contrast="1.5",
        size="full",
        format="png",
    )
    page = body(response)
    src = preview_src(page)
    assert src.startswith("/memes/render/this-is-fine.png?")
    query = parse_qs(urlsplit(src).query)
    assert query["text"] == ["Deploy on Friday", "This is fine"]
    assert query["size"] == ["medium"]  # previews are medium (or thumbnail) for speed
    assert query["font"] == ["sans"] and query["effect"] == ["shadow"] and query["align"] == ["left"]
    assert query["fill"] == ["#FFCC00"] and query["stroke"] == ["#112233"]
    assert query["filters"] == ["blur:3,sepia,contrast:1.5"]
    for slot in ("texts", "fill", "filters", "format"):
        assert error_slot(page, slot) == ""  # the error slots are cleared out of band

    image = signed_in.get(src)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(image.streaming_content))).size[0] == 640


def test_a_thumbnail_meme_is_previewed_as_a_thumbnail(signed_in, starter):
    src = preview_src(body(preview(signed_in, text=["a"], size="thumbnail")))
    assert parse_qs(urlsplit(src).query)["size"] == ["thumbnail"]


def test_nothing_typed_yet_shows_the_blank_template_without_an_error(signed_in, starter):
    page = body(preview(signed_in, text=["", ""]))
    assert preview_src(page) is None
    assert "/memes/t/this-is-fine.png" in page and "Type a caption" in page
    assert error_slot(page, "texts") == ""


@pytest.mark.parametrize(
    ("params", "slot", "message"),
    [
        ({"text": ["x" * 201]}, "texts", "at most 200"),
        ({"text": ["a", "b", "c"]}, "texts", "This template has 2 text boxes; got 3 texts"),
        ({"fill": "not-a-colour"}, "fill", "fill must be a hex colour"),
        ({"stroke": "#12"}, "stroke", "stroke must be a hex colour"),
        ({"font": "comic"}, "font", "Unknown font 'comic'"),
        ({"effect": "glow"}, "effect", "Unknown effect 'glow'"),
        ({"align": "justify"}, "align", "align must be left, center or right"),
        ({"filter": ["blur"], "blur": "50"}, "filters", "between 0 and 20"),
        ({"filter": ["brightness"], "brightness": "bright"}, "filters", "must be a number"),
        ({"format": "bmp"}, "format", "Unknown format 'bmp'"),
        ({"size": "huge"}, "size", "Unknown size 'huge'"),
    ],
)
def test_bad_input_shows_the_error_next_to_its_field_and_no_preview(
    signed_in, starter, params, slot, message
):
    params = {"text": ["top", "bottom"], **params}
    page = body(preview(signed_in, **params))
    assert message in error_slot(page, slot)
    assert 'hx-swap-oob="true"' in page
    assert preview_src(page) is None and "Fix the fields marked in red" in page


def test_the_preview_of_an_unknown_or_someone_elses_pending_template_is_404(signed_in, starter):
    assert preview(signed_in, template="nope", text=["a"]).status_code == 404
    theirs = services.template_upload(user=UserFactory(), name="Theirs", data=_png())
    assert preview(signed_in, template=theirs.slug, text=["a"]).status_code == 404


# --- creating --------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "template": "this-is-fine",
        "text": ["Deploy on Friday", "This is fine"],
        "font": "impact",
        "fill": "#ffffff",
        "stroke": "#000000",
        "effect": "outline",
        "align": "",
        "size": "medium",
        "format": "jpeg",
        "is_public": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_creating_a_public_meme_saves_it_and_goes_to_its_page(
    signed_in, user, starter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(MAKE, form_data(filter=["grayscale"]))
    meme = Meme.objects.get(owner=user)
    assert response.status_code == 302 and response["Location"] == f"/memes/{meme.pk}/"
    assert meme.is_public and meme.moderation == Meme.Moderation.VISIBLE
    assert meme.texts == ["Deploy on Friday", "This is fine"] and meme.size == "medium"
    assert meme.filters == [{"name": "grayscale", "value": None}]
    follow = signed_in.get(MINE)
    assert "Meme created and posted to the public feed." in body(follow)


def test_an_unticked_public_box_makes_a_private_meme(signed_in, user, starter):
    response = signed_in.post(MAKE, form_data(is_public=None, format="webp", size="thumbnail"))
    meme = Meme.objects.get(owner=user)
    assert response.status_code == 302
    assert not meme.is_public and meme.format == "webp" and meme.size == "thumbnail"


def test_bad_input_re_renders_the_form_with_everything_kept(signed_in, user, starter):
    response = signed_in.post(
        MAKE,
        form_data(
            text=["Kept caption", "y" * 250],
            fill="#ff0000",
            effect="shadow",
            align="right",
            filter=["sepia", "blur"],
            blur="7",
            size="full",
            format="png",
            is_public=None,
        ),
    )
    page = body(response)
    assert response.status_code == 422
    assert "at most 200" in error_slot(page, "texts")
    assert 'value="Kept caption"' in page and "y" * 250 in page
    assert 'name="fill" value="#ff0000"' in page
    assert 'value="shadow" checked' in page and 'value="right" checked' in page
    assert 'value="sepia" checked' in page and 'value="blur" checked' in page and 'value="7"' in page
    assert 'value="full" checked' in page and 'value="png" checked' in page
    assert 'name="is_public" data-no-preview="1">' in page  # still unticked
    assert not Meme.objects.exists()


def test_nothing_typed_is_an_error_when_creating(signed_in, starter):
    response = signed_in.post(MAKE, form_data(text=["", ""]))
    assert response.status_code == 422
    assert "Write at least one caption." in error_slot(body(response), "texts")


def test_a_meme_from_an_own_pending_template_must_stay_private(signed_in, user, starter):
    template = services.template_upload(user=user, name="Own dog", data=_png())
    page_get = body(signed_in.get(f"{MAKE}?template={template.slug}"))
    assert (
        "waiting for staff approval" in page_get
        and 'name="is_public" data-no-preview="1" disabled' in page_get
    )

    response = signed_in.post(MAKE, form_data(template=template.slug, is_public="on"))
    assert response.status_code == 422
    assert "keep memes from it private" in error_slot(body(response), "is_public")
    response = signed_in.post(MAKE, form_data(template=template.slug, is_public=None))
    assert response.status_code == 302 and Meme.objects.get(owner=user).template == template


def test_creating_from_an_unknown_template_is_404(signed_in, starter):
    assert signed_in.post(MAKE, form_data(template="nope")).status_code == 404


def test_flagged_captions_are_saved_and_the_user_is_told_why(signed_in, user, starter):
    signed_in.post(MAKE, form_data(text=["what the fuck", "fine"]))
    meme = Meme.objects.get(owner=user)
    assert meme.moderation == Meme.Moderation.FLAGGED
    page = body(signed_in.get(MINE))
    assert "waits for staff review" in page and "Flagged — waiting for staff" in page
    assert "Offensive language" in page


# --- caption ideas ---------------------------------------------------------------------------------


def test_suggest_captions_fills_chips_for_each_box_and_uses_the_trend(signed_in, starter):
    trend = make_trend("Instant payments go live across Europe")
    response = signed_in.get(reverse("memes:make_captions"), {"template": "two-buttons", "trend": trend.pk})
    page = body(response)
    chips = re.findall(r'data-texts="([^"]+)"', page)
    assert len(chips) == 5
    import json

    sets = [json.loads(html.unescape(c)) for c in chips]
    assert all(len(texts) == 3 for texts in sets)
    assert any("instant payments" in " ".join(texts).lower() for texts in sets)
    assert "Ideas from caption patterns about “Instant payments go live across Europe”" in page
    # Without JavaScript a chip is a link that opens the maker with the texts filled in.
    href = html.unescape(re.search(r'class="caption-chip" href="([^"]+)"', page).group(1))
    assert parse_qs(urlsplit(href).query)["text"] == sets[0]


def test_the_trend_picker_offers_the_latest_active_trends(signed_in, starter):
    from datetime import timedelta

    from django.utils import timezone

    make_trend("Open banking APIs get a rulebook")
    make_trend("Old news from last year", expires_at=timezone.now() - timedelta(days=1))
    page = body(signed_in.get(f"{MAKE}?template=this-is-fine"))
    assert "Open banking APIs get a rulebook" in page and "Old news from last year" not in page


def test_an_expired_trend_is_not_used_for_ideas(signed_in, starter):
    from datetime import timedelta

    from django.utils import timezone

    old = make_trend("Old news from last year", expires_at=timezone.now() - timedelta(days=1))
    page = body(signed_in.get(reverse("memes:make_captions"), {"template": "this-is-fine", "trend": old.pk}))
    assert "That trend has expired" in page and "Old news" not in page.split("That trend")[1]


# --- My memes ----------------------------------------------------------------------------------


def test_my_memes_needs_a_signed_in_user(client, db):
    response = client.get(MINE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_my_memes_without_memes_says_what_to_do(signed_in, starter):
    page = body(signed_in.get(MINE))
    assert "You have not made a meme yet" in page and "Make your first meme" in page
    assert "No uploaded templates" in page


def test_my_memes_lists_only_the_users_own_memes_with_their_state(signed_in, user, starter):
    public = make(starter["this-is-fine"], user, ("public one", "x"))
    private = make(starter["two-buttons"], user, ("private one",), public=False)
    hidden = make(starter["galaxy-brain"], user, ("hidden one",))
    services.meme_moderate(meme=hidden, user=StaffFactory(), action="hide", reason="Spam.")
    theirs = make(starter["this-is-fine"], UserFactory(), ("someone else's",))

    page = body(signed_in.get(MINE))
    assert f'id="meme-{public.pk}"' in page and f'id="meme-{private.pk}"' in page
    assert f'id="meme-{theirs.pk}"' not in page and "someone else" not in page
    assert ">Public</span>" in page and ">Private</span>" in page
    assert "Hidden by staff" in page and "Reason: Spam." in page
    thumb = reverse("memes:file", kwargs={"key": public.cache_key, "size": "thumbnail", "ext": "jpg"})
    assert thumb in page
    for size in ("thumbnail", "medium", "full"):
        url = reverse("memes:file", kwargs={"key": private.cache_key, "size": size, "ext": "jpg"})
        assert f"{url}?download=1" in page
    assert reverse("memes:mine_publish", args=[private.pk]) in page
    assert reverse("memes:mine_publish", args=[public.pk]) not in page


def test_a_download_link_serves_the_size_asked_for(signed_in, user, starter):
    meme = make(starter["this-is-fine"], user, size="thumbnail")
    url = reverse("memes:file", kwargs={"key": meme.cache_key, "size": "medium", "ext": "jpg"})
    response = signed_in.get(f"{url}?download=1")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size[0] == 640


def test_my_memes_page_queries_do_not_grow_with_the_number_of_memes(
    signed_in, user, starter, django_assert_max_num_queries
):
    for i in range(3):
        make(starter["this-is-fine"], user, (f"meme {i}",))
    services.template_upload(user=user, name="Dog", data=_png())
    with django_assert_max_num_queries(12) as few:
        signed_in.get(MINE)
    for i in range(3, 12):
        make(starter["two-buttons"], user, (f"meme {i}",))
    for name in ("Cat", "Owl", "Fox"):
        services.template_upload(user=user, name=name, data=_png())
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(MINE)


def test_my_memes_is_paginated(signed_in, user, starter):
    for i in range(14):
        make(starter["this-is-fine"], user, (f"meme {i}",))
    first, second = body(signed_in.get(MINE)), body(signed_in.get(MINE, {"page": 2}))
    assert first.count('class="card mine-card"') == 12 and second.count('class="card mine-card"') == 2
    assert "Page 1 of 2" in first and "?page=2" in first


def test_deleting_an_own_meme_removes_it(signed_in, user, starter):
    meme = make(starter["this-is-fine"], user)
    response = signed_in.post(reverse("memes:mine_delete", args=[meme.pk]))
    assert response.status_code == 302 and response["Location"] == MINE
    assert not Meme.objects.filter(pk=meme.pk).exists()
    assert "Meme deleted." in body(signed_in.get(MINE))


def test_deleting_or_publishing_someone_elses_meme_is_404(signed_in, starter):
    theirs = make(starter["this-is-fine"], UserFactory(), public=False)
    assert signed_in.post(reverse("memes:mine_delete", args=[theirs.pk])).status_code == 404
    assert signed_in.post(reverse("memes:mine_publish", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_public
    assert signed_in.get(reverse("memes:mine_delete", args=[theirs.pk])).status_code in (404, 405)


def test_making_a_private_meme_public(signed_in, user, starter, django_capture_on_commit_callbacks):
    meme = make(starter["this-is-fine"], user, public=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("memes:mine_publish", args=[meme.pk]), {"page": "1"})
    assert response.status_code == 302
    meme.refresh_from_db()
    assert meme.is_public
    assert "Your meme is on the public feed." in body(signed_in.get(MINE))


def test_my_templates_show_their_review_status_and_note(signed_in, user, starter):
    pending = services.template_upload(user=user, name="Pending dog", data=_png())
    rejected = services.template_upload(user=user, name="Rejected cat", data=_png())
    services.template_review(template=rejected, user=StaffFactory(), approve=False, note="Blurry image.")
    services.template_upload(user=UserFactory(), name="Not mine", data=_png())
    page = body(signed_in.get(MINE))
    assert "Pending dog" in page and "Waiting for approval" in page
    assert "Rejected cat" in page and "Rejected" in page and "Blurry image." in page
    assert "Not mine" not in page
    assert f"{MAKE}?template={pending.slug}" in page
    assert MemeTemplate.objects.filter(uploaded_by=user).count() == 2


def _png(size=(300, 200), color="#3366cc"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()
