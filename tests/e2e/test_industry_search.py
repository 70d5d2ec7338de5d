"""Onboarding's industry step in the browser: two dozen industries, found by typing, and the
brand's own words for its industry saved with the choice; without JavaScript every card shows."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from apps.brands.models import Brand
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandUserFactory

pytestmark = pytest.mark.django_db(transaction=True)

INDUSTRIES = importlib.import_module("apps.brands.migrations.0006_industries_two_dozen")


def at_industry_step(page, email):
    # Seeded by a migration; transactional tests before this one may have flushed them.
    INDUSTRIES.seed(django_apps, None)
    user = BrandUserFactory(email=email)
    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))
    page.fill("input[name=name]", "Bean There Coffee")
    page.click("form button[type=submit]:has-text('Create brand')")
    expect(page).to_have_url(re.compile(r"/brand/\d+/onboarding/2/$"))
    return Brand.objects.get(name="Bean There Coffee")


def test_a_coffee_brand_finds_its_industry_by_typing_and_describes_it(page, site_server):
    brand = at_industry_step(page, "maya@beanthere.example")
    cards = page.locator("#industry-list label.radio-card")
    expect(cards).to_have_count(len(INDUSTRIES.INDUSTRIES))
    search = page.get_by_role("searchbox", name="Search industries")
    expect(search).to_be_visible()

    search.fill("coffee")
    visible = page.locator("#industry-list label.radio-card:visible")
    expect(visible).to_have_count(1)
    expect(visible.first).to_contain_text("Food & beverage")
    expect(page.locator("#industry-search-status")).to_have_text("1 industry matches.")
    visible.first.click()
    page.get_by_label("Describe your industry").fill("Specialty coffee roasting and cafés for offices")
    screenshot(page, "onboarding-industry-search")

    search.fill("zeppelin")
    expect(page.locator("#industry-search-status")).to_have_text(
        "No industry matches. Pick Other and describe yours below."
    )
    # The chosen card stays in sight whatever is typed.
    expect(page.locator("#industry-list label.radio-card:visible")).to_have_count(1)
    search.fill("")
    expect(cards.locator("visible=true")).to_have_count(len(INDUSTRIES.INDUSTRIES))

    page.get_by_role("button", name="Next →").click()
    expect(page).to_have_url(re.compile(r"/onboarding/3/$"))
    brand.refresh_from_db()
    assert brand.industry.slug == "food-beverage"
    assert brand.industry_description == "Specialty coffee roasting and cafés for offices"


def test_without_javascript_every_industry_is_a_card_and_the_search_box_stays_hidden(browser, site_server):
    context = browser.new_context(
        base_url=site_server.url, viewport={"width": 1280, "height": 860}, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        at_industry_step(page, "noah@beanthere.example")
        expect(page.locator("[data-industry-search]")).to_be_hidden()
        expect(page.locator("#industry-list label.radio-card:visible")).to_have_count(
            len(INDUSTRIES.INDUSTRIES)
        )
        page.locator("label.radio-card", has_text="Restaurants & hospitality").click()
        screenshot(page, "onboarding-industry-no-js")
        page.get_by_role("button", name="Next →").click()
        expect(page).to_have_url(re.compile(r"/onboarding/3/$"))
        assert Brand.objects.get(name="Bean There Coffee").industry.slug == "hospitality"
    finally:
        context.close()
