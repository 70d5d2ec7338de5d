"""A draft generated end to end (eager worker): copy per platform, graphics, learning metadata."""

import json

import pytest
from django.core.exceptions import ValidationError

from apps.posts import services
from apps.posts.models import CopySource, GenerationState, Post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_generating_a_post_writes_copy_for_each_platform_and_draws_graphics(
    brand, trend, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.replies(
        [
            json.dumps({"parts": ["Ten-second euro transfers are live. What changes for your cash flow?"]}),
            json.dumps(
                {"parts": ["Instant payments are now the rule across the euro area.\n\nFor SMEs this means…"]}
            ),
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_generate_request(
            brand=brand, trend=trend, user=None, platforms=["x", "linkedin"], post_format="post", tone="bold"
        )
    post.refresh_from_db()
    assert post.generation_state == GenerationState.READY and post.generation_progress == 100
    copies = {c.platform: c for c in post.copies.all()}
    assert set(copies) == {"x", "linkedin"} and copies["x"].source == CopySource.LLM
    assert {(g.kind, g.width, g.height) for g in post.graphics.all()} == {
        ("post_card", 1200, 630),
        ("story", 1080, 1920),
    }
    assert post.learning_state == {
        "industry": "fintech",
        "category": "regulation",
        "format": "post",
        "tone": "bold",
    }
    assert post.learning_action["platforms"] == ["x", "linkedin"]


def test_a_carousel_gets_one_graphic_per_slide(brand, trend, settings, django_capture_on_commit_callbacks):
    settings.LLM_API_KEY = ""
    settings.LLM_BASE_URL = "https://api.groq.com/openai/v1"
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_generate_request(
            brand=brand,
            trend=trend,
            user=None,
            platforms=["linkedin"],
            post_format="carousel",
            tone="educational",
        )
    copy = post.copies.get()
    assert copy.source == CopySource.TEMPLATE
    slides = list(post.graphics.all())
    assert len(slides) == len(copy.parts) >= 3
    assert all((g.kind, g.width, g.height) == ("carousel_slide", 1080, 1080) for g in slides)


def test_defaults_come_from_the_policy(brand, trend, settings, django_capture_on_commit_callbacks):
    settings.LLM_API_KEY = ""
    settings.LLM_BASE_URL = "https://api.groq.com/openai/v1"
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_generate_request(brand=brand, trend=trend, user=None)
    assert post.tone in {"friendly", "professional", "witty", "bold", "educational", "inspirational"}
    assert post.post_format in {"post", "thread", "carousel"}
    assert Post.objects.get().copies.count() == 1


def test_bad_choices_are_refused_with_a_message(brand, trend):
    with pytest.raises(ValidationError) as exc:
        services.post_generate_request(brand=brand, trend=trend, user=None, platforms=["myspace"])
    assert "platforms" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.post_generate_request(brand=brand, trend=trend, user=None, platforms=["x"], tone="angry")


def test_regenerating_one_platforms_copy_in_another_tone_calls_the_llm_again(
    brand, trend, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.replies([json.dumps({"parts": ["First take on instant payments. Thoughts?"]})] * 1)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_generate_request(
            brand=brand, trend=trend, user=None, platforms=["x"], post_format="post", tone="friendly"
        )
    fake_llm.reply(json.dumps({"parts": ["Instant payments. Finally. Who's ready?"]}))
    with django_capture_on_commit_callbacks(execute=True):
        services.post_regenerate_request(post=post, user=None, platform="x", tone="bold")
    post.refresh_from_db()
    assert post.tone == "bold" and post.copies.get().parts == ["Instant payments. Finally. Who's ready?"]
    assert len(fake_llm.chat_requests) == 2
    assert post.edits.filter(field="regenerate", note="X copy in a bold tone").exists()


def test_regenerating_the_graphics_in_another_layout_replaces_them(
    brand, trend, settings, django_capture_on_commit_callbacks
):
    settings.LLM_API_KEY = ""
    settings.LLM_BASE_URL = "https://api.groq.com/openai/v1"
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_generate_request(
            brand=brand, trend=trend, user=None, platforms=["x"], post_format="post"
        )
    old = set(post.graphics.values_list("full", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.post_regenerate_request(post=post, user=None, graphics=True, layout="minimal")
    assert {g.layout for g in post.graphics.all()} == {"minimal"}
    assert not old & set(post.graphics.values_list("full", flat=True))
    with pytest.raises(ValidationError):
        services.post_regenerate_request(post=post, user=None, graphics=True, layout="comic-sans")
