"""The influencer portal home: offers empty state and the profile completeness card."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from apps.collaborations.models import InfluencerProfile
from apps.collaborations.selectors import initials
from apps.collaborations.services import influencer_profile_update, influencer_set_follower_count
from tests.collaborations.conftest import png_upload
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

HOME = reverse("collaborations:home")


def test_the_first_visit_creates_the_profile_and_shows_zero_percent(client, influencer):
    client.force_login(influencer)
    html = client.get(HOME).content.decode()
    assert InfluencerProfile.objects.filter(user=influencer).exists()
    assert "No offers yet" in html
    assert "0% complete" in html
    assert "Complete your profile" in html
    assert reverse("collaborations:profile_edit") in html


def test_completeness_counts_each_part_of_the_profile(client, influencer, profile):
    client.force_login(influencer)
    influencer_profile_update(
        profile=profile,
        bio="Hello",
        audience_roles=["CTOs"],
        audience_industries=[],
        audience_geographies=[],
        is_public=True,
        photo=png_upload(),
    )
    assert "60% complete" in client.get(HOME).content.decode()
    influencer_set_follower_count(profile=profile, platform="x", count=10)
    assert "80% complete" in client.get(HOME).content.decode()
    SocialAccount.objects.create(user=influencer, provider="linkedin", uid="1", extra_data={})
    html = client.get(HOME).content.decode()
    assert "100% complete" in html
    assert "Edit your profile" in html


def test_the_home_links_to_the_public_page(client, influencer, profile):
    client.force_login(influencer)
    html = client.get(HOME).content.decode()
    assert reverse("collaborations:public_profile", args=[profile.slug]) in html


def test_the_home_query_count_is_bounded(client, influencer, profile, django_assert_max_num_queries):
    NotificationFactory.create_batch(8, user=influencer)
    for i in range(4):
        SocialAccount.objects.create(user=influencer, provider="linkedin", uid=str(i), extra_data={})
    client.force_login(influencer)
    client.get(HOME)
    # 6, and the offers inbox summary (direct offers, open calls: two queries).
    with django_assert_max_num_queries(8):
        assert client.get(HOME).status_code == 200


@pytest.mark.parametrize(
    "name,expected",
    [("Ivy Chen", "IC"), ("ivy.chen", "IC"), ("madonna", "M"), ("Jean-Luc van Damme", "JV"), ("", "?")],
)
def test_initials_for_the_avatar_without_a_photo(name, expected):
    assert initials(name) == expected
