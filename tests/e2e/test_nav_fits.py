"""The top bar at laptop widths (1366 and 1280 px) for each role: every main-nav link is shown whole
(none cut to "Make a me"), the calendar is no wider than the header and footer, and the meme
maker's trend select shows its whole first option. Wide pages (calendar, meme maker) line up
with the header and footer. Screenshots: test-artifacts/nav-*.png."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import (
    BrandFactory,
    BrandUserFactory,
    InfluencerFactory,
    MembershipFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def site_server(meme_site_server):
    return meme_site_server  # the meme maker needs the starter templates' images


WIDTHS = (1366, 1280)

# Each link of the main nav, the nav itself and the top bar: their boxes and whether the nav
# scrolls (its links would then be cut at its edge, as "Make a me" was).
NAV_BOXES = """() => {
  const nav = document.querySelector('.mainnav');
  const bar = document.querySelector('.topbar-inner');
  const box = (el) => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right}; };
  return {
    nav: box(nav),
    bar: box(bar),
    navScroll: nav.scrollWidth, navClient: nav.clientWidth,
    barScroll: bar.scrollWidth, barClient: bar.clientWidth,
    pageScroll: document.documentElement.scrollWidth, viewport: window.innerWidth,
    links: [...nav.querySelectorAll('a')].map((a) => ({
      text: a.textContent.trim(), ...box(a), scroll: a.scrollWidth, client: a.clientWidth,
    })),
  };
}"""


def assert_nav_fits(page, who: str, width: int) -> list[str]:
    found = page.evaluate(NAV_BOXES)
    assert found["navScroll"] <= found["navClient"], f"{who} at {width}px: the nav scrolls ({found})"
    assert found["barScroll"] <= found["barClient"], f"{who} at {width}px: the top bar overflows"
    assert found["pageScroll"] <= found["viewport"], f"{who} at {width}px: the page scrolls sideways"
    for link in found["links"]:
        assert link["left"] >= found["nav"]["left"] - 0.5, f"{who} at {width}px: {link['text']} is cut"
        assert link["right"] <= found["nav"]["right"] + 0.5, f"{who} at {width}px: {link['text']} is cut"
        assert link["scroll"] <= link["client"], f"{who} at {width}px: {link['text']} is clipped"
    return [link["text"] for link in found["links"]]


@pytest.fixture
def brand_owner():
    user = BrandUserFactory(email="olga@northwind.example", display_name="Olga Wintersteen-Marchetti")
    brand = BrandFactory(name="Northwind Analytics", onboarding_completed_at=timezone.now())
    MembershipFactory(brand=brand, user=user, role="owner")
    return user


def test_a_brand_owners_nav_fits_at_laptop_widths(page, brand_owner):
    log_in(page, brand_owner.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 860})
        page.goto("/brand/")
        links = assert_nav_fits(page, "brand owner", width)
        assert links == [
            "Dashboard",
            "Posts",
            "New",
            "Calendar",
            "Learning",
            "Analytics",
            "Influencers",
            "Memes",
            "Make a meme",
        ]
        screenshot(page, f"nav-brand-{width}")


def test_an_influencers_nav_fits_at_laptop_widths(page):
    influencer = InfluencerFactory(display_name="Ivy Chen-Abernathy")
    log_in(page, influencer.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 860})
        page.goto("/memes/")
        links = assert_nav_fits(page, "influencer", width)
        assert links == ["Offers", "Analytics", "Profile", "Memes", "Make a meme"]
        screenshot(page, f"nav-influencer-{width}")


def test_a_staff_members_nav_fits_at_laptop_widths(page):
    staff = StaffFactory(display_name="Sam Operator-Lindqvist")
    log_in(page, staff.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 860})
        page.goto("/memes/")
        links = assert_nav_fits(page, "staff", width)
        assert links == ["Trends", "Analytics", "Admin", "Memes", "Make a meme", "Moderation"]
        screenshot(page, f"nav-staff-{width}")


WIDE_EDGES = """(sel) => {
  const inner = (q) => {
    const el = document.querySelector(q), r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return {left: r.left + parseFloat(s.paddingLeft), right: r.right - parseFloat(s.paddingRight)};
  };
  const r = document.querySelector(sel).getBoundingClientRect();
  return {content: {left: r.left, right: r.right}, header: inner('.topbar-inner'), footer: inner('.footer-inner')};
}"""


def assert_lines_up_with_header_and_footer(page, sel: str, width: int) -> None:
    edges = page.evaluate(WIDE_EDGES, sel)
    for part in ("header", "footer"):
        assert abs(edges["content"]["left"] - edges[part]["left"]) <= 1, (sel, width, part, edges)
        assert abs(edges["content"]["right"] - edges[part]["right"]) <= 1, (sel, width, part, edges)


def test_the_calendar_lines_up_with_the_header_and_footer(page, brand_owner):
    log_in(page, brand_owner.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 860})
        page.goto("/calendar/")
        expect(page.locator(".calendar")).to_be_visible()
        assert_lines_up_with_header_and_footer(page, ".calendar", width)
        screenshot(page, f"nav-calendar-{width}")


# The trend select's chosen option against the room its box gives the text (the arrow sits in
# the right padding): the text's width measured in the select's own font.
SELECT_FIT = """(sel) => {
  const el = document.querySelector(sel), s = getComputedStyle(el);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
  const text = el.options[el.selectedIndex].text;
  return {
    text, needed: ctx.measureText(text).width,
    room: el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight),
  };
}"""


def test_the_meme_makers_trend_select_shows_its_whole_first_option(page, brand_owner, meme_starter):
    from tests.trends.conftest import make_trend

    # A long trend title makes the widest option; the chosen one must still be readable.
    make_trend("Regulators approve instant euro payments for every bank in the union from January")
    log_in(page, brand_owner.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 860})
        page.goto("/memes/make/?template=this-is-fine")
        expect(page.locator("#caption-trend")).to_be_visible()
        fit = page.evaluate(SELECT_FIT, "#caption-trend")
        assert fit["text"] == "No trend — everyday topics"
        assert fit["needed"] <= fit["room"], f"at {width}px the select cuts its text: {fit}"
        assert_nav_fits(page, "brand owner on the meme maker", width)
        assert_lines_up_with_header_and_footer(page, ".maker", width)
        screenshot(page, f"nav-maker-{width}")
