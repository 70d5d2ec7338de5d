"""A/B variants: variant B is written with a different hook (LLM against the fake server, or
another template), never repeats A, needs approval, and is refused with a reason when it cannot be
made; the page button and the API; another brand's post is 404."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from apps.brands.models import BrandMembership
from apps.posts import ab, services
from apps.posts.models import CopySource, GenerationState, Post, PostStatus
from tests.factories import BrandFactory, BrandUserFactory
from tests.publishing.ui_fixtures import post_page

pytestmark = pytest.mark.django_db

A_X = "Ten-second euro transfers are live. What changes for your cash flow this quarter?"
A_LINKEDIN = (
    "Instant payments are now the rule across the euro area.\n\nFor SMEs this means invoices paid "
    "today are cash today. What will you do with the time?"
)
B_X = "Picture this: a client pays at 4:59 pm and the money is yours by 5. Instant euro transfers are here."
B_LINKEDIN = (
    "Most finance teams still plan around three-day transfers. That assumption just expired.\n\n"
    "Euro transfers now land in ten seconds, so cash forecasting can finally follow reality."
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def no_llm(settings):
    settings.LLM_API_KEY = ""
    settings.LLM_BASE_URL = "https://api.groq.com/openai/v1"


@pytest.fixture
def member(brand):
    user = BrandUserFactory(display_name="Maya Chen")
    BrandMembership.objects.create(brand=brand, user=user, role="owner")
    return user


@pytest.fixture
def member_client(member):
    c = Client()
    c.force_login(member)
    return c


@pytest.fixture
def outsider_client():
    other = BrandFactory()
    user = BrandUserFactory()
    BrandMembership.objects.create(brand=other, user=user, role="owner")
    c = Client()
    c.force_login(user)
    return c


def _generate(brand, trend, capture, *, platforms=("x", "linkedin"), post_format="post", tone="bold") -> Post:
    with capture(execute=True):
        post = services.post_generate_request(
            brand=brand, trend=trend, user=None, platforms=list(platforms), post_format=post_format, tone=tone
        )
    post.refresh_from_db()
    return post


def _variant(post, capture, user=None) -> Post:
    with capture(execute=True):
        variant = ab.ab_variant_create(post=post, user=user)
    variant.refresh_from_db()
    return variant


def _texts(post) -> dict[str, str]:
    return {c.platform: ab.copy_text(c.parts, c.caption) for c in post.copies.all()}


# --- the LLM path -------------------------------------------------------------------------------------


def test_variant_b_is_written_by_the_llm_with_a_different_hook(
    brand, trend, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.replies([json.dumps({"parts": [A_X]}), json.dumps({"parts": [A_LINKEDIN]})])
    a = _generate(brand, trend, django_capture_on_commit_callbacks)
    fake_llm.reset()
    fake_llm.replies([json.dumps({"parts": [B_LINKEDIN]}), json.dumps({"parts": [B_X]})])

    b = _variant(a, django_capture_on_commit_callbacks)

    a.refresh_from_db()
    assert (a.variant_label, b.variant_label, b.ab_parent_id) == ("A", "B", a.pk)
    assert (b.trend_id, b.post_format, b.tone, b.brand_id) == (a.trend_id, a.post_format, a.tone, a.brand_id)
    assert b.status == PostStatus.DRAFT and b.generation_state == GenerationState.READY
    assert _texts(b) == {"linkedin": B_LINKEDIN, "x": B_X}
    assert all(c.source == CopySource.LLM for c in b.copies.all())
    # The model saw A's text and was asked for another opening, per platform (linkedin first: sorted).
    prompts = [r.messages[-1]["content"] for r in fake_llm.chat_requests]
    assert "variant B of an A/B test" in prompts[0] and A_LINKEDIN in prompts[0]
    assert A_X in prompts[1] and any(hook in prompts[1] for hook in ab.HOOKS)
    assert b.graphics.exists()


def test_an_llm_answer_that_repeats_variant_a_is_asked_again(
    brand, trend, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.reply(json.dumps({"parts": [A_X]}))
    a = _generate(brand, trend, django_capture_on_commit_callbacks, platforms=("x",))
    fake_llm.reset()
    fake_llm.replies(
        [json.dumps({"parts": [A_X.replace("quarter", "quarter!")]}), json.dumps({"parts": [B_X]})]
    )

    b = _variant(a, django_capture_on_commit_callbacks)

    copy = b.copies.get()
    assert copy.parts == [B_X] and copy.attempts == 2
    retry = fake_llm.chat_requests[1].messages[-1]["content"]
    assert "reads almost the same as variant A" in retry


def test_variant_b_never_replaces_the_reusable_copy_of_its_trend(
    brand, trend, fake_llm, django_capture_on_commit_callbacks
):
    from apps.posts.models import GeneratedCopy

    fake_llm.reply(json.dumps({"parts": [A_X]}))
    a = _generate(brand, trend, django_capture_on_commit_callbacks, platforms=("x",))
    fake_llm.reply(json.dumps({"parts": [B_X]}))
    _variant(a, django_capture_on_commit_callbacks)
    assert GeneratedCopy.objects.get().parts == [A_X]


def test_when_the_llm_fails_variant_b_comes_from_another_template(
    brand, trend, fake_llm, llm_waits, django_capture_on_commit_callbacks
):
    fake_llm.reply(json.dumps({"parts": [A_X]}))
    a = _generate(brand, trend, django_capture_on_commit_callbacks, platforms=("x",))
    fake_llm.fail(500, times=10)
    b = _variant(a, django_capture_on_commit_callbacks)
    copy = b.copies.get()
    assert copy.source == CopySource.TEMPLATE
    assert not ab.too_similar(A_X, ab.copy_text(copy.parts))


# --- the template path ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platforms", "post_format", "tone"),
    [
        (("x", "linkedin"), "post", "bold"),
        (("x",), "thread", "witty"),
        (("linkedin",), "carousel", "educational"),
    ],
)
def test_without_an_llm_variant_b_uses_a_different_template(
    brand, trend, no_llm, django_capture_on_commit_callbacks, platforms, post_format, tone
):
    a = _generate(
        brand,
        trend,
        django_capture_on_commit_callbacks,
        platforms=platforms,
        post_format=post_format,
        tone=tone,
    )
    b = _variant(a, django_capture_on_commit_callbacks)
    a_texts, b_texts = _texts(a), _texts(b)
    assert set(a_texts) == set(b_texts) == set(platforms)
    for platform in platforms:
        assert not ab.too_similar(a_texts[platform], b_texts[platform]), platform
    assert all(c.source == CopySource.TEMPLATE for c in b.copies.all())
    assert not services.post_copy_errors(post=b)  # within every limit, so it can be approved


def test_too_similar_ignores_case_numbering_and_hashtags():
    assert ab.too_similar("1/ Instant payments are here. #Fintech", "1/3 instant payments are here #SME")
    assert not ab.too_similar(A_X, B_X)


# --- refusals ---------------------------------------------------------------------------------------


def test_a_post_gets_one_variant_and_a_variant_gets_none(
    brand, trend, no_llm, django_capture_on_commit_callbacks
):
    a = _generate(brand, trend, django_capture_on_commit_callbacks, platforms=("x",))
    b = _variant(a, django_capture_on_commit_callbacks)
    with pytest.raises(ab.ABConflict, match=f"already has variant B \\(post #{b.pk}\\)"):
        ab.ab_variant_create(post=a, user=None)
    with pytest.raises(ab.ABConflict, match="create variants from variant A"):
        ab.ab_variant_create(post=b, user=None)


@pytest.mark.parametrize("status", [PostStatus.PUBLISHED, PostStatus.REJECTED, PostStatus.PUBLISHING])
def test_a_post_past_review_cannot_get_a_variant(
    brand, trend, no_llm, django_capture_on_commit_callbacks, status
):
    a = _generate(brand, trend, django_capture_on_commit_callbacks, platforms=("x",))
    Post.objects.filter(pk=a.pk).update(status=status)
    with pytest.raises(ValidationError, match="cannot get an A/B variant"):
        ab.ab_variant_create(post=a, user=None)
    assert not Post.objects.filter(ab_parent=a).exists()


def test_a_post_still_being_written_cannot_get_a_variant(brand, trend):
    a = Post.objects.create(brand=brand, trend=trend, tone="bold", generation_state=GenerationState.RUNNING)
    with pytest.raises(ValidationError, match="Wait until this post's copy is written"):
        ab.ab_variant_create(post=a, user=None)


# --- the page and the API ---------------------------------------------------------------------------


def test_the_post_page_offers_the_button_and_creating_goes_to_variant_b(
    brand, trend, no_llm, member_client, django_capture_on_commit_callbacks
):
    a = _generate(brand, trend, django_capture_on_commit_callbacks, platforms=("x",))
    page = post_page(member_client, a)
    assert "Create A/B variant" in page and reverse("publishing:ab_variant", args=[a.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(reverse("publishing:ab_variant", args=[a.pk]), HTTP_HX_REQUEST="true")
    b = Post.objects.get(ab_parent=a)
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("posts:review", args=[b.pk])

    page_b = post_page(member_client, b)
    assert "This is variant B" in page_b and f"Open post #{a.pk}" in page_b
    assert "Approve both variants to put the test on the calendar" in page_b
    page_a = post_page(member_client, a)
    assert "This is variant A" in page_a and f"Open post #{b.pk}" in page_a


def test_the_page_says_why_a_second_variant_is_refused(
    brand, trend, no_llm, member_client, django_capture_on_commit_callbacks
):
    a = _generate(brand, trend, django_capture_on_commit_callbacks, platforms=("x",))
    _variant(a, django_capture_on_commit_callbacks)
    response = member_client.post(reverse("publishing:ab_variant", args=[a.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "already has variant B" in response.content.decode()


def test_the_api_creates_variant_b_and_refuses_a_second(
    brand, trend, no_llm, member_client, django_capture_on_commit_callbacks
):
    a = _generate(brand, trend, django_capture_on_commit_callbacks, platforms=("x",))
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(f"/api/v1/posts/{a.pk}/ab-variant")
    assert response.status_code == 202
    body = response.json()
    assert body["id"] != a.pk and body["status"] == "draft"
    b = Post.objects.get(pk=body["id"])
    assert b.ab_parent_id == a.pk and b.generation_state == "ready"  # the worker ran on commit
    again = member_client.post(f"/api/v1/posts/{a.pk}/ab-variant")
    assert again.status_code == 409 and "already has variant B" in again.json()["detail"]
    Post.objects.filter(pk=body["id"]).update(ab_parent=None)
    Post.objects.filter(pk=a.pk).update(status=PostStatus.PUBLISHED)
    refused = member_client.post(f"/api/v1/posts/{a.pk}/ab-variant")
    assert refused.status_code == 422 and "cannot get an A/B variant" in refused.json()["detail"]


def test_another_brands_post_is_404_on_the_page_and_the_api(
    brand, trend, no_llm, outsider_client, django_capture_on_commit_callbacks
):
    a = _generate(brand, trend, django_capture_on_commit_callbacks, platforms=("x",))
    assert outsider_client.post(reverse("publishing:ab_variant", args=[a.pk])).status_code == 404
    assert outsider_client.post(reverse("publishing:ab_schedule", args=[a.pk])).status_code == 404
    assert outsider_client.post(f"/api/v1/posts/{a.pk}/ab-variant").status_code == 404
    assert outsider_client.get(f"/api/v1/posts/{a.pk}/ab-result").status_code == 404
    assert not Post.objects.filter(ab_parent=a).exists()


def test_the_posts_list_marks_both_variants(
    brand, trend, no_llm, member_client, django_capture_on_commit_callbacks
):
    a = _generate(brand, trend, django_capture_on_commit_callbacks)
    b = _variant(a, django_capture_on_commit_callbacks)
    html = member_client.get(reverse("posts:list")).content.decode()
    assert html.count("A/B · ") == 2
    assert 'title="A/B test: variant A"' in html and 'title="A/B test: variant B"' in html
    assert b.pk != a.pk
