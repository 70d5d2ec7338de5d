"""Sign-up, verification, login and role separation, as a person does them in a browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, BrandUserFactory, InfluencerFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-Long-enough-passphrase-42"


def sign_up(page, email: str, role: str):
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", email)
    page.check(f"input[name=role][value={role}]")
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.click("form button[type=submit]:visible")


def log_in(page, email: str, password: str = PASSWORD):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]:visible")


def confirm_link(site_server, to: str) -> str:
    message = site_server.wait_for_email(to)
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/accounts/confirm-email/\S+/", body).group(0)


def test_brand_signs_up_verifies_email_logs_in_and_reaches_the_brand_portal(page, site_server):
    sign_up(page, "dana@northwind.example", "brand")
    expect(page.get_by_text("Verify your email", exact=False).first).to_be_visible()
    screenshot(page, "signup-verification-sent")

    # Not verified yet: login is held at the verification step.
    log_in(page, "dana@northwind.example", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    page.goto(confirm_link(site_server, "dana@northwind.example"))
    page.click("form button[type=submit]:visible")
    page.goto("/accounts/logout/")
    page.click("form button[type=submit]:visible")

    log_in(page, "dana@northwind.example", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/brand/$"))
    expect(page.get_by_role("heading", name=re.compile("set up your brand", re.I))).to_be_visible()
    screenshot(page, "brand-portal-empty")

    page.fill("input[name=name]", "Northwind Analytics")
    page.click("form button[type=submit]:has-text('Create brand')")
    expect(page.get_by_role("heading", name="Northwind Analytics")).to_be_visible()
    screenshot(page, "brand-portal")


def test_influencer_signs_up_and_reaches_the_influencer_portal(page, site_server):
    sign_up(page, "ivy@creates.example", "influencer")
    page.goto(confirm_link(site_server, "ivy@creates.example"))
    page.click("form button[type=submit]:visible")
    # Confirming in the browser that signed up logs the user in.
    page.goto("/portal/")
    expect(page).to_have_url(re.compile(r"/influencer/$"))
    expect(page.get_by_text("No offers yet")).to_be_visible()
    screenshot(page, "influencer-portal")


def test_sign_up_errors_are_shown_next_to_their_fields(page, site_server):
    BrandUserFactory(email="taken@example.com")
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "taken@example.com")
    page.fill("input[name=password1]", "password")
    page.fill("input[name=password2]", "password")
    page.click("form button[type=submit]:visible")
    expect(page.locator(".field.has-error", has=page.locator("input[name=email]"))).to_contain_text("already")
    expect(page.locator(".field.has-error", has=page.locator("input[name=role]"))).to_contain_text(
        "Choose Brand or Influencer"
    )
    expect(page.locator("input[name=email]")).to_have_value("taken@example.com")  # nothing typed is lost
    screenshot(page, "signup-errors")


def test_each_role_is_refused_the_other_roles_pages(new_page, site_server):
    brand_user, influencer = BrandUserFactory(), InfluencerFactory()

    brand_page = new_page()
    log_in(brand_page, brand_user.email)
    expect(brand_page).to_have_url(re.compile(r"/brand/$"))
    response = brand_page.goto("/influencer/")
    assert response.status == 403
    expect(brand_page.get_by_text("influencer accounts")).to_be_visible()
    screenshot(brand_page, "wrong-role")

    influencer_page = new_page()
    log_in(influencer_page, influencer.email)
    expect(influencer_page).to_have_url(re.compile(r"/influencer/$"))
    assert influencer_page.goto("/brand/").status == 403
    expect(influencer_page.get_by_text("brand accounts")).to_be_visible()
    assert influencer_page.goto("/admin/").url.endswith("/admin/login/?next=/admin/")
