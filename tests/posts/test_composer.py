"""The composer: written posts (services), its pages (save, autosave, previews, AI helpers against
the fake LLM and their fallbacks), the API writing a post from text, and a written post going
through approval, scheduling, publishing, metrics and learning like a generated one."""

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.brands.models import BrandMembership
from apps.posts.composer import ComposerDraft, composer_assist, composer_post_save, thread_split
from apps.posts.limits import x_weighted_length
from apps.posts.models import CopySource, Post, PostCopy, PostOrigin, PostStatus
from apps.posts.services import post_approve
from tests.factories import BrandFactory, BrandUserFactory
from tests.trends.conftest import make_score, make_trend

pytestmark = pytest.mark.django_db

LONG = "Instant payments change cash flow for small firms. " * 7  # ~357 characters
SHORT = "Ten-second euro transfers are here. What would you do with cash on the same day?"


@pytest.fixture
def member(client, brand):
    user = BrandUserFactory(display_name="Maya Chen")
    BrandMembership.objects.create(brand=brand, user=user, role="owner")
    client.force_login(user)
    return user


@pytest.fixture
def scored_trend(brand, trend):
    make_score(brand, trend)
    return trend


def write(brand, user, **fields):
    fields.setdefault("platforms", ["x"])
    return composer_post_save(brand=brand, user=user, draft=ComposerDraft(**fields))


# --- services ----------------------------------------------------------------------------------


def test_a_written_post_is_a_draft_with_the_common_text_on_each_platform(brand, member):
    post = write(brand, member, text=SHORT, platforms=["x", "linkedin"])
    assert post.origin == PostOrigin.WRITTEN and post.status == PostStatus.DRAFT and post.trend is None
    assert {c.platform: c.parts for c in post.copies.all()} == {"x": [SHORT], "linkedin": [SHORT]}
    assert {c.source for c in post.copies.all()} == {CopySource.WRITTEN}
    assert post.generation_state == "ready"


def test_an_override_gives_one_platform_its_own_text(brand, member):
    post = write(
        brand,
        member,
        text=SHORT,
        platforms=["x", "linkedin"],
        overrides={"linkedin": "A longer LinkedIn text."},
    )
    copies = {c.platform: c.parts for c in post.copies.all()}
    assert copies == {"x": [SHORT], "linkedin": ["A longer LinkedIn text."]}


def test_the_sandbox_publishes_the_x_copy_unless_it_has_its_own_text(brand, member):
    post = write(brand, member, text=SHORT, platforms=["x", "sandbox"])
    assert set(post.copies.values_list("platform", flat=True)) == {"x"}
    own = write(brand, member, text=SHORT, platforms=["x", "sandbox"], overrides={"sandbox": "Sandbox only."})
    assert {c.platform: c.parts for c in own.copies.all()} == {"x": [SHORT], "sandbox": ["Sandbox only."]}
    alone = write(brand, member, text=SHORT, platforms=["sandbox"])
    assert set(alone.copies.values_list("platform", flat=True)) == {"sandbox"}


def test_two_tweets_make_the_x_copy_a_thread_and_linkedin_keeps_one_post(brand, member):
    post = write(brand, member, text=SHORT, platforms=["x", "linkedin"], thread=["First.", "Second.", " "])
    assert post.post_format == "thread"
    assert post.copies.get(platform="x").parts == ["First.", "Second."]
    assert post.copies.get(platform="linkedin").parts == [SHORT]
    post_approve(post=post, user=member)  # LinkedIn's copy is checked as a post, not a thread


def test_a_trend_is_optional_and_linked_when_given(brand, member, trend):
    post = write(brand, member, text=SHORT, trend=trend)
    assert post.trend == trend and post.learning_state["category"] == trend.category


