"""Brand onboarding in the browser: the whole wizard with a logo upload, logging out half-way and
resuming, the summary with the voice profile, then settings and inviting a member."""

import importlib
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from apps.brands.models import Brand, BrandInvitation, Industry
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandUserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SEEDED_INDUSTRIES = importlib.import_module(
    "apps.brands.migrations.0003_seed_industries_and_sandbox"
).INDUSTRIES

PAST_POSTS = [
    "Month-end close in days, not weeks. Here's how finance teams do it 👇 #fintech #finops",
    "We talked to 40 CFOs about month-end close. The top pain? Spreadsheets. #fintech",
    "New: automatic bank reconciliation for month-end close. Finance teams, this one's for you! #fintech",
]


def make_logo(path):
    """A logo with a clear main colour and an accent on a white background."""
    image = Image.new("RGB", (240, 240), (255, 255, 255))
    image.paste((15, 118, 110), (20, 20, 220, 160))  # teal block
    image.paste((245, 158, 11), (20, 175, 220, 220))  # amber bar
    image.save(path, format="PNG")
    return path


def next_button(page):
    return page.get_by_role("button", name="Next →")


def tags_entry(page, field_id):
    return page.locator(".field", has=page.locator(f"#{field_id}")).locator(".tags-entry")


def log_out(page):
    page.goto("/accounts/logout/")
    page.click("form button[type=submit]:visible")


