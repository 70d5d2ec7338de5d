"""The Stability AI client against a local fake of its v2beta API, and graphic_generate()'s fallback
to the template graphic on every kind of failure."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from apps.integrations.http import ServiceError
from apps.integrations.images.base import GraphicSpec, graphic_generate, graphic_generator
from apps.integrations.images.layouts import TemplateGenerator
from apps.integrations.images.stability import (
    StabilityClient,
    StabilityError,
    StabilityGenerator,
)
from tests.fakes import stability as fakes
from tests.fakes.stability import PATH, STABILITY_API_KEY

# The fake's fixtures (tests/integrations/conftest.py is shared; these are only used here).
fake_stability_server = fakes.fake_stability_server
fake_stability = fakes.fake_stability

pytestmark = pytest.mark.django_db  # each call is logged as an ApiCall row when the model exists

HEADLINE = "Open banking payments pass 30 million a month"


def spec(**changes) -> GraphicSpec:
    fields = {"headline": HEADLINE, "body": "Lower fees, instant settlement.", "brand_name": "Northwind Pay"}
    fields.update(changes)
    return GraphicSpec(**fields)


def test_a_generated_background_comes_back_under_our_own_type(fake_stability):
    graphic = StabilityGenerator().generate(spec(footer="@northwindpay"))

    assert (graphic.source, graphic.layout, graphic.size) == ("stability", "photo", (1200, 630))
    assert Image.open(io.BytesIO(graphic.png)).size == (1200, 630)
    assert HEADLINE in graphic.alt_text
    [request] = fake_stability.requests
    assert request.path == PATH
    assert request.header("Authorization") == f"Bearer {STABILITY_API_KEY}"
    assert request.header("Accept") == "image/*"
    assert request.content_type.startswith("multipart/form-data; boundary=")
    assert request.fields["aspect_ratio"] == "16:9"
    assert request.fields["output_format"] == "png"
    assert HEADLINE in request.fields["prompt"]
    assert "text" in request.fields["negative_prompt"]


@pytest.mark.parametrize(
    ("kind", "aspect", "size"), [("story", "9:16", (1080, 1920)), ("carousel_slide", "1:1", (1080, 1080))]
)
def test_each_kind_asks_for_its_aspect_ratio_and_is_sized_to_the_spec(fake_stability, kind, aspect, size):
    graphic = StabilityGenerator().generate(spec(kind=kind))
    assert graphic.size == size
    assert fake_stability.requests[-1].fields["aspect_ratio"] == aspect


def test_the_image_prompt_replaces_the_headline_as_the_subject(fake_stability):
    StabilityGenerator().generate(spec(image_prompt="a city skyline at dawn"))
    prompt = fake_stability.requests[-1].fields["prompt"]
    assert "a city skyline at dawn" in prompt and HEADLINE not in prompt


def test_the_client_returns_the_image_bytes(fake_stability):
    data = StabilityClient().generate_core(prompt="a calm sea", aspect_ratio="3:2", seed=42)
    assert Image.open(io.BytesIO(data)).size == (1216, 832)
    assert fake_stability.requests[-1].fields["seed"] == "42"


def test_each_call_is_logged_for_cost_reporting(fake_stability):
    from apps.integrations.models import ApiCall

    StabilityClient().generate_core(prompt="a calm sea")
    fake_stability.fail(429)
    with pytest.raises(StabilityError):
        StabilityClient().generate_core(prompt="a calm sea")
    calls = list(ApiCall.objects.filter(provider="stability").order_by("id"))
    assert [(c.status, c.http_status) for c in calls] == [("ok", 200), ("error", 429)]
    assert calls[1].endpoint == "v2beta/stable-image/generate/core" and "rate limit" in calls[1].error


def test_a_rate_limit_is_a_transient_service_error_with_retry_after(fake_stability):
    fake_stability.fail(429, retry_after=12)
    with pytest.raises(ServiceError) as caught:
        StabilityClient().generate_core(prompt="a calm sea")
    error = caught.value
    assert isinstance(error, StabilityError)
    assert (error.status, error.retry_after, error.is_transient) == (429, 12.0, True)
    assert "rate limit" in str(error) and "rate_limit_exceeded" in str(error)


@pytest.mark.parametrize(
    ("status", "transient"), [(400, False), (403, False), (413, False), (500, True), (503, True)]
)
def test_vendor_errors_carry_their_status_and_message(fake_stability, status, transient):
    fake_stability.fail(status)
    with pytest.raises(StabilityError) as caught:
        StabilityClient().generate_core(prompt="a calm sea")
    assert caught.value.status == status
    assert caught.value.is_transient is transient
    assert f"({status})" in str(caught.value)


def test_a_wrong_key_is_refused_by_the_server(fake_stability):
    with pytest.raises(StabilityError) as caught:
        StabilityClient(api_key="sk-wrong").generate_core(prompt="a calm sea")
    assert caught.value.status == 401 and "unauthorized" in str(caught.value)


def test_bytes_that_are_not_an_image_are_an_error(fake_stability):
    fake_stability.malformed()
    with pytest.raises(StabilityError, match="not a readable image"):
        StabilityClient().generate_core(prompt="a calm sea")


def test_json_where_an_image_was_expected_is_an_error(fake_stability):
    fake_stability.malformed(b'{"image": "..."}', content_type="application/json")
    with pytest.raises(StabilityError, match="not an image"):
        StabilityClient().generate_core(prompt="a calm sea")


def test_a_content_filtered_image_is_not_used(fake_stability):
    fake_stability.filtered()
    with pytest.raises(StabilityError, match="CONTENT_FILTERED"):
        StabilityClient().generate_core(prompt="a calm sea")


# --- graphic_generate: Stability when configured, else or on failure the template ---------------------


def test_graphic_generate_uses_stability_when_configured(fake_stability):
    assert isinstance(graphic_generator(), StabilityGenerator)
    graphic = graphic_generate(spec())
    assert (graphic.source, graphic.layout, graphic.fallback_reason) == ("stability", "photo", "")
    assert len(fake_stability.requests) == 1


def _script_failure(fake, how: str, settings) -> None:
    if how == "timeout":
        settings.STABILITY_TIMEOUT = 0.3
        fake.delay(1.0)
    elif how == "malformed":
        fake.malformed()
    elif how == "filtered":
        fake.filtered()
    elif how == "bad key":
        settings.STABILITY_API_KEY = "sk-revoked"
    else:
        fake.fail(int(how))


@pytest.mark.parametrize(
    "how", ["429", "500", "503", "403", "400", "malformed", "filtered", "timeout", "bad key"]
)
def test_any_stability_failure_falls_back_to_the_template_and_says_why(fake_stability, settings, caplog, how):
    _script_failure(fake_stability, how, settings)

    graphic = graphic_generate(spec(layout="split"))

    assert (graphic.source, graphic.layout, graphic.size) == ("template", "split", (1200, 630))
    assert graphic.fallback_reason.startswith("Stability AI failed")
    assert len(fake_stability.requests) == 1
    assert "using the template" in caplog.text


def test_a_network_failure_falls_back_to_the_template(fake_stability, settings):
    settings.STABILITY_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    graphic = graphic_generate(spec())
    assert graphic.source == "template" and "Stability AI failed" in graphic.fallback_reason


def test_without_a_key_the_template_is_used_and_nothing_is_sent(fake_stability, settings):
    settings.STABILITY_API_KEY = ""
    graphic = graphic_generate(spec())
    assert graphic.source == "template"
    assert "not configured" in graphic.fallback_reason and "STABILITY_API_KEY" in graphic.fallback_reason
    assert fake_stability.requests == []


def test_the_default_settings_use_the_template_generator_and_send_nothing(fake_stability_server, settings):
    fake_stability_server.reset()
    settings.GRAPHICS_GENERATOR = "apps.integrations.images.layouts.TemplateGenerator"
    assert isinstance(graphic_generator(), TemplateGenerator)
    assert graphic_generate(spec()).source == "template"
    assert fake_stability_server.requests == []


def test_the_test_settings_never_point_at_the_real_api():
    from django.conf import settings

    assert settings.STABILITY_API_KEY == "" or "127.0.0.1" in settings.STABILITY_BASE_URL
