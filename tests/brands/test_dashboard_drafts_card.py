"""The dashboard's drafts card with no drafts says what to do with what exists: no trends yet,
only watchlist trends, or trends with a "Generate post" button above."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.brands.models import BrandMembership
from apps.trends.models import Decision
from tests.factories import BrandFactory, BrandUserFactory
from tests.htmx import page_with_fragments
from tests.trends import conftest as trend_fixtures
from tests.trends.conftest import make_score, make_trend

fintech, fintech_brand = trend_fixtures.fintech, trend_fixtures.fintech_brand

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # recommendations are cached per brand
    yield
    cache.clear()


def drafts_card(client, brand) -> str:
    user = BrandUserFactory()
    BrandMembership.objects.create(brand=brand, user=user, role="owner")
    client.force_login(user)
    page = page_with_fragments(client, reverse("brands:dashboard"))
    return page.split("Drafts awaiting review")[1].split("</section>")[0]


def test_with_no_trends_yet_the_drafts_card_says_they_are_being_scored(client, fintech_brand):
    card = drafts_card(client, fintech_brand)

    assert "being fetched and scored" in card
    assert "on a trend above" not in card


def test_with_no_trends_yet_the_drafts_card_links_to_connecting_accounts(client, fintech_brand):
    card = drafts_card(client, fintech_brand)

    assert reverse("connections:list", args=[fintech_brand.pk]) in card


def test_with_recommended_trends_the_drafts_card_points_at_generate_post(client, fintech_brand):
    make_score(fintech_brand, make_trend("Instant payments go live"), final=0.8)

    card = drafts_card(client, fintech_brand)

    assert "Press “Generate post” on a trend above" in card
    assert "being fetched" not in card


def test_with_only_watchlist_trends_the_drafts_card_points_at_the_watchlist(client, fintech_brand):
    make_score(fintech_brand, make_trend("Maybe later"), final=0.45, decision=Decision.WATCHLIST)

    card = drafts_card(client, fintech_brand)

    assert "open one on the watchlist above" in card


def test_before_setup_is_finished_the_drafts_card_asks_to_finish_it(client):
    brand = BrandFactory(onboarding_completed_at=None)

    card = drafts_card(client, brand)

    assert "Finish setting up" in card and "Generate post" not in card
