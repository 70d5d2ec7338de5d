"""The analytics pages: the brand's page and its CSV (members only; another brand's is 404), the
staff page (404 for others), htmx partials, empty states, and query counts that do not grow with
the number of posts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.analytics.analytics_data import NOW, published, trend
from tests.factories import BrandFactory, BrandUserFactory, InfluencerFactory, MembershipFactory, StaffFactory
from tests.htmx import page_with_fragments

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def brand():
    return BrandFactory(name="Ledgerly", slug="ledgerly", timezone="America/New_York")


@pytest.fixture
def site(client, brand):
    user = BrandUserFactory()
    MembershipFactory(brand=brand, user=user)
    client.force_login(user)
    return client


@pytest.fixture
def outsider():
    user = BrandUserFactory()
    MembershipFactory(user=user)
    browser = Client()
    browser.force_login(user)
    return browser


def page(brand, **query):
    url = reverse("analytics:brand", args=[brand.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def some_posts(brand, count: int, *, platform="x"):
    phone = trend("Phone ships")
    for i in range(count):
        published(
            brand,
            at=NOW - timedelta(days=1 + i % 25, hours=i % 7),
            platform=platform,
            rate=0.02 + (i % 5) / 100,
            reward=1.0 + i % 4,
            likes=10 + i,
            impressions=500,
            topic=phone if i % 2 else None,
        )


# --- the brand's page ---------------------------------------------------------------------------------


def test_the_brand_page_shows_totals_charts_topics_hours_and_platforms(site, brand):
    some_posts(brand, 6)
    published(brand, at=NOW - timedelta(days=2), platform="sandbox", rate=0.9, reward=5.0, impressions=99999)
    html = site.get(page(brand, days=30, data="real")).content.decode()
    assert "<h1>Analytics</h1>" in html and "America/New_York" in html
    assert "3,000" in html  # impressions of the six real posts; the sandbox's 99,999 are not added
    assert "99,999" not in html
    for chart in ("chart-rate", "chart-reward", "chart-posts"):
        assert f'data-chart="{chart}"' in html and f'id="{chart}"' in html
    assert "vendor/uplot/uPlot.iife.min.js" in html and "cdn" not in html.lower()
    assert "Best topics" in html and "Phone ships" in html
    assert "Best posting hours" in html and 'data-platform="x"' in html and 'data-platform="linkedin"' in html
    assert "Suggested posting frequency" in html
    assert 'class="an-platform-sandbox' in html and "Simulated" in html
    assert 'aria-current="page">30 days<' in html
    assert reverse("analytics:export", args=[brand.pk]) + "?days=30&amp;data=real" in html


def test_the_sandbox_view_is_labelled_and_says_the_learning_loop_may_use_it(site, brand):
    some_posts(brand, 3, platform="sandbox")
    html = site.get(page(brand, data="sandbox")).content.decode()
    assert "an-is-sandbox" in html and "simulated" in html
    assert "never counted in your real analytics" in html
    assert "The learning loop may learn from sandbox posts" in html
    assert 'data-platform="sandbox"' in html and 'data-platform="x"' not in html


def test_without_real_posts_the_page_opens_on_the_sandbox(site, brand):
    some_posts(brand, 2, platform="sandbox")
    html = site.get(page(brand)).content.decode()
    assert 'data-dataset="sandbox" aria-current="page"' in html


def test_an_empty_real_page_says_what_to_do(site, brand):
    html = site.get(page(brand, data="real")).content.decode()
    assert "No posts on X or LinkedIn in the last 30 days" in html
    assert reverse("connections:list", args=[brand.pk]) in html  # connect an account
    assert "See sandbox numbers" in html


def test_an_empty_sandbox_page_says_what_to_do(site, brand):
    html = site.get(page(brand, data="sandbox", days=7)).content.decode()
    assert "Nothing published to the sandbox in the last 7 days" in html
    assert reverse("posts:list") in html


def test_posts_waiting_for_metrics_are_explained(site, brand):
    published(brand, at=NOW - timedelta(hours=1), rate=None)
    html = site.get(page(brand, data="real")).content.decode()
    assert "the first numbers are fetched 15 minutes after publishing" in html


def test_the_brand_page_calls_the_reward_a_performance_score_and_explains_it_once(site, brand):
    some_posts(brand, 3)
    html = site.get(page(brand, data="real")).content.decode()
    assert "Avg performance score" in html and "Avg reward" not in html
    assert "Mean reward" not in html and ">Reward<" not in html
    assert html.count("What is the performance score?") == 1


def test_the_staff_page_calls_the_reward_a_performance_score(brand):
    some_posts(brand, 2)
    client = Client()
    client.force_login(StaffFactory())
    html = client.get(reverse("analytics:staff")).content.decode()
    assert "Score (real)" in html and "Reward (real)" not in html


def test_htmx_gets_the_body_alone(site, brand):
    some_posts(brand, 2)
    html = site.get(page(brand, days=7, data="real"), **HX).content.decode()
    assert html.lstrip().startswith('<div id="analytics-body"')
    assert "<html" not in html and 'aria-current="page">7 days<' in html
    export = reverse("analytics:export", args=[brand.pk])
    assert f"{export}?days=7&amp;data=real" in html  # the export link follows the period


def test_another_brands_analytics_are_not_found(outsider, brand):
    some_posts(brand, 2)
    assert outsider.get(page(brand)).status_code == 404
    assert outsider.get(reverse("analytics:export", args=[brand.pk])).status_code == 404


def test_influencers_and_anonymous_visitors_cannot_open_brand_analytics(client, brand):
    assert client.get(page(brand)).status_code == 302  # to the log-in page
    client.force_login(InfluencerFactory())
    assert client.get(page(brand)).status_code == 403


def test_the_nav_links_to_the_current_brands_analytics(site, brand):
    response = site.get(reverse("analytics:current"))
    assert response.status_code == 302 and response["Location"] == reverse("analytics:brand", args=[brand.pk])
    html = site.get(page(brand)).content.decode()
    assert f'href="{reverse("analytics:current")}" aria-current="page">Analytics<' in html


def test_the_brand_pages_query_count_does_not_grow_with_its_posts(site, brand, django_assert_max_num_queries):
    some_posts(brand, 3)
    with django_assert_max_num_queries(12):
        assert site.get(page(brand, data="real")).status_code == 200
    some_posts(brand, 60)
    some_posts(brand, 20, platform="linkedin")
    with django_assert_max_num_queries(12):
        assert site.get(page(brand, days=90)).status_code == 200  # also picks the default dataset


# --- CSV export --------------------------------------------------------------------------------------------


def test_the_csv_has_one_row_per_publication_of_the_period(site, brand):
    topic = trend("Phone ships")
    published(
        brand,
        at=NOW - timedelta(days=2),
        platform="linkedin",
        rate=0.0625,
        reward=2.25,
        likes=40,
        comments=5,
        shares=2,
        impressions=752,
        topic=topic,
        estimated=["shares", "impressions"],
        tone="professional",
    )
    published(
        brand, at=NOW - timedelta(days=10), rate=0.02, reward=1.0, likes=10, impressions=500, final=True
    )
    published(brand, at=NOW - timedelta(days=1), platform="sandbox", rate=0.5)
    published(brand, at=NOW - timedelta(days=45), rate=0.9)
    response = site.get(reverse("analytics:export", args=[brand.pk]) + "?days=30&data=real")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="ledgerly-analytics-real-30d-20260316.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "published_at", "platform", "post_id", "format", "tone", "trend_category", "trend", "likes", "comments",
        "shares", "quotes", "bookmarks", "impressions", "estimated", "engagement_rate", "reward", "reward_final", "url",
    ]  # fmt: skip
    assert len(rows) == 3
    old, linkedin = rows[1], rows[2]
    assert old[0] == "2026-03-06T07:00-05:00" and old[1] == "X" and old[16] == "yes"
    assert linkedin[0] == "2026-03-14T08:00-04:00"  # the brand's local time, after the DST change
    assert linkedin[1:2] + linkedin[3:] == [
        "LinkedIn", "post", "professional", "Product launches", "Phone ships", "40", "5", "2", "0", "0", "752",
        "shares;impressions", "0.062500", "2.2500", "no", linkedin[17],
    ]  # fmt: skip


def test_the_sandbox_csv_holds_only_sandbox_rows(site, brand):
    published(brand, at=NOW - timedelta(days=1), platform="sandbox", rate=0.5, reward=5.0)
    published(brand, at=NOW - timedelta(days=1), rate=0.02)
    response = site.get(reverse("analytics:export", args=[brand.pk]) + "?data=sandbox&days=7")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[1] for row in rows[1:]] == ["Sandbox"]


def test_a_trend_title_that_looks_like_a_formula_is_not_run_by_a_spreadsheet(site, brand):
    published(
        brand, at=NOW - timedelta(days=1), rate=0.02, topic=trend('=HYPERLINK("http://evil.example","x")')
    )
    published(brand, at=NOW - timedelta(days=2), rate=0.02, topic=trend("-5% rates, +3 banks"))
    response = site.get(reverse("analytics:export", args=[brand.pk]) + "?days=7&data=real")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    titles = [row[6] for row in rows[1:]]
    assert titles == ["'-5% rates, +3 banks", '\'=HYPERLINK("http://evil.example","x")']


# --- the staff page ------------------------------------------------------------------------------------------


def test_staff_see_the_platform_analytics(client, brand):
    some_posts(brand, 4)
    published(brand, at=NOW - timedelta(days=1), platform="sandbox", rate=0.5, reward=5.0)
    client.force_login(StaffFactory())
    html = page_with_fragments(client, reverse("analytics:staff"))
    assert "Platform analytics" in html
    assert 'id="an-rate-real">' in html and 'id="an-rate-sandbox">50.00%<' in html
    assert "Top trends" in html and "Phone ships" in html
    assert "Meme activity" in html and "No memes, votes or reactions in the last 30 days" in html
    assert 'data-chart="chart-published"' in html and 'data-chart="chart-rate"' in html
    assert f'href="{reverse("analytics:staff")}" aria-current="page">Analytics<' in html


def test_the_staff_page_is_not_found_for_everyone_else(client, site):
    assert site.get(reverse("analytics:staff")).status_code == 404
    anonymous = Client()
    assert anonymous.get(reverse("analytics:staff")).status_code == 302


def test_the_staff_pages_query_count_does_not_grow_with_the_data(
    client, brand, django_assert_max_num_queries
):
    client.force_login(StaffFactory())
    some_posts(brand, 3)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("analytics:staff")).status_code == 200
    some_posts(BrandFactory(), 50)
    some_posts(brand, 30, platform="sandbox")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("analytics:staff") + "?days=90").status_code == 200