@pytest.mark.parametrize(
    ("fields", "key", "words"),
    [
        ({"text": "   "}, "text", "Write the post's text first"),
        ({"text": SHORT, "platforms": []}, "platforms", "Pick where the post goes"),
        ({"text": SHORT, "platforms": ["x", "myspace"]}, "platforms", "Unknown platform: myspace"),
        ({"text": SHORT, "thread": ["t"] * 11}, "thread", "at most 10 tweets"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(brand, member, fields, key, words):
    fields.setdefault("platforms", ["x"])
    with pytest.raises(ValidationError) as refused:
        composer_post_save(brand=brand, user=member, draft=ComposerDraft(**fields))
    assert words in " ".join(refused.value.message_dict[key])
    assert not Post.objects.exists() and not PostCopy.objects.exists()


def test_over_the_limit_is_kept_as_a_draft_but_cannot_be_approved(brand, member):
    post = write(brand, member, text=LONG, platforms=["x", "linkedin"])
    assert post.copies.get(platform="x").parts == [LONG.strip()]
    with pytest.raises(ValidationError) as refused:
        post_approve(post=post, user=member)
    assert "X allows 280" in " ".join(refused.value.message_dict["x"])
    assert "linkedin" not in refused.value.message_dict


def test_strict_saving_refuses_text_over_a_limit_and_writes_nothing(brand, member):
    with pytest.raises(ValidationError) as refused:
        composer_post_save(
            brand=brand, user=member, draft=ComposerDraft(text=LONG, platforms=["x"]), strict=True
        )
    assert "X allows 280" in " ".join(refused.value.message_dict["x"])
    assert not Post.objects.exists()


def test_saving_again_updates_the_draft_drops_platforms_and_an_approved_post_goes_back_to_draft(
    brand, member
):
    post = write(brand, member, text=SHORT, platforms=["x", "linkedin"])
    post_approve(post=post, user=member)
    again = composer_post_save(
        brand=brand, user=member, post=post, draft=ComposerDraft(text="Changed.", platforms=["x"])
    )
    assert again.pk == post.pk and again.status == PostStatus.DRAFT
    assert {c.platform: c.parts for c in again.copies.all()} == {"x": ["Changed."]}
    assert again.edits.filter(field="copy").exists()


def test_a_scheduled_post_can_no_longer_be_changed_in_the_composer(brand, member):
    post = write(brand, member, text=SHORT)
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="can no longer be edited"):
        composer_post_save(
            brand=brand, user=member, post=post, draft=ComposerDraft(text="x", platforms=["x"])
        )
    assert post.copies.get().parts == [SHORT]


# --- the written post through approval, scheduling, publishing, metrics and learning -------------


@pytest.mark.django_db(transaction=True)
def test_a_written_post_is_approved_scheduled_published_measured_and_learned_from(
    brand, member, django_capture_on_commit_callbacks, settings, tmp_path
):
    from apps.analytics.services import publication_metrics_record
    from apps.integrations.social.base import PostMetrics
    from apps.learning.models import RewardRecord
    from apps.learning.selectors import learning_page_get
    from apps.learning.training import policy_train
    from apps.publishing.models import Publication
    from apps.publishing.services import post_schedule, publications_dispatch

    settings.MEDIA_ROOT = tmp_path
    post = write(
        brand, member, text=SHORT, platforms=["x", "sandbox"], overrides={"sandbox": "Sandbox text."}
    )
    post_approve(post=post, user=member)
    sandbox = brand.connections.get(platform="sandbox")
    at = timezone.now() + timedelta(hours=2)
    (publication,) = post_schedule(post=post, user=member, at=at, connection_ids=[sandbox.pk])
    assert publication.copy_platform == "sandbox"
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    Publication.objects.filter(pk=publication.pk).update(due_at=timezone.now(), scheduled_for=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        publications_dispatch()
    publication.refresh_from_db()
    assert publication.status == "published", publication.last_error
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    publication_metrics_record(
        publication=publication,
        metrics=PostMetrics(likes=12, comments=3, shares=2, quotes=0, bookmarks=1, impressions=900),
        now=timezone.now() + timedelta(days=8),
    )
    record = RewardRecord.objects.get(post_id=post.pk)
    assert record.trend_id is None and record.platform == "sandbox"
    policy_train(brand=brand)
    assert learning_page_get(brand=brand) is not None


# --- pages -------------------------------------------------------------------------------------


def test_the_composer_page_starts_from_a_calendar_slot_and_is_in_the_nav(client, member, brand):
    url = reverse("composer:new", args=[brand.pk])
    page = client.get(f"{url}?at=2031-05-06T14:00").content.decode()
    assert 'value="2031-05-06T14:00"' in page
    assert 'data-limit="280"' in page and "Make a thread" in page
    assert f'href="{reverse("posts:compose")}"' in client.get(reverse("posts:list")).content.decode()
    assert client.get(reverse("posts:compose")).url == url


def test_saving_the_composer_creates_the_post_and_opens_its_review_page(client, member, brand, scored_trend):
    response = client.post(
        reverse("composer:new", args=[brand.pk]),
        {
            "text": SHORT,
            "platforms": ["x", "linkedin"],
            "override_linkedin": "Own LinkedIn text.",
            "trend": scored_trend.pk,
            "planned_for": "2031-05-06T14:00",
        },
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response.url == reverse("posts:review", args=[post.pk])
    assert post.trend == scored_trend and post.scheduled_for is not None
    review = client.get(response.url).content.decode()
    assert "Written" in review and "Own LinkedIn text." in review and "Edit in the composer" in review


def test_the_post_page_shows_the_sandboxs_own_copy_counted_like_x(client, member, brand):
    post = write(brand, member, text=SHORT, platforms=["x", "sandbox"], overrides={"sandbox": "y" * 290})
    page = client.get(reverse("posts:review", args=[post.pk])).content.decode()
    assert 'id="post-copy-sandbox"' in page and "Sandbox post" in page
    assert "The post is 290 characters; Sandbox allows 280." in page


def test_the_composer_refuses_an_unknown_platform_and_an_unscored_trend_next_to_the_field(
    client, member, brand, trend
):
    response = client.post(
        reverse("composer:new", args=[brand.pk]), {"text": SHORT, "platforms": ["myspace"], "trend": trend.pk}
    )
    page = response.content.decode()
    assert response.status_code == 422 and "Unknown platform: myspace" in page
    assert "Select a valid choice" in page and SHORT in page
    assert not Post.objects.exists()


def test_over_the_limit_text_shows_in_the_preview_with_the_counter_red(client, member, brand):
    response = client.post(
        reverse("composer:preview", args=[brand.pk]), {"text": LONG, "platforms": ["x", "linkedin"]}
    )
    page = response.content.decode()
    assert 'class="counter over"' in page and "X allows 280" in page
    assert not Post.objects.exists()


def test_autosave_creates_the_draft_once_then_updates_it(client, member, brand):
    url = reverse("composer:autosave", args=[brand.pk])
    first = client.post(url, {"text": "First words", "platforms": ["x"]}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and "Saved " in first.content.decode()
    post = Post.objects.get()
    assert f'value="{post.pk}"' in first.content.decode()  # the next saves update this draft
    client.post(url, {"text": "More words", "platforms": ["x"], "post": post.pk}, HTTP_HX_REQUEST="true")
    assert Post.objects.count() == 1 and post.copies.get().parts == ["More words"]


def test_the_pages_first_saves_make_one_post_even_when_they_cross(client, member, brand):
    """An autosave and "Save and review" sent before the autosave's answer came back: both carry
    the page's draft key and no post id; the second finds the post the first made."""
    page = client.get(reverse("composer:new", args=[brand.pk])).content.decode()
    key = re.search(r'name="draft_key" value="([0-9a-f-]{36})"', page).group(1)
    fields = {"text": "First words", "platforms": ["x"], "draft_key": key}
    client.post(reverse("composer:autosave", args=[brand.pk]), fields, HTTP_HX_REQUEST="true")
    saved = client.post(reverse("composer:new", args=[brand.pk]), {**fields, "text": "Final words"})
    post = Post.objects.get()
    assert saved.status_code == 302 and post.copies.get().parts == ["Final words"]
    other = client.get(reverse("composer:new", args=[brand.pk])).content.decode()
    assert key not in other  # each new page writes a post of its own


def test_a_refused_autosave_says_why_and_saves_nothing(client, member, brand):
    response = client.post(
        reverse("composer:autosave", args=[brand.pk]),
        {"text": "", "platforms": ["x"]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422 and "Not saved: Write the post" in response.content.decode()
    assert not Post.objects.exists()


def test_another_brands_draft_is_a_404_in_the_composer(client, member, brand):
    other = BrandFactory()
    theirs = write(other, BrandUserFactory(), text=SHORT)
    assert client.get(reverse("composer:edit", args=[brand.pk, theirs.pk])).status_code == 404
    response = client.post(
        reverse("composer:autosave", args=[brand.pk]), {"text": "mine", "platforms": ["x"], "post": theirs.pk}
    )
    assert response.status_code == 404 and theirs.copies.get().parts == [SHORT]
    assert client.get(reverse("composer:new", args=[other.pk])).status_code == 404


def test_the_composer_reopens_a_draft_with_its_fields(client, member, brand):
    post = write(
        brand,
        member,
        text=SHORT,
        platforms=["x", "linkedin"],
        overrides={"linkedin": "LI."},
        thread=["a.", "b."],
    )
    page = client.get(reverse("composer:edit", args=[brand.pk, post.pk])).content.decode()
    assert "LI." in page and ">a.</textarea>" in page and f'value="{post.pk}"' in page


# --- AI helpers ---------------------------------------------------------------------------------


def test_make_a_thread_is_one_llm_call_numbered(brand, fake_llm):
    fake_llm.reply(json.dumps({"parts": ["Instant payments are here.", "Cash arrives in ten seconds."]}))
    result = composer_assist(brand=brand, kind="thread", text=LONG)
    assert result.source == "llm" and result.parts == [
        "Instant payments are here. 1/2",
        "Cash arrives in ten seconds. 2/2",
    ]
    assert len(fake_llm.chat_requests) == 1
    assert "Ledgerly" in fake_llm.chat_requests[0].messages[0]["content"]


def test_shorten_uses_the_models_text_when_it_fits(brand, fake_llm):
    fake_llm.reply(json.dumps({"parts": [SHORT]}))
    assert composer_assist(brand=brand, kind="shorten", text=LONG).parts == [SHORT]


def test_shorten_falls_back_to_trimming_when_the_model_answers_too_long(brand, fake_llm):
    fake_llm.reply(json.dumps({"parts": [LONG]}))
    result = composer_assist(brand=brand, kind="shorten", text=LONG)
    assert result.source == "rule" and x_weighted_length(result.parts[0]) <= 280
    assert len(fake_llm.chat_requests) == 1


@pytest.mark.parametrize("kind", ["rewrite", "shorten", "thread", "hashtags"])
def test_every_helper_falls_back_to_its_rule_when_the_llm_fails(brand, fake_llm, llm_waits, kind, trend):
    fake_llm.fail(500, times=5)
    result = composer_assist(brand=brand, kind=kind, text=LONG, trend=trend)
    assert result.source == "rule" and "could not help" in result.note
    if kind == "hashtags":
        assert "#InstantPaymentsForSmallBusinesses" in result.hashtags
        assert "#EUInstantPaymentsRuleTakesEffect" in result.hashtags
    elif kind == "thread":
        assert len(result.parts) >= 2 and all(x_weighted_length(p) <= 280 for p in result.parts)
        assert result.parts[0].endswith(f"1/{len(result.parts)}")
    elif kind == "shorten":
        assert x_weighted_length(result.parts[0]) <= 280
    else:
        assert result.parts == [LONG.strip()]


def test_an_unsafe_suggestion_is_never_offered(brand, fake_llm):
    fake_llm.reply(json.dumps({"parts": ["Buy crypto with your instant payments!"]}))
    result = composer_assist(brand=brand, kind="rewrite", text=SHORT)
    assert result.source == "rule" and "crypto" not in result.parts[0]


def test_hashtags_come_from_the_model_cleaned(brand, fake_llm):
    fake_llm.reply(json.dumps({"hashtags": ["#InstantPayments", "cash flow", "#InstantPayments"]}))
    result = composer_assist(brand=brand, kind="hashtags", text=SHORT)
    assert result.source == "llm" and result.hashtags == ["#InstantPayments", "#CashFlow"]


def test_the_helper_endpoint_shows_the_suggestion_to_use(client, member, brand, fake_llm):
    fake_llm.reply(
        json.dumps(
            {
                "parts": [
                    "Instant payments are now the rule in Europe.",
                    "Your invoices can be paid in ten seconds flat.",
                ]
            }
        )
    )
    response = client.post(reverse("composer:help", args=[brand.pk]), {"assist": "thread", "text": LONG})
    page = response.content.decode()
    assert response.status_code == 200 and "Use as the X thread" in page
    assert "Instant payments are now the rule in Europe. 1/2" in page and "could not help" not in page


def test_the_helper_endpoint_asks_for_text_first(client, member, brand):
    response = client.post(reverse("composer:help", args=[brand.pk]), {"assist": "thread", "text": " "})
    assert response.status_code == 422 and "Write something first" in response.content.decode()


def test_thread_split_packs_sentences_into_numbered_tweets():
    tweets = thread_split(LONG * 3)
    assert len(tweets) >= 4 and all(x_weighted_length(t) <= 280 for t in tweets)
    assert tweets[-1].endswith(f"{len(tweets)}/{len(tweets)}")


# --- API ------------------------------------------------------------------------------------------


def _api(client, brand, body):
    return client.post(f"/api/v1/brands/{brand.pk}/posts", json.dumps(body), content_type="application/json")


def test_the_api_writes_a_post_from_text_with_overrides_and_a_thread(client, member, brand, scored_trend):
    response = _api(
        client,
        brand,
        {
            "text": SHORT,
            "platforms": ["x", "linkedin"],
            "overrides": {"linkedin": "LinkedIn's own."},
            "thread": ["One.", "Two."],
            "trend_id": scored_trend.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["origin"] == "written" and body["status"] == "draft" and body["post_format"] == "thread"
    assert {c["platform"]: c["parts"] for c in body["copies"]} == {
        "x": ["One.", "Two."],
        "linkedin": ["LinkedIn's own."],
    }


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"text": LONG, "platforms": ["x"]}, "X allows 280"),
        ({"text": "  ", "platforms": ["x"]}, "Write the post's text first"),
        ({"text": SHORT, "platforms": ["myspace"]}, "Unknown platform: myspace"),
        ({"text": SHORT, "overrides": {"myspace": "hi"}}, "Unknown platform: myspace"),
        ({"platforms": ["x"]}, "Give trend_id"),
    ],
)
def test_the_api_refuses_bad_text_with_a_message(client, member, brand, body, words):
    response = _api(client, brand, body)
    assert response.status_code == 422 and words in response.json()["detail"]
    assert not Post.objects.exists()


def test_the_api_answers_404_for_a_trend_that_is_not_the_brands(client, member, brand, trend):
    other = BrandFactory()
    make_score(other, trend)
    response = _api(client, brand, {"text": SHORT, "trend_id": trend.pk})
    assert response.status_code == 404 and not Post.objects.exists()


def test_the_api_answers_404_for_another_brand(brand, member):
    other = BrandFactory()
    outsider = Client()
    outsider.force_login(member)
    assert _api(outsider, other, {"text": SHORT}).status_code == 404


def test_a_generated_post_whose_copy_all_came_from_templates_says_template(brand, member, settings, tmp_path):
    from apps.posts.services import post_generate_execute, post_generate_request

    settings.MEDIA_ROOT = tmp_path
    settings.LLM_API_KEY = ""
    settings.LLM_BASE_URL = "https://api.groq.com/openai/v1"
    post = post_generate_request(
        brand=brand, trend=make_trend("Faster cash flow for SMEs"), user=member, platforms=["x"]
    )
    assert post.origin == PostOrigin.AI
    post_generate_execute(post=post, platforms=["x"])
    post.refresh_from_db()
    assert post.origin == PostOrigin.TEMPLATE
