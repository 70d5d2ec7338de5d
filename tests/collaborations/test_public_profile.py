"""The public influencer page: who may see it, what it shows, and its photo."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from apps.collaborations.services import influencer_profile_update, influencer_set_follower_count
from tests.collaborations.conftest import png_upload
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db


def fill(profile, **overrides):
    values = {
        "bio": "Payments, fraud and the people who fight it.",
        "audience_roles": ["CFOs", "Risk analysts"],
        "audience_industries": ["Fintech"],
        "audience_geographies": ["UK", "Nordics"],
        "is_public": True,
    }
    values.update(overrides)
    return influencer_profile_update(profile=profile, **values)


def url(profile):
    return reverse("collaborations:public_profile", args=[profile.slug])


def test_the_public_page_is_served_at_the_at_slug_address(profile):
    assert url(profile) == f"/influencer/@{profile.slug}/"


def test_an_anonymous_visitor_sees_a_public_profile(client, profile):
    fill(profile)
    influencer_set_follower_count(profile=profile, platform="x", count=4200, verified=True)
    influencer_set_follower_count(profile=profile, platform="youtube", count=800)
    SocialAccount.objects.create(
        user=profile.user, provider="twitter_oauth2", uid="7", extra_data={"username": "ivy_writes"}
    )
    response = client.get(url(profile))
    html = response.content.decode()
    assert response.status_code == 200
    assert profile.user.name in html
    assert "Payments, fraud and the people who fight it." in html
    for tag in ("CFOs", "Risk analysts", "Fintech", "UK", "Nordics"):
        assert f">{tag}<" in html
    assert "4,200" in html and "800" in html and "5,000" in html  # per platform and the total
    assert "✓ Verified" in html and "Unverified" in html
    assert "@ivy_writes" in html


def test_a_new_influencer_shows_a_new_badge_and_what_it_means(client, profile):
    html = client.get(url(profile)).content.decode()
    assert ">New<" in html
    assert "no completed collaborations" in html


def test_a_reputation_score_is_shown_once_there_is_one(client, profile):
    profile.reputation_score = "87.50"
    profile.save()
    html = client.get(url(profile)).content.decode()
    assert "87.5" in html
    assert ">New<" not in html


def test_without_a_photo_the_page_shows_initials(client):
    person = InfluencerFactory(display_name="Ivy Chen")
    from apps.collaborations.services import influencer_profile_get_or_create

    profile = influencer_profile_get_or_create(user=person)
    html = client.get(url(profile)).content.decode()
    assert ">IC</span>" in html
    assert "profile_photo" not in html and "/photo?" not in html


def test_platforms_without_followers_are_not_listed(client, profile):
    influencer_set_follower_count(profile=profile, platform="tiktok", count=0)
    html = client.get(url(profile)).content.decode()
    assert "TikTok" not in html
    assert "No follower counts yet." in html


def test_a_private_profile_is_not_found_for_visitors_and_other_users(client, profile):
    fill(profile, is_public=False)
    assert client.get(url(profile)).status_code == 404
    client.force_login(InfluencerFactory())
    assert client.get(url(profile)).status_code == 404


def test_the_owner_may_preview_their_private_profile(client, profile):
    fill(profile, is_public=False)
    client.force_login(profile.user)
    response = client.get(url(profile))
    assert response.status_code == 200
    assert b"Your profile is private." in response.content


def test_an_unknown_slug_is_not_found(client, db):
    assert client.get("/influencer/@nobody-here/").status_code == 404


def test_the_photo_of_a_public_profile_is_public(client, profile):
    fill(profile, photo=png_upload())
    html = client.get(url(profile)).content.decode()
    photo_url = reverse("collaborations:profile_photo", args=[profile.slug])
    assert photo_url in html
    assert f'alt="Photo of {profile.user.name}"' in html
    response = client.get(photo_url)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]


def test_the_photo_of_a_private_profile_is_not_found(client, profile):
    fill(profile, photo=png_upload(), is_public=False)
    assert client.get(reverse("collaborations:profile_photo", args=[profile.slug])).status_code == 404


def test_a_profile_without_a_photo_has_no_photo_address(client, profile):
    assert client.get(reverse("collaborations:profile_photo", args=[profile.slug])).status_code == 404


def test_the_public_page_query_count_does_not_grow_with_the_data(
    client, profile, django_assert_max_num_queries
):
    fill(profile, audience_roles=[f"role {i}" for i in range(20)])
    for platform in ("x", "linkedin", "instagram", "tiktok", "youtube"):
        influencer_set_follower_count(profile=profile, platform=platform, count=1000)
    for i in range(6):
        SocialAccount.objects.create(
            user=profile.user, provider="linkedin", uid=str(i), extra_data={"userinfo": {"name": f"Ivy {i}"}}
        )
    with django_assert_max_num_queries(5):  # + reputation history and delivered reach
        response = client.get(url(profile))
    assert response.status_code == 200
