"""The A/B winner: by reward, with the confidence that its engagement rate is higher (Beta
posteriors, normal approximation) checked against numbers worked out by hand; "too early to call"
below 90 % or while the rewards are provisional; the post page and the API say so."""

import math
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.brands.models import BrandMembership
from apps.posts.models import Post, PostCopy, PostStatus
from apps.publishing import ab
from apps.publishing.models import Publication, PublicationStatus
from tests.factories import BrandFactory, BrandUserFactory
from tests.publishing.ui_fixtures import post_page

pytestmark = pytest.mark.django_db


# --- the probability, by hand --------------------------------------------------------------------


def test_probability_matches_the_normal_approximation_worked_by_hand():
    # A: 100 engagements of 2,000 impressions, B: 130 of 2,000. Posteriors Beta(101, 1901) and
    # Beta(131, 1871): means 101/2002 and 131/2002, variances a·b / (2002² · 2003), so
    # z = (30/2002) / √((101·1901 + 131·1871) / (2002² · 2003)) = 30 / √(437102 / 2003) = 2.0308
    # and Φ(2.0308) = 0.9789.
    z = 30 / math.sqrt(437102 / 2003)
    assert z == pytest.approx(2.0308, abs=1e-4)
    p = ab.prob_b_beats_a(k_a=100, n_a=2000, k_b=130, n_b=2000)
    assert round(p, 2) == 0.98 and p == pytest.approx(0.9789, abs=1e-4)


def test_the_seeded_monte_carlo_agrees_to_a_hundredth():
    for k_a, n_a, k_b, n_b in [(100, 2000, 130, 2000), (74, 1850, 102, 1920), (5, 50, 9, 50)]:
        normal = ab.prob_b_beats_a(k_a=k_a, n_a=n_a, k_b=k_b, n_b=n_b)
        drawn = ab.prob_b_beats_a_monte_carlo(k_a=k_a, n_a=n_a, k_b=k_b, n_b=n_b)
        assert drawn == pytest.approx(normal, abs=0.01)
        assert drawn == ab.prob_b_beats_a_monte_carlo(k_a=k_a, n_a=n_a, k_b=k_b, n_b=n_b)  # seeded


def test_equal_numbers_are_a_coin_flip_and_the_two_directions_add_up_to_one():
    assert ab.prob_b_beats_a(k_a=40, n_a=1000, k_b=40, n_b=1000) == pytest.approx(0.5)
    there = ab.prob_b_beats_a(k_a=30, n_a=900, k_b=45, n_b=1100)
    back = ab.prob_b_beats_a(k_a=45, n_a=1100, k_b=30, n_b=900)
    assert there + back == pytest.approx(1.0)


# --- the verdict ------------------------------------------------------------------------------------


@pytest.fixture
def member():
    return BrandUserFactory()


@pytest.fixture
def brand(member):
    brand = BrandFactory(name="Ledgerly", timezone="UTC")
    BrandMembership.objects.create(brand=brand, user=member, role="owner")
    return brand


@pytest.fixture
def pair(brand):
    a = Post.objects.create(brand=brand, tone="bold", status=PostStatus.PUBLISHED, variant_label="A")
    b = Post.objects.create(
        brand=brand, tone="bold", status=PostStatus.PUBLISHED, ab_parent=a, variant_label="B"
    )
    for post, text in ((a, "Instant payments are here."), (b, "Your cash, in ten seconds.")):
        PostCopy.objects.create(post=post, platform="x", parts=[text], source="template")
    return a, b


def published(post, *, reward, days_ago=8, final=True, platform="sandbox", **numbers) -> Publication:
    at = timezone.now() - timedelta(days=days_ago)
    return Publication.objects.create(
        post=post,
        brand_id=post.brand_id,
        platform=platform,
        copy_platform="x",
        status=PublicationStatus.PUBLISHED,
        scheduled_for=at,
        due_at=at,
        published_at=at,
        reward=reward,
        reward_final=final,
        metrics_fetched_at=timezone.now(),
        **numbers,
    )


# A: 74 engagements of 1,850 impressions; B: 102 of 1,920.
A_NUMBERS = {"likes": 50, "comments": 10, "shares": 6, "quotes": 4, "bookmarks": 4, "impressions": 1850}
B_NUMBERS = {"likes": 70, "comments": 14, "shares": 9, "quotes": 5, "bookmarks": 4, "impressions": 1920}


def test_b_wins_by_reward_with_the_confidence_stated(pair):
    a, b = pair
    published(a, reward=1.1, **A_NUMBERS)
    published(b, reward=2.4, **B_NUMBERS)
    result = ab.ab_result(post=a)
    # By hand: Beta(75, 1777) and Beta(103, 1819): z = (103/1922 − 75/1852) / √(var_A + var_B) = 1.903,
    # Φ(1.903) = 0.9715.
    assert (result.state, result.leader) == ("winner", "B")
    assert result.confidence == pytest.approx(0.9715, abs=1e-4)
    assert (result.a.engagements, result.b.engagements) == (74, 102)
    assert result.headline == "B wins"
    assert result.detail == (
        "B wins: reward 2.4 vs 1.1; 97 % confident B's engagement rate is higher (1,920 vs 1,850 impressions)."
    )
    assert ab.ab_result(post=b).detail == result.detail  # the same on both pages


