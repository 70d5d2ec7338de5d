"""`request.brand`: the brand a browser session works on, set by the brands middleware for every
app's views, and looked up only when a view reads it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from apps.brands.middleware import CurrentBrandMiddleware
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def brand_seen_by(user, session: dict | None = None):
    request = RequestFactory().get("/")
    request.user, request.session = user, session or {}
    seen = []
    CurrentBrandMiddleware(lambda r: seen.append(r.brand))(request)
    return seen[0]


def test_a_members_request_carries_their_brand():
    user = BrandUserFactory()
    brand = BrandFactory()
    MembershipFactory(brand=brand, user=user)
    assert brand_seen_by(user) == brand


def test_the_session_picks_which_of_their_brands():
    user = BrandUserFactory()
    first, second = BrandFactory(), BrandFactory()
    MembershipFactory(brand=first, user=user)
    MembershipFactory(brand=second, user=user)
    assert brand_seen_by(user, {"current_brand_id": second.pk}) == second


def test_no_brand_reads_as_falsy_for_someone_signed_out_or_without_one():
    assert not brand_seen_by(AnonymousUser())
    assert not brand_seen_by(BrandUserFactory())


def test_a_view_that_does_not_read_the_brand_costs_no_query(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user, request.session = BrandUserFactory(), {}
    with django_assert_num_queries(0):
        CurrentBrandMiddleware(lambda r: None)(request)


def test_the_nav_links_follow_the_sessions_brand(client):
    user = BrandUserFactory()
    brand = BrandFactory()
    MembershipFactory(brand=brand, user=user)
    client.force_login(user)
    assert client.get(reverse("publishing:calendar_current")).url == reverse(
        "publishing:calendar", args=[brand.pk]
    )
