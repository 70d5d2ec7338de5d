"""Post pages: generate from a trend, the review page (copy, counters, how it was made, graphics
through the access-checked view), edits, regenerate, approve and reject, the drafts list with its
filters and batch actions; another brand's post is 404 everywhere."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from apps.brands.models import BrandMembership
from apps.learning.models import PolicyModel
from apps.posts.models import Post, PostCopy, PostEdit, PostStatus
from apps.posts.services import post_generate_request
from tests.factories import BrandFactory, BrandUserFactory
from tests.trends.conftest import make_score

# Generation runs in the (eager) worker on commit: the tests let it commit.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def member(client, brand):
    user = BrandUserFactory(display_name="Maya Chen")
    BrandMembership.objects.create(brand=brand, user=user, role="owner")
    client.force_login(user)
    return user


@pytest.fixture
def outsider_client():
    other = BrandFactory()
    user = BrandUserFactory()
    BrandMembership.objects.create(brand=other, user=user, role="owner")
    c = Client()
    c.force_login(user)
    return c


def generate(brand, trend, user, platforms=("x", "linkedin"), post_format="post", tone="bold"):
    post = post_generate_request(
        brand=brand, trend=trend, user=user, platforms=list(platforms), post_format=post_format, tone=tone
    )
    post.refresh_from_db()
    return post


# --- Generate -------------------------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_generate_panel_answers_for_a_brand_whose_model_has_untried_actions(client, member, brand, trend):
    # The demo brand after seed_demo, and most brands after their first training: the suggestion
    # picks among never-published actions (a rigged Random once made that pick loop forever).
    make_score(brand, trend)
    PolicyModel.objects.create(
        brand=brand,
        mode="bandit",
        bandit={"witty|x|thread": {"n": 2, "mean": 4.0}},
    )
    response = client.get(reverse("posts:generate", args=[trend.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "never published yet" in response.content.decode()


def test_generate_panel_preselects_and_labels_the_suggestion(client, member, brand, trend):
    make_score(brand, trend)
    page = client.get(reverse("posts:generate", args=[trend.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert f'id="generate-panel-{trend.pk}"' in page
    # The brand's default tone is the policy's pick: checked and labelled.
    tone = page.split('value="friendly"')[1].split("</label>")[0]
    assert "checked" in tone and "Suggested" in tone
    assert page.count('class="suggested"') == 3


def test_generate_form_creates_a_post_and_redirects_to_its_review(client, member, brand, trend):
    response = client.post(
        reverse("posts:generate", args=[trend.pk]),
        {"brand": brand.pk, "platforms": ["x", "linkedin"], "post_format": "thread", "tone": "witty"},
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response.url == reverse("posts:review", args=[post.pk])
    assert post.tone == "witty" and post.post_format == "thread"
    assert {c.platform for c in post.copies.all()} == {"x", "linkedin"}


def test_generate_by_htmx_redirects_the_browser(client, member, brand, trend):
    response = client.post(
        reverse("posts:generate", args=[trend.pk]),
        {"brand": brand.pk, "platforms": ["x"], "post_format": "post", "tone": "bold"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("posts:review", args=[Post.objects.get().pk])


def test_generate_without_a_platform_shows_the_error_next_to_it(client, member, brand, trend):
    response = client.post(
        reverse("posts:generate", args=[trend.pk]),
        {"brand": brand.pk, "post_format": "carousel", "tone": "bold"},
        HTTP_HX_REQUEST="true",
    )
    assert "Pick X, LinkedIn or both." in response.content.decode()
    assert not Post.objects.exists()


def test_an_invalid_format_combination_is_explained(client, member, brand, trend):
    response = client.post(
        reverse("posts:generate", args=[trend.pk]),
        {"brand": brand.pk, "platforms": ["linkedin"], "post_format": "thread", "tone": "bold"},
        HTTP_HX_REQUEST="true",
    )
    post = Post.objects.get()
    page = client.get(reverse("posts:review", args=[post.pk])).content.decode()
    assert "LinkedIn has no thread, so it gets a post." in page
    assert response.status_code == 200


# --- Review ---------------------------------------------------------------------------------------


def test_review_page_shows_copy_counters_label_and_graphics(client, member, brand, trend):
    post = generate(brand, trend, member)  # no LLM configured: template copy
    page = client.get(reverse("posts:review", args=[post.pk])).content.decode()
    x = post.copies.get(platform="x")
    assert x.parts[0][:40] in page
    assert "/ 280" in page and "/ 3000" in page
    assert "From a template (the AI model was unavailable)" in page
    assert f'ws-connect="/ws/posts/{post.pk}/"' in page
    graphic = post.graphics.first()
    url = reverse("posts:graphic_variant", args=[post.pk, graphic.pk, "medium"])
    assert url in page
    image = client.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/webp"
    assert b"".join(image.streaming_content)[:4] == b"RIFF"
    full = client.get(reverse("posts:graphic", args=[post.pk, graphic.pk]))
    assert full["Content-Type"] == "image/png" and "private" in full["Cache-Control"]


def test_review_page_labels_llm_copy(client, member, brand, trend, fake_llm):
    fake_llm.reply(json.dumps({"parts": ["Ten-second euro transfers are live. What changes for you?"]}))
    post = generate(brand, trend, member, platforms=["x"])
    page = client.get(reverse("posts:review", args=[post.pk])).content.decode()
    assert "Written by the AI model" in page
    assert "Ten-second euro transfers are live." in page


def test_a_thread_shows_each_tweet_with_its_counter(client, member, brand, trend):
    post = generate(brand, trend, member, platforms=["x"], post_format="thread")
    page = client.get(reverse("posts:review", args=[post.pk])).content.decode()
    tweets = post.copies.get().parts
    assert len(tweets) >= 2
    assert page.count('data-count="x"') == len(tweets)
    assert "Tweet 2 · " in page


def test_a_carousel_shows_slides_with_their_graphics_and_counters(client, member, brand, trend):
    post = generate(brand, trend, member, platforms=["linkedin"], post_format="carousel")
    page = client.get(reverse("posts:review", args=[post.pk])).content.decode()
    slides = post.copies.get().parts
    assert page.count('class="carousel-slide"') == len(slides)
    assert "/ 60" in page and "/ 200" in page and "1080×1080" in page


def test_generating_post_shows_progress_and_polls_as_a_fallback(client, member, brand, trend):
    post = Post.objects.create(brand=brand, trend=trend, tone="bold", generation_stage="Writing copy")
    page = client.get(reverse("posts:review", args=[post.pk])).content.decode()
    assert f'id="post-{post.pk}-progress"' in page and "Writing copy" in page
    assert 'hx-trigger="every 5s"' in page


def test_edit_saves_and_shows_the_counter_and_history(client, member, brand, trend):
    post = generate(brand, trend, member, platforms=["x"])
    response = client.post(
        reverse("posts:copy_update", args=[post.pk, "x"]),
        {"parts": ["Instant euro payments: ten seconds, no fee. 🚀 https://ledgerly.example/instant"]},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Saved." in html
    assert "<span data-length>70</span>" in html  # 44 + 1 + emoji 2 + 23 for the link
    assert 'id="post-history"' in html and "Edited the X copy" in html
    assert PostCopy.objects.get(post=post).parts == [
        "Instant euro payments: ten seconds, no fee. 🚀 https://ledgerly.example/instant"
    ]


def test_empty_copy_is_refused_with_the_error_at_the_field(client, member, brand, trend):
    post = generate(brand, trend, member, platforms=["x"])
    response = client.post(
        reverse("posts:copy_update", args=[post.pk, "x"]), {"parts": ["  "]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "The copy cannot be empty." in response.content.decode()


def test_over_limit_copy_shows_the_limit_next_to_it_and_cannot_be_approved(client, member, brand, trend):
    post = generate(brand, trend, member)
    html = client.post(
        reverse("posts:copy_update", args=[post.pk, "x"]), {"parts": ["y" * 300]}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "The post is 300 characters; X allows 280." in html and "counter over" in html
    response = client.post(reverse("posts:approve", args=[post.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 422
    section = html.split('id="post-copy-x"')[1].split("</section>")[0]
    assert "The post is 300 characters; X allows 280." in section
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


def test_approve_shows_approved(client, member, brand, trend):
    post = generate(brand, trend, member)
    html = client.post(reverse("posts:approve", args=[post.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'class="badge post-status post-status-approved"' in html and "Approved" in html
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED


def test_reject_requires_a_reason_next_to_the_field(client, member, brand, trend):
    post = generate(brand, trend, member)
    response = client.post(reverse("posts:reject", args=[post.pk]), {"reason": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Say why, so the next version can do better." in response.content.decode()
    client.post(reverse("posts:reject", args=[post.pk]), {"reason": "Too salesy"}, HTTP_HX_REQUEST="true")
    post.refresh_from_db()
    assert post.status == PostStatus.REJECTED and post.rejected_reason == "Too salesy"


def test_regenerate_copy_in_another_tone_and_graphics_in_another_layout(client, member, brand, trend):
    post = generate(brand, trend, member, platforms=["x"])
    client.post(
        reverse("posts:regenerate", args=[post.pk]),
        {"platform": "x", "tone": "witty"},
        HTTP_HX_REQUEST="true",
    )
    post.refresh_from_db()
    assert post.tone == "witty" and post.generation_state == "ready"
    html = client.post(
        reverse("posts:regenerate", args=[post.pk]),
        {"graphics": "on", "layout": "minimal"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert {g.layout for g in post.graphics.all()} == {"minimal"}
    assert "Minimal layout" in html
    assert PostEdit.objects.filter(post=post, field="regenerate").count() == 2


def test_review_page_query_count_is_bounded(client, member, brand, trend, django_assert_max_num_queries):
    post = generate(brand, trend, member)
    for i in range(5):
        client.post(reverse("posts:copy_update", args=[post.pk, "x"]), {"parts": [f"Edit {i}"]})
    with django_assert_max_num_queries(12):
        assert client.get(reverse("posts:review", args=[post.pk])).status_code == 200


# --- Another brand --------------------------------------------------------------------------------


def test_another_brands_post_is_404_on_every_view(client, member, brand, trend, outsider_client):
    post = generate(brand, trend, member)
    graphic = post.graphics.first()
    c = outsider_client
    assert c.get(reverse("posts:review", args=[post.pk])).status_code == 404
    assert c.get(reverse("posts:review_content", args=[post.pk])).status_code == 404
    assert c.post(reverse("posts:copy_update", args=[post.pk, "x"]), {"parts": ["Hi"]}).status_code == 404
    assert c.post(reverse("posts:regenerate", args=[post.pk]), {"platform": "x"}).status_code == 404
    assert c.post(reverse("posts:approve", args=[post.pk])).status_code == 404
    assert c.post(reverse("posts:reject", args=[post.pk]), {"reason": "x"}).status_code == 404
    assert c.get(reverse("posts:graphic", args=[post.pk, graphic.pk])).status_code == 404
    assert c.get(reverse("posts:generate", args=[trend.pk]) + f"?brand={brand.pk}").status_code == 404
    c.post(reverse("posts:batch"), {"action": "approve", "post": [post.pk]})
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert PostCopy.objects.get(post=post, platform="x").parts != ["Hi"]


def test_a_graphic_of_another_post_is_404(client, member, brand, trend):
    first, second = generate(brand, trend, member), generate(brand, trend, member, tone="witty")
    graphic = second.graphics.first()
    assert client.get(reverse("posts:graphic", args=[first.pk, graphic.pk])).status_code == 404
    assert (
        client.get(reverse("posts:graphic_variant", args=[second.pk, graphic.pk, "secret"])).status_code
        == 404
    )


def test_anonymous_visitors_are_sent_to_log_in(client, brand, trend):
    assert client.get(reverse("posts:list")).status_code == 302


# --- Drafts list ----------------------------------------------------------------------------------


def test_drafts_list_is_empty_with_what_to_do(client, member, brand):
    page = client.get(reverse("posts:list")).content.decode()
    assert "Generate a post from a recommended trend on your dashboard" in page


def test_drafts_list_filters_by_status_platform_and_trend(client, member, brand, trend):
    from tests.trends.conftest import make_trend

    other_trend = make_trend("SME late payments survey")
    x_only = generate(brand, trend, member, platforms=["x"])
    linkedin = generate(brand, other_trend, member, platforms=["linkedin"])
    client.post(reverse("posts:approve", args=[linkedin.pk]))

    def ids(query):
        html = client.get(reverse("posts:list") + query, HTTP_HX_REQUEST="true").content.decode()
        return {p.pk for p in (x_only, linkedin) if reverse("posts:review", args=[p.pk]) in html}

    assert ids("") == {x_only.pk, linkedin.pk}
    assert ids("?status=approved") == {linkedin.pk}
    assert ids("?platform=x") == {x_only.pk}
    assert ids(f"?trend={other_trend.pk}") == {linkedin.pk}
    page = client.get(reverse("posts:list")).content.decode()
    thumb = reverse("posts:graphic_variant", args=[x_only.pk, x_only.graphics.first().pk, "thumbnail"])
    assert thumb in page and "SME late payments survey" in page
    # The trend filter offers the trends this brand has posts about, once each.
    generate(brand, other_trend, member, platforms=["x"])
    page = client.get(reverse("posts:list")).content.decode()
    assert page.count(f'<option value="{other_trend.pk}">') == 1 and f'<option value="{trend.pk}">' in page


def test_batch_approve_says_what_happened(client, member, brand, trend):
    posts = [
        generate(brand, trend, member, platforms=["x"], tone=t)
        for t in ("bold", "witty", "friendly", "professional")
    ]
    PostCopy.objects.filter(post=posts[3]).update(parts=["y" * 300])
    html = client.post(
        reverse("posts:batch"),
        {"brand": brand.pk, "action": "approve", "post": [p.pk for p in posts]},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "3 approved; 1 could not be: " in html and "X: The post is 300 characters; X allows 280." in html
    assert Post.objects.filter(status=PostStatus.APPROVED).count() == 3


def test_batch_reject_needs_one_reason(client, member, brand, trend):
    posts = [generate(brand, trend, member, platforms=["x"], tone=t) for t in ("bold", "witty")]
    ids = [p.pk for p in posts]
    html = client.post(
        reverse("posts:batch"), {"action": "reject", "post": ids}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Say why you reject them" in html
    assert not Post.objects.filter(status=PostStatus.REJECTED).exists()
    response = client.post(reverse("posts:batch"), {"action": "reject", "post": ids, "reason": "Off-brand"})
    assert response.status_code == 302
    assert set(Post.objects.values_list("rejected_reason", flat=True)) == {"Off-brand"}


def test_drafts_list_query_count_is_bounded(client, member, brand, trend, django_assert_max_num_queries):
    for tone in ("bold", "witty", "friendly"):
        generate(brand, trend, member, tone=tone)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("posts:list")).status_code == 200


def test_dashboard_lists_the_brands_drafts(client, member, brand, trend):
    post = generate(brand, trend, member, platforms=["x"])
    page = client.get(reverse("brands:dashboard")).content.decode()
    card = page.split("Drafts awaiting review")[1].split("</section>")[0]
    assert reverse("posts:review", args=[post.pk]) in card and trend.title in card
    assert "No drafts yet" not in card
