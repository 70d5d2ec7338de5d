"""A new brand's first hour: it finishes onboarding in the browser and its dashboard says "Scoring
trends for your brand…" with live progress from the worker (n of N trends scored), then swaps the
recommendation cards in, without a reload.

The worker's scoring of the brand is held at one known point (the test keeps the brand's
embedding row locked) so the page is seen while the scoring runs, on any machine speed."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from apps.brands.models import Industry
from apps.trends.embeddings import embed_texts
from apps.trends.models import BrandEmbedding, BrandTrendScore, Trend, TrendSnapshot
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCORING_TIMEOUT_MS = 120_000  # the worker may load the embedding model first
TOPICS = [
    "instant payments",
    "open banking",
    "invoice financing",
    "cash flow for small businesses",
    "card fees for merchants",
    "real-time bank transfers",
    "business current accounts",
    "payment fraud checks",
    "SME lending rates",
    "cross-border payments",
    "accounts payable automation",
    "digital wallets at checkout",
]
PLACES = [
    "Germany",
    "the UK",
    "France",
    "Spain",
    "Italy",
    "the Netherlands",
    "Poland",
    "Ireland",
    "Sweden",
    "Austria",
]
TRENDS = [f"New rules for {topic} in {place}" for topic in TOPICS for place in PLACES]  # 120


def fintech_trends() -> None:
    """120 active fintech trends with real embeddings: two steps (100, then 120) of progress."""
    now = timezone.now()
    vectors = embed_texts(TRENDS)
    trends = Trend.objects.bulk_create(
        Trend(
            title=title,
            summary=f"What is happening: {title.lower()}.",
            category="regulation",
            industries=["fintech"],
            embedding=vector.tobytes(),
            first_seen_at=now - timedelta(hours=12),
            last_seen_at=now,
            expires_at=now + timedelta(days=20),
            volume=40 + i,
            momentum=0.5,
            sentiment_label="positive",
            sentiment_score=0.4,
        )
        for i, (title, vector) in enumerate(zip(TRENDS, vectors, strict=True))
    )
    TrendSnapshot.objects.bulk_create(
        TrendSnapshot(
            trend=t,
            taken_at=now,
            volume=t.volume,
            mention_count=2,
            source_count=2,
            momentum=0.5,
            sentiment_label="positive",
            sentiment_score=0.4,
        )
        for t in trends
    )


def brand_at_the_audience_step():
    fintech, _ = Industry.objects.update_or_create(
        slug="fintech", defaults={"name": "Fintech", "description": "Payments, banking and lending."}
    )
    user = BrandUserFactory(email="nora@tillwise.example", display_name="Nora Weiss")
    brand = BrandFactory(
        name="Tillwise",
        industry=fintech,
        pillars=["Instant payments for small businesses", "Open banking you can trust"],
        onboarding_step=5,
    )
    MembershipFactory(brand=brand, user=user)
    # An embedding from an older profile: the rescore recomputes it, and waits on this row's lock.
    BrandEmbedding.objects.create(
        brand=brand,
        vector=b"",
        pillar_vectors=b"",
        pillars=[],
        text_digest="older",
        computed_at=timezone.now(),
    )
    return user, brand


def test_after_onboarding_the_dashboard_shows_scoring_progress_then_the_cards(page, site_server):
    if not settings.USE_REDIS:
        pytest.skip("needs a real worker and a channel layer shared between processes (Redis)")
    fintech_trends()
    user, brand = brand_at_the_audience_step()
    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))

    with transaction.atomic():
        # Hold the worker at the brand's embedding until the dashboard is on screen.
        BrandEmbedding.objects.select_for_update().get(brand=brand)

        page.goto(f"/brand/{brand.pk}/onboarding/5/")
        entry = page.locator(".field", has=page.locator("#id_roles")).locator(".tags-entry")
        entry.fill("Founders")
        entry.press("Enter")
        page.get_by_role("button", name="Next →").click()
        expect(page).to_have_url(re.compile(r"/onboarding/6/$"))
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(r"/onboarding/7/$"))
        page.get_by_role("button", name="Next →").click()
        expect(page).to_have_url(re.compile(r"/onboarding/8/$"))
        page.get_by_role("button", name="Finish setup").click()
        expect(page).to_have_url(re.compile(r"/onboarding/done/$"))
        page.get_by_role("link", name="Go to the dashboard").click()
        expect(page).to_have_url(re.compile(r"/brand/$"))

        panel = page.locator("#trend-recommendations")
        expect(panel).to_contain_text("Scoring trends for your brand…")
        expect(panel).not_to_contain_text("No trends yet")
        expect(page.locator(f"#brand-{brand.pk}-scoring")).to_have_attribute(
            "data-stage", re.compile("queued|profile")
        )
        # Every step the page is sent, and a mark that a reload would wipe.
        page.evaluate(
            """id => {
                window.stillTheSamePage = true;
                window.stepsSeen = [];
                new MutationObserver(() => {
                    const step = document.getElementById(id);
                    if (step) window.stepsSeen.push(step.querySelector('.scoring-stage').textContent.trim());
                }).observe(document.getElementById('trend-recommendations').parentNode, {childList: true, subtree: true});
            }""",
            f"brand-{brand.pk}-scoring",
        )
        screenshot(page, "first-scoring-progress")
    # The lock is gone: the worker goes on; the cards come in without a reload.
    cards = page.locator("#trend-recommendations .trend-cards > li")
    expect(cards.first).to_be_visible(timeout=SCORING_TIMEOUT_MS)
    expect(cards).to_have_count(5)
    assert page.evaluate("window.stillTheSamePage") is True
    steps = page.evaluate("window.stepsSeen")
    n = len(TRENDS)
    assert steps[-3:] == [f"Scored 100 of {n} trends", f"Scored {n} of {n} trends", "Done"], steps
    assert BrandTrendScore.objects.filter(brand=brand).exists()
    expect(page.locator("#trend-recommendations")).not_to_contain_text("Scoring trends")
    screenshot(page, "first-scoring-cards")
