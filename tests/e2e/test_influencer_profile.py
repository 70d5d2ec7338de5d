"""An influencer fills in the profile in the browser; a visitor sees the public page."""

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from apps.collaborations.models import InfluencerProfile
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db(transaction=True)

BIO = (
    "I write about payments, fraud and the finance teams who fight it. "
    "Weekly threads on what changed in fintech and why it matters to CFOs."
)


def portrait(path):
    """A small portrait-like PNG: a face on a coloured background."""
    image = Image.new("RGB", (320, 320), (224, 231, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 190, 280, 420), fill=(67, 56, 202))
    draw.ellipse((100, 60, 220, 180), fill=(251, 207, 172))
    image.save(path, format="PNG")
    return path


def add_tags(page, label: str, tags: list[str]):
    entry = page.get_by_label(f"{label} (press Enter to add)")
    for tag in tags:
        entry.fill(tag)
        entry.press("Enter")


def test_influencer_fills_the_profile_and_a_visitor_sees_the_public_page(new_page, site_server, tmp_path):
    person = InfluencerFactory(email="ivy@creates.example", display_name="Ivy Chen")
    # An X account linked earlier (the OAuth flow is tested with the fake X server elsewhere):
    # X reports the follower count, which the profile shows as verified.
    SocialAccount.objects.create(
        user=person,
        provider="twitter_oauth2",
        uid="1001",
        extra_data={"id": "1001", "username": "ivy_writes", "public_metrics": {"followers_count": 12480}},
    )

    page = new_page()
    log_in(page, person.email)
    expect(page).to_have_url(re.compile(r"/influencer/$"))
    expect(page.get_by_text("No offers yet")).to_be_visible()
    expect(page.get_by_text("40% complete")).to_be_visible()  # the linked account and its count
    page.get_by_role("link", name="Complete your profile", exact=True).click()
    expect(page).to_have_url(re.compile(r"/influencer/profile/$"))

    # The verified count from X is there and cannot be typed over.
    x_row = page.locator("#follower-row-x")
    expect(x_row.get_by_text("Verified")).to_be_visible()
    expect(x_row.locator("input")).to_be_disabled()
    expect(x_row.locator("input")).to_have_value("12,480")

    page.set_input_files("input[name=photo]", str(portrait(tmp_path / "ivy.png")))
    expect(page.locator("#photo-preview img")).to_be_visible()  # previewed before saving
    page.fill("textarea[name=bio]", BIO)
    expect(page.locator("#bio-count")).to_contain_text(f"{len(BIO)} / 1,000")
    add_tags(page, "Audience roles", ["CFOs", "Founders"])
    add_tags(page, "Audience industries", ["Fintech", "SaaS"])
    add_tags(page, "Audience geographies", ["UK", "Nordics"])

    # A follower count saves inline when the box is left (HTMX), with the total updated.
    page.fill("input[name=followers_linkedin]", "3400")
    page.locator("input[name=followers_linkedin]").press("Tab")
    linkedin_row = page.locator("#follower-row-linkedin")
    expect(linkedin_row.get_by_text("Saved")).to_be_visible()
    expect(linkedin_row.get_by_text("entered by you")).to_be_visible()
    expect(page.locator("#follower-total")).to_contain_text("15,880")
    # A bad count gets its message in its row.
    page.fill("input[name=followers_youtube]", "-3")
    page.locator("input[name=followers_youtube]").press("Tab")
    expect(page.locator("#follower-row-youtube")).to_contain_text("cannot be negative")
    page.fill("input[name=followers_youtube]", "920")

    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.locator("#photo-preview img")).to_have_attribute("src", re.compile(r"/photo\?v="))
    expect(page.locator("#follower-total")).to_contain_text("16,800")
    expect(page.get_by_text("100% complete")).to_be_visible()
    share_url = page.locator("#share-url").input_value()
    assert share_url.endswith("/influencer/@ivy-chen/")
    screenshot(page, "influencer-profile-editor")

    profile = InfluencerProfile.objects.get(user=person)
    assert profile.bio == BIO
    assert profile.audience_roles == ["CFOs", "Founders"]
    assert profile.audience_industries == ["Fintech", "SaaS"]
    assert profile.audience_geographies == ["UK", "Nordics"]
    assert profile.follower_counts["linkedin"]["count"] == 3400
    assert profile.follower_counts["youtube"]["count"] == 920
    assert profile.follower_counts["x"] | {"updated_at": None} == {
        "count": 12480,
        "verified": True,
        "updated_at": None,
    }
    assert profile.photo

    page.get_by_role("link", name="View public page").first.click()
    expect(page).to_have_url(re.compile(r"/influencer/@ivy-chen/$"))
    expect_public_profile(page)
    expect(page.get_by_text("This is your public profile")).to_be_visible()

    # A visitor who is not signed in (a browser context of its own) sees the same page.
    visitor = new_page()
    visitor.goto(share_url)
    expect_public_profile(visitor)
    expect(visitor.get_by_role("link", name="Log in")).to_be_visible()
    expect(visitor.get_by_text("This is your public profile")).to_have_count(0)
    screenshot(visitor, "influencer-public-profile")


