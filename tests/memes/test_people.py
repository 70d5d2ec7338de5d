"""Who made a meme, as the public sees it: a real name and avatar, never the email or a "?"."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from apps.collaborations.models import InfluencerProfile
from apps.memes import generation, people, services
from tests.factories import InfluencerFactory, UserFactory


def make(template, user, texts=("top", "bottom")):
    spec = generation.spec_from_input(template=template, texts=list(texts))
    return services.meme_create(user=user, spec=spec, size="thumbnail", is_public=True)[0]


def byline(html: str) -> str:
    found = re.search(r'<strong class="meme-author">(.*?)</strong>', html)
    return found.group(1) if found else ""


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "#cc6633").save(buffer, "PNG")
    return buffer.getvalue()


def influencer(slug: str, *, email: str, public=True, photo=True, display_name="") -> InfluencerProfile:
    user = InfluencerFactory(email=email, display_name=display_name)
    profile = InfluencerProfile(user=user, slug=slug, is_public=public)
    if photo:
        profile.photo.save("me.png", ContentFile(png()), save=False)
    profile.save()
    return profile


def test_a_new_member_without_a_name_gets_a_made_up_one_and_not_their_email(client, starter):
    user = UserFactory(email="jane.doe.private@example.com", display_name="")
    make(starter["this-is-fine"], user)

    html = client.get("/memes/").content.decode()

    assert byline(html) == people.made_up_name(user.pk)
    assert "jane.doe" not in html and "A member" not in html


def test_a_made_up_name_is_the_same_every_time_and_differs_between_members():
    names = {people.made_up_name(pk) for pk in range(1, 51)}
    assert people.made_up_name(7) == people.made_up_name(7)
    assert len(names) >= 48
    assert all(re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+ \d\d", name) for name in names)


def test_the_avatar_shows_initials_on_a_colour_of_the_members_own_not_a_question_mark(client, starter):
    sam, other_sam = UserFactory(display_name="Sam Reyes"), UserFactory(display_name="Sam Rivera")
    make(starter["this-is-fine"], sam, ("one", "x"))
    make(starter["this-is-fine"], other_sam, ("two", "x"))

    html = client.get("/memes/").content.decode()

    avatars = re.findall(
        r'<span class="avatar meme-avatar" style="background: ([^"]+)"[^>]*>(\w+)</span>', html
    )
    assert sorted(avatars) == sorted(
        [(people.avatar_colour(sam.pk), "SR"), (people.avatar_colour(other_sam.pk), "SR")]
    )
    assert ">?</span>" not in html


def test_avatar_colours_differ_between_members():
    """360 hues from a hash of the id: two members rarely share one (a pair of ids may, so the
    test counts over many ids rather than over the two a test happens to create)."""
    colours = [people.avatar_colour(pk) for pk in range(1, 51)]
    assert people.avatar_colour(7) == people.avatar_colour(7)
    assert len(set(colours)) >= 45


def test_a_chosen_display_name_is_shown(client, starter):
    make(starter["this-is-fine"], UserFactory(display_name="Maya Maker"))
    html = client.get("/memes/").content.decode()
    assert byline(html) == "Maya Maker" and ">MM</span>" in html


def test_an_influencer_with_a_public_profile_shows_their_handle_and_photo(client, starter):
    profile = influencer("ivy-creates", email="ivy.chen@example.com")
    make(starter["this-is-fine"], profile.user)

    html = client.get("/memes/").content.decode()

    assert byline(html) == "@ivy-creates"
    assert re.search(
        r'<img class="avatar meme-avatar meme-avatar-photo" src="/influencer/@ivy-creates/photo\?v=\d+"', html
    )
    assert client.get("/influencer/@ivy-creates/photo").status_code == 200


@pytest.mark.parametrize("handle", ["ivychen", "ivy-chen", "ivychen-2"])
def test_a_handle_that_spells_the_email_is_neither_shown_nor_used_for_the_photo(client, starter, handle):
    profile = influencer(handle, email="ivy.chen@example.com")
    make(starter["this-is-fine"], profile.user)

    html = client.get("/memes/").content.decode()

    assert byline(html) == people.made_up_name(profile.user.pk)
    assert handle not in html and "ivy.chen" not in html


def test_a_private_influencer_profile_is_not_linked(client, starter):
    profile = influencer("ivy-creates", email="ivy.chen@example.com", public=False)
    make(starter["this-is-fine"], profile.user)

    html = client.get("/memes/").content.decode()

    assert "ivy-creates" not in html and byline(html) == people.made_up_name(profile.user.pk)


def test_a_meme_page_shows_the_same_public_name(client, starter):
    user = UserFactory(email="jane.doe.private@example.com", display_name="")
    meme = make(starter["this-is-fine"], user)

    html = client.get(f"/memes/{meme.pk}/").content.decode()

    assert byline(html) == people.made_up_name(user.pk) and "jane.doe" not in html


def test_the_api_names_the_author_the_same_way(client, starter):
    user = UserFactory(email="jane.doe.private@example.com", display_name="")
    make(starter["this-is-fine"], user)

    data = client.get("/api/v1/memes/latest").json()

    assert data["results"][0]["author"] == people.made_up_name(user.pk)


@pytest.mark.parametrize("path", ["/memes/", "/memes/trending/"])
def test_visitors_read_what_trending_means_in_words_not_as_a_formula(client, db, path):
    html = client.get(path).content.decode()

    box = re.search(r'id="trending-formula">(.*?)</section>', html, re.S).group(1)
    assert "up votes count for a meme" in box and "Newer memes get a head start" in box
    for formula in ("log10", "sign(", "max(", "×"):
        assert formula not in box
