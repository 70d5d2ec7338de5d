"""Fixtures for the outside-service clients: the fake trend sources and the industries they ask about."""

from types import SimpleNamespace

import pytest

from apps.integrations.sources.base import industry_queries
from tests.fakes.llm import fake_llm, fake_llm_server, llm_waits  # noqa: F401 (fixtures)
from tests.fakes.sources import fake_sources, fake_sources_server  # noqa: F401 (fixtures)


@pytest.fixture
def industries(fake_sources):  # noqa: F811 (the fixture above)
    """IndustryQuery for fintech, tech and education, read from the fake's TREND_INDUSTRY_SOURCES."""
    rows = [
        SimpleNamespace(slug="fintech", name="Fintech"),
        SimpleNamespace(slug="tech", name="Tech"),
        SimpleNamespace(slug="education", name="Education"),
    ]
    return industry_queries(rows)


@pytest.fixture
def education(industries):
    """Only the education industry: one subreddit, one feed, one NewsAPI query (for slow tests)."""
    return [q for q in industries if q.slug == "education"]