def test_a_brand_walks_the_wizard_resumes_it_and_manages_settings_and_members(page, site_server, tmp_path):
    # Industries are seeded by a migration; transactional tests before this one may have flushed them.
    for slug, name, description, order in SEEDED_INDUSTRIES:
        Industry.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )
    user = BrandUserFactory(email="olivia@northwind.example", display_name="Olivia Park")
    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))

    # Creating the brand is step 1; the wizard opens at step 2.
    page.fill("input[name=name]", "Northwind Analytics")
    page.click("form button[type=submit]:has-text('Create brand')")
    expect(page).to_have_url(re.compile(r"/brand/\d+/onboarding/2/$"))
    brand = Brand.objects.get(name="Northwind Analytics")
    expect(page.get_by_role("heading", name="Which industry are you in?")).to_be_visible()
    expect(page.locator(".wizard-count")).to_have_text("Step 2 of 8")
    # Steps not reached yet are not links.
    expect(page.locator(".wizard-steps a", has_text="Preferences")).to_have_count(0)

    # 2: industry, as radio cards.
    page.locator("label.radio-card", has_text="Fintech").click()
    screenshot(page, "onboarding-step-2")
    next_button(page).click()

    # 3: logo and colours, suggested from the uploaded logo.
    expect(page).to_have_url(re.compile(r"/onboarding/3/$"))
    page.set_input_files("input[name=logo]", str(make_logo(tmp_path / "northwind-logo.png")))
    # the upload and the colour analysis take a few seconds on a busy CI machine
    expect(page.get_by_text("Suggested from your logo")).to_be_visible(timeout=20_000)
    expect(page.locator("#logo-preview img")).to_be_visible()
    swatches = page.locator("[data-swatch]")
    first, second = swatches.nth(0).get_attribute("data-swatch"), swatches.nth(1).get_attribute("data-swatch")
    swatches.nth(0).click()
    swatches.nth(1).click()
    expect(page.locator("#id_primary_color")).to_have_value(first)
    expect(page.locator("#id_secondary_color")).to_have_value(second)
    screenshot(page, "onboarding-step-3")
    next_button(page).click()

    # 4: messaging pillars, with "add pillar".
    expect(page).to_have_url(re.compile(r"/onboarding/4/$"))
    brand.refresh_from_db()
    assert brand.logo and (brand.primary_color, brand.secondary_color) == (first, second)
    pillars = page.locator("input[name=pillars]")
    expect(pillars).to_have_count(3)
    pillars.nth(0).fill("Month-end close in days, not weeks")
    pillars.nth(1).fill("Finance automation that auditors trust")
    page.get_by_role("button", name="+ Add pillar").click()
    expect(pillars).to_have_count(4)
    pillars.nth(3).fill("Built for growing finance teams")
    screenshot(page, "onboarding-step-4")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "onboarding-step-4-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    next_button(page).click()

    # 5: audience as tags; a missing role is explained next to the field.
    expect(page).to_have_url(re.compile(r"/onboarding/5/$"))
    next_button(page).click()
    expect(page.locator(".field.has-error", has=page.locator("#id_roles"))).to_contain_text(
        "Add at least one role"
    )
    screenshot(page, "onboarding-step-5-error")
    for tag in ("CFO", "Finance director"):
        tags_entry(page, "id_roles").fill(tag)
        tags_entry(page, "id_roles").press("Enter")
    tags_entry(page, "id_geographies").fill("Germany")
    tags_entry(page, "id_geographies").press("Enter")
    tags_entry(page, "id_company_sizes").fill("51-200")
    tags_entry(page, "id_company_sizes").press("Enter")
    expect(page.locator(".tag-chip", has_text="Finance director")).to_be_visible()
    screenshot(page, "onboarding-step-5")
    next_button(page).click()

    # 6: social accounts — the sandbox is always there. Log out here, half-way.
    expect(page).to_have_url(re.compile(r"/onboarding/6/$"))
    expect(page.get_by_text("Always connected")).to_be_visible()
    screenshot(page, "onboarding-step-6")
    log_out(page)

    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))
    setup_card = page.locator(".setup-card")
    expect(setup_card).to_contain_text("Continue setup — step 6 of 8: Social accounts")
    screenshot(page, "onboarding-resume-dashboard")
    setup_card.click()
    expect(page).to_have_url(re.compile(r"/onboarding/6/$"))
    # Connect X through the (fake) OAuth server: consent, then back on this step.
    page.click("[data-connect=x]")
    page.click("#approve")
    expect(page).to_have_url(re.compile(r"/onboarding/6/$"))
    expect(page.get_by_text("X account connected")).to_be_visible()
    expect(page.get_by_text("@northwind", exact=True)).to_be_visible()
    screenshot(page, "onboarding-step-6-x-connected")
    page.get_by_role("button", name="Continue").click()

    # 7: voice samples: import the X account's latest posts, then edit them.
    expect(page).to_have_url(re.compile(r"/onboarding/7/$"))
    page.click("#import-from-x")
    expect(page.get_by_text("Imported 5 latest posts")).to_be_visible()
    samples = page.locator("textarea[name=samples]")
    expect(samples.nth(0)).to_have_value(re.compile("Open banking"))
    for i in range(3):
        samples.nth(i).fill(PAST_POSTS[i])
    for i in range(3, 5):
        samples.nth(i).fill("")
    screenshot(page, "onboarding-step-7")
    next_button(page).click()

    # 8: preferences; the time zone starts as the browser's.
    expect(page).to_have_url(re.compile(r"/onboarding/8/$"))
    page.context.new_cdp_session(page).send("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Berlin"})
    page.reload()
    expect(page.locator("select[name=timezone]")).to_have_value("Europe/Berlin")
    page.fill("input[name=posts_per_week]", "4")
    page.locator("label.day-chip", has_text="Fri").click()  # Mon to Fri preselected: drop Friday
    page.locator("label.radio-card", has_text="Witty").click()
    screenshot(page, "onboarding-step-8")
    page.get_by_role("button", name="Finish setup").click()

    # The summary, with the voice profile in words.
    expect(page).to_have_url(re.compile(r"/onboarding/done/$"))
    expect(page.get_by_role("heading", name="Northwind Analytics is ready")).to_be_visible()
    expect(page.locator(".voice-card")).to_contain_text("Typical post: about")
    expect(page.locator(".voice-card")).to_contain_text("Recurring phrases")
    expect(page.get_by_text("Monday, Tuesday, Wednesday, Thursday")).to_be_visible()
    expect(page.locator(".summary-identity img")).to_be_visible()
    screenshot(page, "onboarding-done")
    brand.refresh_from_db()
    assert brand.is_onboarded
    assert (brand.timezone, brand.default_tone, brand.posts_per_week) == ("Europe/Berlin", "witty", 4)

    # Settings: change the audience's geographies; the section confirms in place.
    page.get_by_role("link", name="Edit in settings").click()
    expect(page.get_by_role("heading", name="Brand settings")).to_be_visible()
    tags_entry(page, "id_geographies").fill("Austria")
    tags_entry(page, "id_geographies").press("Enter")
    page.get_by_role("button", name="Save target audience").click()
    expect(page.locator("section#audience")).to_contain_text("Target audience saved.")
    brand.refresh_from_db()
    assert brand.audience_geographies == ["Germany", "Austria"]
    screenshot(page, "brand-settings")

    # Members: invite an editor by email.
    page.get_by_role("link", name="Members").first.click()
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    page.fill("input[name=email]", "ed@northwind.example")
    page.select_option("#id_role", "editor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to ed@northwind.example as editor.")).to_be_visible()
    expect(page.locator("table", has_text="ed@northwind.example")).to_be_visible()
    message = site_server.wait_for_email("ed@northwind.example")
    assert "Northwind Analytics" in message["Subject"]
    assert BrandInvitation.objects.filter(brand=brand, email="ed@northwind.example").exists()
    screenshot(page, "brand-members")
