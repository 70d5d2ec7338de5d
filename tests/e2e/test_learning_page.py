"""The Learning page in the browser: a brand with a few rewarded sandbox posts sees the bandit and
why Q-learning skipped; after more posts "Train now" switches it to Q-learning and the page says
in words what was learned. Screenshots: test-artifacts/learning-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.analytics.training import policy_train
from tests.analytics.learning_factories import learning_brand, published, trend_with
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandUserFactory, MembershipFactory

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
    expect(page.locator("#ln-mode")).to_have_text("Bandit (little data)")
    expect(page.locator("#ln-skip")).to_contain_text(
        "Only 6 published posts with a reward in the last 30 days"
    )
    expect(page.locator("#ln-lessons")).to_contain_text("Witty threads on X: average reward 2.2 over 4 posts")
    expect(page.locator("#ln-exploration")).to_have_text("15 %")
    expect(page.locator("#ln-next")).to_contain_text("Sunday")
    screenshot(page, "learning-bandit")

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
    expect(page.locator("#ln-mode")).to_have_text("Q-learning")
    expect(page.locator("#ln-lessons li").first).to_contain_text(
        "Educational carousels on LinkedIn on research trends: average reward 4.0 over 6 posts"
    )
    expect(page.locator("#ln-state-table")).to_contain_text("research trends · educational carousel · tech")
    expect(page.locator("#ln-run-table tbody tr")).to_have_count(2)
    expect(page.locator("#ln-skip")).to_have_count(0)
    screenshot(page, "learning-q")
