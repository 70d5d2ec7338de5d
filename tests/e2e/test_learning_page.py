"""The Learning page in the browser: a brand with a few rewarded sandbox posts sees first, in plain
words, what does best and how sure that is, the chart of scores over time, and the maths only
behind "How it learns"; after more posts "Train now" switches it to learning per kind of trend.
Screenshots: test-artifacts/learning-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.learning.training import policy_train
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandUserFactory, MembershipFactory
from tests.learning.learning_factories import learning_brand, published, trend_with

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_learning_page_explains_the_model_and_trains_on_demand(page):
    user = BrandUserFactory(email="lena@orbit.example", display_name="Lena Ortiz")
    brand = learning_brand(name="Orbit Cloud", timezone="Europe/Paris", default_tone="professional")
    MembershipFactory(brand=brand, user=user)
    product, research = trend_with(category="product"), trend_with(category="research", title="A new study")
    now = timezone.now()
    for i, reward in enumerate((2.1, 2.6, 1.8, 2.4)):
        published(brand, reward=reward, trend=product, at=now - timedelta(days=3 + i))
    for i, reward in enumerate((0.9, 1.2)):
        published(
            brand,
            reward=reward,
            tone="bold",
            post_format="post",
            trend=product,
            at=now - timedelta(days=8 + i),
        )
    policy_train(brand=brand, now=now - timedelta(days=1))

    log_in(page, "lena@orbit.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learning").click()
    expect(page.get_by_role("heading", name="What Orbit Cloud's posts taught us")).to_be_visible()
    # Bold posts have 2 posts: not enough to compare, and the page says so.
    expect(page.locator("#ln-verdict")).to_have_text(
        "Witty threads on X are the only kind with 3 posts or more — 4 posts so far"
    )
    expect(page.locator("#ln-mode")).to_have_text("Early days: comparing tones and formats")
    expect(page.locator("#ln-skip")).to_contain_text(
        "Only 6 published posts with a performance score in the last 30 days"
    )
    expect(page.locator("#ln-lessons")).to_contain_text(
        "Witty threads on X: average performance score 2.2 over 4 posts"
    )
    # Bold posts rest on 2 posts: below the threshold, so not a lesson, and the page says so.
    expect(page.locator("#ln-lessons")).not_to_contain_text("Bold")
    expect(page.locator("#ln-threshold")).to_contain_text("Only what rests on 3 posts or more is shown")
    expect(page.locator("#ln-exploration")).to_have_text("15 %")
    expect(page.locator("#ln-next")).to_contain_text("Sunday")
    # The chart is drawn (uPlot), one line per tone and format with its legend.
    expect(page.locator("#ln-chart .uplot")).to_be_visible()
    expect(page.locator("#ln-chart .u-legend")).to_contain_text("Witty threads on X")
    expect(page.locator("#ln-chart .u-legend")).to_contain_text("Bold posts on X")
    # The maths is there, folded away.
    expect(page.locator("#ln-how-formula")).to_be_hidden()
    page.get_by_text("What is the performance score?").click()
    expect(page.locator(".ln-verdict-card .score-help p")).to_contain_text("per 100 impressions")
    screenshot(page, "learning-bandit")
    page.locator("#ln-how > summary").click()
    expect(page.locator("#ln-how-formula")).to_be_visible()
    expect(page.locator("#ln-arm-table")).to_be_visible()

    for i in range(6):
        published(
            brand,
            reward=3.5 + 0.2 * i,
            tone="educational",
            post_format="carousel",
            platform="linkedin",
            trend=research,
            at=now - timedelta(hours=20 + i),
        )
    page.get_by_role("button", name="Train now").click()
    expect(page.get_by_text("Trained on 12 posts.")).to_be_visible()
    expect(page.locator("#ln-mode")).to_have_text("Learning per kind of trend")
    expect(page.locator("#ln-verdict")).to_have_text(
        "Educational carousels on LinkedIn do best for you — 6 posts, clearly ahead"
    )
    expect(page.locator("#ln-lessons li").first).to_contain_text(
        "Educational carousels on LinkedIn on research trends: average performance score 4.0 over 6 posts"
    )
    page.locator("#ln-how > summary").click()
    expect(page.locator("#ln-state-table")).to_contain_text("research trends · educational carousel · tech")
    expect(page.locator("#ln-run-table tbody tr")).to_have_count(2)
    expect(page.locator("#ln-skip")).to_have_count(0)
    screenshot(page, "learning-q")
