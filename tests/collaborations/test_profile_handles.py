"""Influencer names and handles: never taken from the email, chosen and changed by the influencer,
unique whatever the case, old handles redirecting (301) to the current one."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from apps.collaborations.models import InfluencerHandle, InfluencerProfile
from apps.collaborations.services import influencer_profile_get_or_create, influencer_profile_update
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db

EDIT_URL = reverse("collaborations:profile_edit")


def save(profile, **changes) -> InfluencerProfile:
    values = {
        "bio": profile.bio,
        "audience_roles": profile.audience_roles,
        "audience_industries": profile.audience_industries,
        "audience_geographies": profile.audience_geographies,
        "is_public": profile.is_public,
    }
    return influencer_profile_update(profile=profile, **{**values, **changes})


def page(slug: str) -> str:
    return reverse("collaborations:public_profile", args=[slug])


def test_a_new_profiles_handle_and_name_come_from_the_chosen_name():
    user = InfluencerFactory(email="ivy.chen1987@gmail.com", display_name="Ivy Creates")
    profile = influencer_profile_get_or_create(user=user)
    assert (profile.slug, profile.display_name) == ("ivy-creates", "Ivy Creates")


def test_without_a_chosen_name_the_handle_is_a_random_creator_handle_not_the_email():
    user = InfluencerFactory(email="ivy.chen1987@gmail.com", display_name="")
    profile = influencer_profile_get_or_create(user=user)
    assert profile.slug.startswith("creator-") and len(profile.slug) == len("creator-") + 6
    assert "ivy" not in profile.slug and "chen" not in profile.slug


def test_the_public_page_never_shows_the_emails_local_part(client):
    user = InfluencerFactory(email="ivy.chen1987@gmail.com", display_name="")
    profile = influencer_profile_get_or_create(user=user)
    html = client.get(page(profile.slug)).content.decode()
    assert "ivy.chen1987" not in html and "ivy-chen1987" not in html
    assert f"@{profile.slug}" in html


def test_the_influencer_chooses_name_and_handle_in_the_editor(client, influencer):
    client.force_login(influencer)
    profile = influencer_profile_get_or_create(user=influencer)
    client.post(EDIT_URL, {"display_name": "Ivy Writes", "handle": "@Ivy-Writes", "bio": ""})
    profile.refresh_from_db()
    assert (profile.display_name, profile.slug) == ("Ivy Writes", "ivy-writes")
    html = client.get(page("ivy-writes")).content.decode()
    assert "<h1>Ivy Writes</h1>" in html and "@ivy-writes" in html


def test_the_old_handle_redirects_permanently_to_the_new_one(client, influencer):
    profile = influencer_profile_get_or_create(user=influencer)
    old = profile.slug
    save(profile, handle="ivy-writes")
    response = client.get(page(old))
    assert response.status_code == 301 and response["Location"] == page("ivy-writes")
    photo = client.get(reverse("collaborations:profile_photo", args=[old]))
    assert photo.status_code == 301 and photo["Location"] == reverse(
        "collaborations:profile_photo", args=["ivy-writes"]
    )


def test_a_handle_typed_in_another_case_redirects_to_the_lower_case_address(client, influencer):
    profile = save(influencer_profile_get_or_create(user=influencer), handle="ivy-writes")
    response = client.get("/influencer/@Ivy-Writes/")
    assert response.status_code == 301 and response["Location"] == page(profile.slug)


def test_a_handle_is_unique_whatever_its_case(client, influencer):
    other = influencer_profile_get_or_create(user=InfluencerFactory())
    save(other, handle="ivy-writes")
    client.force_login(influencer)
    response = client.post(EDIT_URL, {"display_name": "Ivy", "handle": "IVY-Writes", "bio": ""})
    assert "@ivy-writes is taken" in response.content.decode()


def test_someone_elses_old_handle_stays_theirs(client, influencer):
    other = influencer_profile_get_or_create(user=InfluencerFactory())
    save(other, handle="ivy-writes")
    save(other, handle="ivy-writes-more")
    client.force_login(influencer)
    response = client.post(EDIT_URL, {"display_name": "Ivy", "handle": "ivy-writes", "bio": ""})
    assert "@ivy-writes is taken" in response.content.decode()
    assert client.get(page("ivy-writes"))["Location"] == page("ivy-writes-more")


def test_an_influencer_may_take_back_their_own_old_handle(influencer):
    profile = influencer_profile_get_or_create(user=influencer)
    first = profile.slug
    save(profile, handle="ivy-writes")
    save(profile, handle=first)
    assert profile.slug == first
    assert list(InfluencerHandle.objects.filter(profile=profile).values_list("slug", flat=True)) == [
        "ivy-writes"
    ]


@pytest.mark.parametrize(
    "handle", ["iv", "-ivy", "ivy-", "ivy chen", "ivy_chen", "ivy.chen", "a" * 31, "admin"]
)
def test_a_handle_that_is_not_a_clean_slug_is_refused(client, influencer, handle):
    client.force_login(influencer)
    before = influencer_profile_get_or_create(user=influencer).slug
    response = client.post(EDIT_URL, {"display_name": "Ivy", "handle": handle, "bio": ""})
    assert response.status_code == 200 and 'id="id_handle_error"' in response.content.decode()
    assert InfluencerProfile.objects.get(user=influencer).slug == before


def test_an_old_handle_of_a_private_profile_is_not_found(client, influencer):
    profile = influencer_profile_get_or_create(user=influencer)
    old = profile.slug
    save(profile, handle="ivy-writes", is_public=False)
    assert client.get(page(old)).status_code == 404  # it would give the new handle away


# --- The migration of handles that were the email's local part ---------------------------------


def migrate_handles():
    module = importlib.import_module("apps.collaborations.migrations.0003_handles_not_from_email")
    module.forwards(apps, None)


def test_the_migration_replaces_handles_made_from_the_email():
    named = InfluencerFactory(email="ivy.chen1987@gmail.com", display_name="Ivy Creates")
    unnamed = InfluencerFactory(email="sam@example.com", display_name="")
    InfluencerProfile.objects.create(user=named, slug="ivychen1987")
    InfluencerProfile.objects.create(user=unnamed, slug="sam-2")
    migrate_handles()
    assert InfluencerProfile.objects.get(user=named).slug == "ivy-creates"
    assert InfluencerProfile.objects.get(user=unnamed).slug.startswith("creator-")
    # The email-made handles are not kept as redirects.
    assert not InfluencerHandle.objects.exists()


def test_the_migration_keeps_handles_chosen_or_made_from_a_name_and_fills_the_public_name():
    user = InfluencerFactory(email="ivy.chen1987@gmail.com", display_name="Ivy Creates")
    InfluencerProfile.objects.create(user=user, slug="ivy-creates")
    migrate_handles()
    profile = InfluencerProfile.objects.get(user=user)
    assert (profile.slug, profile.display_name) == ("ivy-creates", "Ivy Creates")
