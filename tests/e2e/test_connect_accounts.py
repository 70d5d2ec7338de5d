"""Connecting X and LinkedIn in the browser: consent on the (fake) provider, back to the brand."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def brand_owner():
    user = BrandUserFactory()
    brand = BrandFactory(name="Northwind", created_by=user)
    MembershipFactory(brand=brand, user=user)
    return user, brand


def test_brand_connects_x_through_oauth_and_sees_it_linked(page, site_server):
    user, brand = brand_owner()
    log_in(page, user.email)
    page.goto(f"/brand/{brand.pk}/connections/")
    page.click("[data-connect=x]")
    expect(page.get_by_role("heading", name=re.compile("social-medAI wants to access"))).to_be_visible()
    page.click("#approve")
    expect(page).to_have_url(re.compile(rf"/brand/{brand.pk}/connections/$"))
    expect(page.get_by_text("X account connected")).to_be_visible()
    row = page.locator("tr", has_text="@northwind")
    expect(row).to_contain_text("Connected")
    screenshot(page, "connections-x-linked")

    row.get_by_role("button", name=re.compile("Import latest posts")).click()
    expect(page.get_by_text("Imported 5 latest posts")).to_be_visible()


def test_cancelling_linkedin_consent_returns_with_a_message_and_nothing_linked(page, site_server):
    user, brand = brand_owner()
    log_in(page, user.email)
    page.goto(f"/brand/{brand.pk}/connections/")
    page.click("[data-connect=linkedin]")
    page.click("#cancel")
    expect(page).to_have_url(re.compile(rf"/brand/{brand.pk}/connections/$"))
    expect(page.get_by_text("was cancelled")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)  # the sandbox only
    screenshot(page, "connections-cancelled")
