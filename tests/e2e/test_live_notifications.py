"""Notifications appear in every open page of their user without a reload."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from apps.notifications.services import notification_create
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandUserFactory, InfluencerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_socket(page):
    # htmx's ws extension opens the socket after load; its "open" event marks the page ready.
    page.wait_for_function("() => document.body.dataset.live === 'open'")


def test_notification_created_server_side_appears_in_the_open_page(new_page, site_server):
    if not settings.USE_REDIS:
        pytest.skip("needs a channel layer shared between processes (Redis); runs in CI")
    user = BrandUserFactory()
    page = new_page()
    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))
    wait_for_socket(page)

    # As a worker or another web process would: Playwright keeps an event loop in this thread.
    def create():
        try:
            notification_create(
                user=user, title="Your post is live on X", body="Northwind: 5 tips", url="/brand/"
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(create).result()

    expect(page.locator(".toast")).to_contain_text("Your post is live on X")
    expect(page.locator("#unread-count")).to_have_text("1")
    screenshot(page, "live-notification-toast")


def test_a_notification_reaches_every_open_tab_and_not_other_users(new_page, site_server):
    user, stranger = InfluencerFactory(), InfluencerFactory()
    tab1, tab2, other = new_page(), new_page(), new_page()
    log_in(tab1, user.email)
    # A second browser context is a second device of the same user.
    log_in(tab2, user.email)
    log_in(other, stranger.email)
    for page in (tab1, tab2, other):
        page.goto("/notifications/")
        wait_for_socket(page)

    tab2.click("#send-test")

    for page in (tab1, tab2):
        expect(page.locator(".toast")).to_contain_text("Test notification")
        expect(page.locator("#notification-page-list")).to_contain_text("Test notification")
        expect(page.locator("#unread-count")).to_have_text("1")
    expect(other.locator(".toast")).to_have_count(0)
    screenshot(tab1, "notifications-page-live")

    tab1.locator("#notification-page-list button:has-text('Mark read')").first.click()
    expect(tab1.locator("#unread-count")).to_be_hidden()
