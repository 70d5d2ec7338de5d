"""Post test helpers: the fake LLM server, and a fintech brand with a trend to write about."""

import pytest
from django.utils import timezone

from tests.factories import BrandFactory
from tests.fakes.llm import fake_llm, fake_llm_server, llm_waits  # noqa: F401
from tests.trends.conftest import make_trend


@pytest.fixture
def brand():
    from apps.brands.models import Industry

    industry, _ = Industry.objects.get_or_create(slug="fintech", defaults={"name": "Fintech"})
    return BrandFactory(
        name="Ledgerly",
        industry=industry,
        pillars=["Instant payments for small businesses", "Faster cash flow for SMEs"],
        audience_roles=["CFOs", "Founders"],
        audience_geographies=["Europe"],
        default_tone="friendly",
        banned_topics=["crypto"],
        onboarding_completed_at=timezone.now(),
    )


@pytest.fixture
def trend():
    return make_trend(
        "EU instant payments rule takes effect", summary="Banks must send euro transfers in ten seconds."
    )
