"""Onboarding steps: each validates everything before writing, and the wizard resumes."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.brands import services
from apps.brands.models import Brand, Industry, OnboardingStep, Platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_brand(brand_user):
    return services.brand_create(user=brand_user, name="Northwind")


def png(color=(30, 64, 175)):
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(buf, format="PNG")
    return SimpleUploadedFile("logo.png", buf.getvalue())


def fresh(brand):
    return Brand.objects.get(pk=brand.pk)


def test_a_new_brand_has_a_sandbox_account_and_resumes_at_industry(new_brand):
    assert new_brand.onboarding_step == OnboardingStep.INDUSTRY
    assert new_brand.connections.get().platform == Platform.SANDBOX


def test_industries_are_seeded():
    assert set(Industry.objects.values_list("slug", flat=True)) >= {"fintech", "tech", "education", "other"}


def test_industry_step(new_brand):
    with pytest.raises(ValidationError):
        services.brand_set_industry(brand=new_brand, industry_id=None)
    services.brand_set_industry(brand=new_brand, industry_id=Industry.objects.get(slug="fintech").pk)
    brand = fresh(new_brand)
    assert brand.industry.slug == "fintech"
    assert brand.onboarding_step == OnboardingStep.IDENTITY


def test_identity_step_saves_logo_and_colours(new_brand, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.brand_set_identity(
        brand=new_brand, primary_color="#1e40af", secondary_color="#F97316", logo=png()
    )
    brand = fresh(new_brand)
    assert brand.primary_color == "#1E40AF"
    assert brand.logo.name.endswith(".png")
    assert (tmp_path / brand.logo.name).exists()


def test_identity_step_with_a_bad_file_saves_nothing(new_brand, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as exc:
        services.brand_set_identity(
            brand=new_brand,
            primary_color="#000000",
            secondary_color="#111111",
            logo=SimpleUploadedFile("evil.svg", b"<svg/>"),
        )
    assert "logo" in exc.value.message_dict
    brand = fresh(new_brand)
    assert brand.primary_color == "#4F46E5" and not brand.logo
    assert brand.onboarding_step == OnboardingStep.INDUSTRY


def test_bad_colour_is_an_error_on_its_field(new_brand):
    with pytest.raises(ValidationError) as exc:
        services.brand_set_identity(brand=new_brand, primary_color="blue", secondary_color="#111111")
    assert "primary_color" in exc.value.message_dict


def test_pillars_one_to_five(new_brand):
    with pytest.raises(ValidationError):
        services.brand_set_pillars(brand=new_brand, pillars=["", " "])
    with pytest.raises(ValidationError, match="At most 5"):
        services.brand_set_pillars(brand=new_brand, pillars=[f"pillar {i}" for i in range(6)])
    assert fresh(new_brand).pillars == []
    services.brand_set_pillars(brand=new_brand, pillars=["Open banking", " open  banking ", "Trust"])
    assert fresh(new_brand).pillars == ["Open banking", "Trust"]


def test_audience_needs_a_role(new_brand):
    with pytest.raises(ValidationError) as exc:
        services.brand_set_audience(brand=new_brand, roles=[], geographies=["EU"], company_sizes=[])
    assert "roles" in exc.value.message_dict
    services.brand_set_audience(brand=new_brand, roles=["CFO"], geographies=["EU"], company_sizes=["51-200"])
    assert fresh(new_brand).audience_roles == ["CFO"]


def test_voice_samples_compute_the_voice_profile(new_brand):
    services.brand_set_voice_samples(
        brand=new_brand, samples=["Hello world! 🚀 #launch", "Second post #launch"]
    )
    brand = fresh(new_brand)
    assert brand.voice_profile["samples"] == 2
    assert brand.voice_profile["top_hashtags"] == ["#launch"]
    with pytest.raises(ValidationError, match="At most 5"):
        services.brand_set_voice_samples(brand=new_brand, samples=["x"] * 6)


def prefs(**overrides):
    data = {
        "posts_per_week": 4,
        "preferred_days": ["0", "2", "4"],
        "time_windows": ["09:00-11:00", "14:00-15:30"],
        "timezone_name": "Europe/Berlin",
        "default_tone": "witty",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"timezone_name": "Mars/Olympus"}, "timezone"),
        ({"posts_per_week": 0}, "posts_per_week"),
        ({"posts_per_week": "many"}, "posts_per_week"),
        ({"preferred_days": []}, "preferred_days"),
        ({"preferred_days": ["9"]}, "preferred_days"),
        ({"time_windows": ["11:00-09:00"]}, "time_windows"),
        ({"time_windows": ["9am"]}, "time_windows"),
        ({"default_tone": "sarcastic"}, "default_tone"),
    ],
)
def test_preferences_reject_bad_input_on_its_field(new_brand, overrides, field):
    with pytest.raises(ValidationError) as exc:
        services.brand_set_preferences(brand=new_brand, **prefs(**overrides))
    assert field in exc.value.message_dict
    assert fresh(new_brand).onboarding_completed_at is None


def test_preferences_complete_onboarding_only_after_the_required_steps(new_brand):
    with pytest.raises(ValidationError, match="Finish the earlier steps first"):
        services.brand_set_preferences(brand=new_brand, **prefs())
    services.brand_set_industry(brand=new_brand, industry_id=Industry.objects.get(slug="tech").pk)
    services.brand_set_pillars(brand=new_brand, pillars=["Developer experience"])
    services.brand_set_audience(brand=new_brand, roles=["CTO"], geographies=[], company_sizes=[])
    services.brand_set_preferences(brand=new_brand, **prefs())
    brand = fresh(new_brand)
    assert brand.is_onboarded
    assert brand.preferred_days == [0, 2, 4]
    assert brand.timezone == "Europe/Berlin"


def test_the_wizard_never_moves_back_by_itself(new_brand):
    services.brand_set_pillars(brand=new_brand, pillars=["x"])
    assert fresh(new_brand).onboarding_step == OnboardingStep.AUDIENCE
    services.brand_set_name(brand=fresh(new_brand), name="Northwind Analytics")
    assert fresh(new_brand).onboarding_step == OnboardingStep.AUDIENCE
