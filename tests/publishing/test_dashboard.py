"""The brand dashboard's publishing and performance cards: the next publications in the brand's
time zone, and the last 30 days with the model's state."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from apps.learning.models import PolicyModel
from apps.publishing.models import Publication, PublicationStatus
from apps.publishing.services import post_schedule
from tests.publishing.ui_fixtures import (  # noqa: F401 (the fixtures)
    BEFORE_NOVEMBER,
    approved_post,
    member_fixture,
    nyc_fixture,
    site_fixture,
    utc,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def october():
    with time_machine.travel(BEFORE_NOVEMBER, tick=False):  # Tue 20 Oct 2026, 08:00 in New York
        yield


def dashboard(site) -> str:
    return site.get(reverse("brands:dashboard")).content.decode()


def test_the_scheduled_queue_lists_the_next_publications_in_brand_time(site, nyc):
    assert "Nothing scheduled. Approved posts you schedule appear here" in dashboard(site)
    later = approved_post(nyc, "Later one")
    sooner = approved_post(nyc, "Sooner one")
    post_schedule(post=later, user=None, at=utc(2026, 10, 22, 14, 0))
    post_schedule(post=sooner, user=None, at=utc(2026, 10, 21, 13, 30))
    html = dashboard(site)
    queue = html.split("<h2>Scheduled queue</h2>", 1)[1].split("</section>", 1)[0]
    assert "Nothing scheduled" not in queue
    assert queue.index("Wed 21 Oct, 09:30") < queue.index("Thu 22 Oct, 10:00")  # New York time
    assert f"/posts/{sooner.pk}/" in queue and f"/posts/{later.pk}/" in queue
    assert "Times in America/New_York." in queue


def test_the_last_30_days_strip_appears_once_something_is_published(site, nyc):
    assert "Last 30 days" not in dashboard(site)
    post = approved_post(nyc, "Out already")
    (publication,) = post_schedule(post=post, user=None, at=utc(2026, 10, 21, 13, 30))
    Publication.objects.filter(pk=publication.pk).update(
        status=PublicationStatus.PUBLISHED,
        published_at=utc(2026, 10, 19, 13, 0),
        impressions=1200,
        likes=30,
        engagement_rate=0.025,
        reward=2.5,
    )
    PolicyModel.objects.create(brand=nyc, mode="bandit")
    html = dashboard(site)
    strip = html.split('aria-label="Last 30 days"', 1)[1].split("</section>", 1)[0]
    assert "1,200" in strip and "2.5%" in strip.replace(" ", "") and "2.50" in strip
    assert "Early days" in strip and "bandit" not in strip.lower()
    assert "Avg performance score" in strip and "reward" not in strip.lower()
    assert "What is the performance score?" in strip
    assert reverse("analytics:brand", args=[nyc.pk]) in strip


def test_the_dashboards_queries_do_not_grow_with_publications(site, nyc, django_assert_max_num_queries):
    def fill(count: int) -> None:
        for i in range(count):
            post = approved_post(nyc, f"Post {i}")
            (publication,) = post_schedule(post=post, user=None, at=utc(2026, 10, 21 + i % 5, 13, 0))
            if i % 2:
                Publication.objects.filter(pk=publication.pk).update(
                    status=PublicationStatus.PUBLISHED,
                    published_at=utc(2026, 10, 10 + i % 9, 13, 0),
                    reward=1.0,
                )

    fill(2)
    with django_assert_max_num_queries(30) as few:
        site.get(reverse("brands:dashboard"))
    fill(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        site.get(reverse("brands:dashboard"))