def expect_public_profile(page):
    expect(page.get_by_role("heading", name="Ivy Chen")).to_be_visible()
    expect(page.get_by_text(BIO)).to_be_visible()
    for tag in ("CFOs", "Founders", "Fintech", "SaaS", "UK", "Nordics"):
        expect(page.locator(".chips").get_by_text(tag, exact=True)).to_be_visible()
    reach = page.locator(".reach-list")
    expect(reach).to_contain_text("12,480")
    expect(reach).to_contain_text("3,400")
    expect(reach).to_contain_text("920")
    expect(reach.locator(".reach-total")).to_contain_text("16,800")
    expect(reach.get_by_text("✓ Verified", exact=True)).to_have_count(1)
    expect(reach.get_by_text("Unverified", exact=True)).to_have_count(2)
    expect(page.get_by_text("@ivy_writes")).to_be_visible()
    expect(page.locator(".badge-new").first).to_be_visible()
    photo = page.get_by_role("img", name="Photo of Ivy Chen")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 320


def test_a_failed_save_keeps_the_photo_and_a_new_handle_redirects_the_old_one(
    new_page, site_server, tmp_path
):
    # No display name at sign-up: the first handle must not be the email's local part.
    person = InfluencerFactory(email="ivy.chen1987@creates.example", display_name="")
    page = new_page()
    log_in(page, person.email)
    page.goto(f"{site_server.url}/influencer/profile/")
    first_handle = page.locator("input[name=handle]").input_value()
    assert re.fullmatch(r"creator-[a-z0-9]{6}", first_handle), first_handle
    expect(page.locator(".profile-layout")).not_to_contain_text("ivy.chen1987")

    page.fill("input[name=display_name]", "Ivy Chen")
    page.fill("input[name=handle]", "Ivy-Chen")
    page.set_input_files("input[name=photo]", str(portrait(tmp_path / "ivy.png")))
    page.fill("textarea[name=bio]", BIO)
    add_tags(page, "Audience roles", ["CFOs"])
    page.fill("input[name=followers_youtube]", "25k")
    page.fill("input[name=followers_instagram]", "lots")
    page.get_by_role("button", name="Save profile").click()

    # Refused for the one bad count; everything else is still there, the photo too.
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved yet")
    expect(page.get_by_role("alert")).to_contain_text("the photo you chose too")
    expect(page.locator("#follower-row-instagram")).to_contain_text("like 12400, 12,400, 25k or 1.2M")
    expect(page.locator("#photo-preview img")).to_have_attribute(
        "src", re.compile(r"^data:image/png;base64,")
    )
    expect(page.locator("#photo-kept")).to_be_visible()
    expect(page.locator("textarea[name=bio]")).to_have_value(BIO)
    expect(page.locator("input[name=display_name]")).to_have_value("Ivy Chen")
    expect(page.locator("input[name=handle]")).to_have_value("Ivy-Chen")
    screenshot(page, "influencer-profile-failed-save-keeps-photo")

    page.fill("input[name=followers_instagram]", "1.2M")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.locator("#photo-preview img")).to_have_attribute("src", re.compile(r"/@ivy-chen/photo\?v="))
    assert page.locator("#share-url").input_value().endswith("/influencer/@ivy-chen/")
    profile = InfluencerProfile.objects.get(user=person)
    assert profile.photo and (profile.slug, profile.display_name) == ("ivy-chen", "Ivy Chen")
    assert profile.follower_counts["youtube"]["count"] == 25_000
    assert profile.follower_counts["instagram"]["count"] == 1_200_000

    # A link to the first handle still works: it lands on the new address.
    visitor = new_page()
    visitor.goto(f"{site_server.url}/influencer/@{first_handle}/")
    expect(visitor).to_have_url(re.compile(r"/influencer/@ivy-chen/$"))
    expect(visitor.get_by_role("heading", name="Ivy Chen")).to_be_visible()
    expect(visitor.locator("body")).not_to_contain_text("ivy.chen1987")
    screenshot(visitor, "influencer-public-profile-new-handle")
