"""Every time a signed-in person sees is on one clock: a brand user's is the brand's, an
influencer's (and an operator's) their own; the zone is named where a time stands alone."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from apps.brands.middleware import TimeZoneMiddleware, request_brand
from apps.posts.models import Post
from apps.publishing.models import Publication, PublicationStatus
from tests.factories import BrandFactory, BrandUserFactory, InfluencerFactory, MembershipFactory
from tests.publishing.ui_fixtures import approved_post, post_page, sandbox_of
from tests.trends.conftest import make_trend

pytestmark = pytest.mark.django_db

# 7 Dec 2026, 16:57 UTC is 17:57 in Berlin (CET, UTC+1).
CREATED = datetime(2026, 12, 7, 16, 57, tzinfo=UTC)


@pytest.fixture
def berlin():
    return BrandFactory(name="Glühwein & Co", timezone="Europe/Berlin", onboarding_completed_at=CREATED)


@pytest.fixture
def member(berlin):
    user = BrandUserFactory()
    MembershipFactory(brand=berlin, user=user)
    return user


@pytest.fixture
def browser(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def december():
    with time_machine.travel(datetime(2026, 12, 7, 17, 0, tzinfo=UTC), tick=False):
        yield


def zone_seen_by(user, session: dict | None = None) -> str:
    """The zone a view sees as current when `user` asks for a page."""
    request = RequestFactory().get("/")
    request.user = user
    request.session = session or {}
    seen = []
    TimeZoneMiddleware(lambda r: seen.append(timezone.get_current_timezone_name()))(request)
    return seen[0]


def test_a_brand_users_pages_run_on_the_brands_clock(member):
    assert zone_seen_by(member) == "Europe/Berlin"


def test_a_brand_user_on_their_second_brand_sees_that_brands_clock(member):
    tokyo = BrandFactory(timezone="Asia/Tokyo")
    MembershipFactory(brand=tokyo, user=member)
    assert zone_seen_by(member, {"current_brand_id": tokyo.pk}) == "Asia/Tokyo"


def test_a_brand_user_without_a_brand_yet_sees_their_own_clock(db):
    user = BrandUserFactory(timezone="America/Chicago")
    assert zone_seen_by(user) == "America/Chicago"


def test_an_influencer_sees_their_own_clock(db):
    assert zone_seen_by(InfluencerFactory(timezone="Asia/Kolkata")) == "Asia/Kolkata"


def test_an_unknown_stored_zone_reads_as_utc(db):
    assert zone_seen_by(InfluencerFactory(timezone="Mars/Olympus_Mons")) == "UTC"


def test_the_zone_is_let_go_after_the_request(member):
    zone_seen_by(member)
    assert timezone.get_current_timezone_name() == "UTC"


def test_the_current_brand_is_looked_up_once_per_request(member, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user, request.session = member, {}
    with django_assert_num_queries(1):
        first = request_brand(request)
        again = request_brand(request)
    assert first == again


def test_the_post_page_shows_created_and_publish_times_on_one_clock(browser, berlin, december):
    post = approved_post(berlin)
    Post.objects.filter(pk=post.pk).update(created_at=CREATED)
    Publication.objects.create(
        post=post,
        brand=berlin,
        connection=sandbox_of(berlin),
        platform="sandbox",
        copy_platform="x",
        status=PublicationStatus.SCHEDULED,
        scheduled_for=datetime(2026, 12, 7, 16, 59, tzinfo=UTC),
        due_at=datetime(2026, 12, 7, 16, 59, tzinfo=UTC),
    )
    html = post_page(browser, post)
    assert "Created <time" in html and "7 Dec 2026, 17:57 CET</time>" in html
    assert "Mon 7 Dec 2026, 17:59 CET" in html  # the publish panel
    assert "16:57" not in html and "16:59" not in html


def test_the_post_page_uses_the_posts_brand_even_when_the_session_is_on_another(
    browser, member, berlin, december
):
    tokyo = BrandFactory(timezone="Asia/Tokyo")
    MembershipFactory(brand=tokyo, user=member)
    session = browser.session
    session["current_brand_id"] = tokyo.pk
    session.save()
    post = approved_post(berlin)
    Post.objects.filter(pk=post.pk).update(created_at=CREATED)
    html = browser.get(reverse("posts:review", args=[post.pk])).content.decode()
    assert "7 Dec 2026, 17:57 CET" in html


def test_the_trend_page_shows_its_times_on_the_brands_clock(browser, berlin, december):
    trend = make_trend("Christmas markets open")
    html = browser.get(reverse("trends:detail", args=[trend.pk]) + f"?brand={berlin.pk}").content.decode()
    first_seen = timezone.localtime(trend.first_seen_at, timezone.get_fixed_timezone(60))
    assert f"First {first_seen:%-d %b, %H:%M} CET" in html
    assert "Refresh <span" in html and "(CET)" in html


def test_an_influencer_can_choose_their_zone_in_account_settings(db):
    influencer = InfluencerFactory()
    browser = Client()
    browser.force_login(influencer)
    response = browser.post(
        reverse("accounts:settings"),
        {"display_name": "Ines", "email_notifications": "on", "timezone": "Europe/Lisbon"},
    )
    assert response.status_code == 302
    influencer.refresh_from_db()
    assert influencer.timezone == "Europe/Lisbon"


def test_an_unknown_zone_is_refused_in_account_settings(db):
    influencer = InfluencerFactory()
    browser = Client()
    browser.force_login(influencer)
    response = browser.post(
        reverse("accounts:settings"), {"display_name": "Ines", "timezone": "Mars/Olympus_Mons"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    influencer.refresh_from_db()
    assert influencer.timezone == "UTC"


def test_the_zone_is_not_looked_up_until_a_time_is_shown(member, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user, request.session = member, {}

    def page_without_times(request):
        with django_assert_num_queries(0):
            return "nothing timed"

    TimeZoneMiddleware(page_without_times)(request)


def test_summer_and_winter_times_get_their_own_offsets_on_the_brands_clock(member):
    request = RequestFactory().get("/")
    request.user, request.session = member, {}
    shown = []

    def page(request):
        for moment in (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), datetime(2026, 12, 1, 12, 0, tzinfo=UTC)):
            local = timezone.localtime(moment)
            shown.append(f"{local:%H:%M} {local.tzname()}")

    TimeZoneMiddleware(page)(request)
    assert shown == ["14:00 CEST", "13:00 CET"]


def test_a_time_typed_on_the_readers_clock_pickles_with_the_zone_not_the_request(member):
    request = RequestFactory().get("/")
    request.user, request.session = member, {}
    made = []
    TimeZoneMiddleware(lambda r: made.append(timezone.make_aware(datetime(2026, 12, 24, 18, 0))))(request)
    restored = pickle.loads(pickle.dumps(made[0]))  # noqa: S301 (our own bytes)
    assert restored == datetime(2026, 12, 24, 17, 0, tzinfo=UTC)
    assert str(restored.tzinfo) == "Europe/Berlin"