def test_a_can_win_too_and_its_confidence_is_the_other_side(pair):
    a, b = pair
    published(a, reward=2.4, **B_NUMBERS)
    published(b, reward=1.1, **A_NUMBERS)
    result = ab.ab_result(post=b)
    assert (result.state, result.leader) == ("winner", "A")
    assert result.confidence == pytest.approx(0.9715, abs=1e-4)


def test_below_90_percent_it_is_too_early_to_call(pair):
    a, b = pair
    published(a, reward=1.2, likes=20, comments=5, shares=5, impressions=1000)  # 30 of 1,000
    published(b, reward=1.3, likes=22, comments=5, shares=5, impressions=1000)  # 32 of 1,000
    result = ab.ab_result(post=a)
    assert result.state == "too_close" and result.headline == "Too early to call"
    assert result.confidence == pytest.approx(0.60, abs=0.01)
    assert result.detail.startswith("B leads: reward 1.3 vs 1.2; 60 % confident")
    assert result.detail.endswith("A winner is called at 90 %.")


def test_provisional_rewards_are_too_early_to_call_however_sure(pair):
    a, b = pair
    published(a, reward=1.1, days_ago=2, final=False, **A_NUMBERS)
    published(b, reward=2.4, days_ago=1, final=False, **B_NUMBERS)
    result = ab.ab_result(post=a)
    assert result.state == "provisional" and result.headline == "Too early to call"
    final_day = (timezone.now() + timedelta(days=6)).strftime("%-d %b")
    assert result.detail.startswith("B leads for now: reward 2.4 vs 1.1; 97 % confident")
    assert result.detail.endswith(f"Rewards are provisional until 7 days after publishing ({final_day}).")


def test_nothing_is_said_before_both_are_published_and_measured(pair):
    a, b = pair
    published(a, reward=1.1, **A_NUMBERS)
    result = ab.ab_result(post=a)
    assert result.state == "waiting" and result.detail == "Variant B is not published yet."
    published(b, reward=None, impressions=0)
    assert ab.ab_result(post=a).detail.startswith("Waiting for the first metrics of both variants")


def test_a_variant_on_two_accounts_counts_both_weighted_by_impressions(pair):
    a, b = pair
    published(a, reward=1.0, likes=10, impressions=1000)
    published(a, reward=4.0, platform="x", likes=30, impressions=3000)
    published(b, reward=1.0, likes=10, impressions=1000)
    result = ab.ab_result(post=a)
    assert result.a.reward == pytest.approx(3.25)  # (1.0·1000 + 4.0·3000) / 4000
    assert (result.a.engagements, result.a.impressions) == (40, 4000)
    assert result.leader == "A"


def test_a_post_outside_a_test_has_no_result(brand):
    post = Post.objects.create(brand=brand, tone="bold")
    assert ab.ab_result(post=post) is None


# --- the page and the API ---------------------------------------------------------------------------


def test_the_post_page_shows_the_winner_and_the_numbers(pair, member):
    a, b = pair
    published(a, reward=1.1, **A_NUMBERS)
    published(b, reward=2.4, **B_NUMBERS)
    client = Client()
    client.force_login(member)
    page = post_page(client, a)
    assert "<h3>B wins</h3>" in page
    assert "Reward 2.4 vs 1.1; 97 % confident B&#x27;s engagement rate is higher (1,920 vs 1,850" in page
    assert "4.00 %" in page and "5.31 %" in page  # 74/1850 and 102/1920
    assert 'class="ab-variant is-winner" data-variant="B"' in page
    assert "Simulated engagement from the sandbox network" in page


def test_the_api_reports_the_result(pair, member):
    a, b = pair
    published(a, reward=1.1, days_ago=2, final=False, **A_NUMBERS)
    published(b, reward=2.4, days_ago=2, final=False, **B_NUMBERS)
    client = Client()
    client.force_login(member)
    body = client.get(f"/api/v1/posts/{b.pk}/ab-result").json()
    assert body["state"] == "provisional" and body["leader"] == "B"
    assert body["confidence"] == pytest.approx(0.9715, abs=1e-4)
    assert [v["label"] for v in body["variants"]] == ["A", "B"]
    assert body["variants"][1]["sandbox"] is True and body["variants"][1]["final"] is False
    lone = Post.objects.create(brand=a.brand, tone="bold")
    missing = client.get(f"/api/v1/posts/{lone.pk}/ab-result")
    assert missing.status_code == 404 and "not in an A/B test" in missing.json()["detail"]
