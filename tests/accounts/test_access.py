"""Each role reaches its own portal and is refused the other's pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login_from_a_portal(client):
    response = client.get(reverse("brands:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_portal_redirect_follows_the_role(client, brand_user, influencer, staff):
    for user, target in [
        (brand_user, reverse("brands:dashboard")),
        (influencer, reverse("collaborations:home")),
        (staff, reverse("admin:index")),
    ]:
        client.force_login(user)
        assert client.get(reverse("portal")).url == target


def test_influencer_is_refused_the_brand_portal_with_a_page_not_a_trace(client, influencer):
    client.force_login(influencer)
    response = client.get(reverse("brands:dashboard"))
    assert response.status_code == 403
    assert b"brand accounts" in response.content
    assert reverse("collaborations:home").encode() in response.content


def test_brand_user_is_refused_the_influencer_portal(client, brand_user):
    client.force_login(brand_user)
    response = client.get(reverse("collaborations:home"))
    assert response.status_code == 403
    assert b"influencer accounts" in response.content


def test_non_staff_cannot_reach_the_admin(client, brand_user):
    client.force_login(brand_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302  # the admin's own login, which refuses non-staff


def test_staff_reaches_the_admin_lists(client, staff, brand):
    client.force_login(staff)
    for name in [
        "admin:accounts_user_changelist",
        "admin:brands_brand_changelist",
        "admin:brands_brandmembership_changelist",
        "admin:notifications_notification_changelist",
        "admin:accounts_apitoken_changelist",
        "admin:brands_industry_changelist",
        "admin:brands_brandinvitation_changelist",
        "admin:brands_socialconnection_changelist",
        "admin:collaborations_influencerprofile_changelist",
    ]:
        assert client.get(reverse(name), {"q": "x"}).status_code == 200, name


def test_unknown_page_is_a_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"<html" in response.content


def test_expired_form_gets_a_friendly_403_page(brand_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(brand_user)
    page = client.post(reverse("brands:create"), {"name": "x"})
    assert page.status_code == 403
    assert b"Your form expired" in page.content


def test_wrong_role_page_names_the_users_own_role(client, influencer):
    client.force_login(influencer)
    response = client.get(reverse("brands:dashboard"))
    assert b"Influencer" in response.content
    assert influencer.email.encode() in response.content
