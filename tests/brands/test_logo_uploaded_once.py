"""The logo is uploaded once: the colour-suggestion request keeps the cleaned file under a token
that saving the identity step (wizard or settings) sends instead of the file; the browser's
size and type check has its limit from the server."""

import re

import pytest
from django.urls import reverse
from PIL import Image

from apps.brands.models import Brand, OnboardingStep
from apps.core.images import MAX_UPLOAD_BYTES
from tests.brands import test_wizard_views
from tests.brands.test_wizard_views import at_step, png, step_url
from tests.factories import BrandFactory

pytestmark = pytest.mark.django_db
media = test_wizard_views.media  # MEDIA_ROOT in a temporary folder


@pytest.fixture
def owner_client(client, brand_user):
    client.force_login(brand_user)
    return client


def pick(client, brand, upload) -> str:
    """The colour-suggestion request for a picked logo; returns its answer's token ('' if none)."""
    content = client.post(reverse("brands:logo_colors", args=[brand.pk]), {"logo": upload}).content.decode()
    found = re.search(
        r'<input type="hidden" name="logo_token" id="logo-token" value="([^"]*)" hx-swap-oob="true">', content
    )
    assert found, content
    return found.group(1)


def test_picking_a_logo_answers_with_a_token_for_it(owner_client, brand, media):
    assert pick(owner_client, brand, png())


def test_saving_the_step_with_the_token_saves_the_logo_without_a_second_upload(owner_client, brand, media):
    at_step(brand, OnboardingStep.IDENTITY)
    token = pick(owner_client, brand, png(color=(220, 38, 38)))

    response = owner_client.post(
        step_url(brand, 3), {"logo_token": token, "primary_color": "#DC2626", "secondary_color": "#0EA5E9"}
    )

    assert response["Location"] == step_url(brand, 4)
    brand = Brand.objects.get(pk=brand.pk)
    assert brand.logo and (media / brand.logo.name).exists()


def test_the_saved_logo_is_the_one_that_was_picked(owner_client, brand, media):
    at_step(brand, OnboardingStep.IDENTITY)
    token = pick(owner_client, brand, png(color=(220, 38, 38)))

    owner_client.post(
        step_url(brand, 3), {"logo_token": token, "primary_color": "#DC2626", "secondary_color": "#0EA5E9"}
    )

    with Brand.objects.get(pk=brand.pk).logo.open("rb") as saved:
        assert Image.open(saved).convert("RGB").getpixel((32, 32)) == (220, 38, 38)


def test_a_token_saves_the_logo_in_settings_too(owner_client, brand, media):
    at_step(brand, OnboardingStep.IDENTITY)
    Brand.objects.filter(pk=brand.pk).update(onboarding_step=OnboardingStep.PILLARS)  # identity is done
    token = pick(owner_client, brand, png())

    owner_client.post(
        reverse("brands:settings_section", args=[brand.pk, "identity"]),
        {"logo_token": token, "primary_color": "#1E40AF", "secondary_color": "#0EA5E9"},
    )

    assert Brand.objects.get(pk=brand.pk).logo


def test_another_brands_token_saves_no_logo(owner_client, brand, brand_user, media):
    from tests.factories import MembershipFactory

    other = BrandFactory()
    MembershipFactory(brand=other, user=brand_user)
    token = pick(owner_client, other, png())
    at_step(brand, OnboardingStep.IDENTITY)

    response = owner_client.post(
        step_url(brand, 3), {"logo_token": token, "primary_color": "#1E40AF", "secondary_color": "#0EA5E9"}
    )

    assert response["Location"] == step_url(brand, 4)  # the step saved, without a logo
    assert not Brand.objects.get(pk=brand.pk).logo


def test_a_refused_pick_clears_the_token(owner_client, brand):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("logo.svg", b"<svg/>", content_type="image/svg+xml")

    assert pick(owner_client, brand, bad) == ""


def test_the_logo_input_carries_the_upload_limit_for_the_browsers_check(owner_client, brand):
    at_step(brand, OnboardingStep.IDENTITY)

    page = owner_client.get(step_url(brand, 3)).content.decode()

    assert f'data-max-bytes="{MAX_UPLOAD_BYTES}"' in page
