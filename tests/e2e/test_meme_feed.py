"""The live meme feed, as people use it in two browsers: one makes a meme and votes, the other
watches it appear and its score change without a reload; staff hide it and it disappears."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import InfluencerFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def site_server(meme_site_server):
    return meme_site_server


def wait_for_feed_socket(page):
    # htmx's ws extension opens the socket after load; the page marks the feed's socket open.
    page.wait_for_function("() => document.getElementById('meme-live').dataset.live === 'open'")


def test_a_new_meme_its_votes_and_its_removal_reach_another_browser_live(new_page, meme_starter):
    maker = InfluencerFactory(display_name="Mia Maker")
    watcher = InfluencerFactory(display_name="Walt Watcher")
    staff = StaffFactory(display_name="Sam Staff")
    page1, page2 = new_page(), new_page()
    log_in(page1, maker.email)
    log_in(page2, watcher.email)
    for page in (page1, page2):
        expect(page).to_have_url(re.compile(r"/influencer/"))
        page.goto("/memes/")
        wait_for_feed_socket(page)
    expect(page2.get_by_text("No memes yet — make the first one")).to_be_visible()

    # User 1 makes a public meme on the maker page and lands on its page.
    page1.goto("/memes/make/?template=this-is-fine")
    texts = page1.locator("input[name=text]")
    texts.nth(0).fill("When the e2e test")
    texts.nth(1).fill("runs live")
    public = page1.locator("input[name=is_public]")
    if not public.is_checked():
        public.check()
    page1.get_by_role("button", name="Create meme").click()
    expect(page1).to_have_url(re.compile(r"/memes/\d+/$"))
    meme_id = int(re.search(r"/memes/(\d+)/$", page1.url).group(1))
    wait_for_feed_socket(page1)

    # User 2 sees it arrive on top of the feed, without a reload.
    card = page2.locator(f"#meme-{meme_id}")
    expect(card).to_be_visible()
    expect(page2.locator("#feed-latest > article").first).to_have_id(f"meme-{meme_id}")
    expect(card.locator("img")).to_have_attribute("alt", re.compile("When the e2e test / runs live"))
    expect(page2.get_by_text("No memes yet — make the first one")).to_be_hidden()
    page2.wait_for_function(
        f"() => document.querySelector('#meme-{meme_id} img').naturalWidth > 0"
    )  # the image is really served

    # User 1 votes up on the meme's page; user 2 sees the score change.
    page1.get_by_role("button", name="Vote up").click()
    expect(page1.locator(f"#meme-{meme_id}-score")).to_have_text("1")
    expect(page1.get_by_role("button", name="Vote up")).to_have_attribute("aria-pressed", "true")
    expect(page2.locator(f"#meme-{meme_id}-score")).to_have_text("1")

    # User 2 reacts from the live card (its buttons work) and keeps their own pressed state while
    # user 1's reaction changes the count.
    laugh = card.get_by_role("button", name="laugh")
    laugh.click()
    expect(laugh).to_have_attribute("aria-pressed", "true")
    expect(page2.locator(f"#meme-{meme_id}-react-laugh")).to_have_text("1")
    expect(page1.locator(f"#meme-{meme_id}-react-laugh")).to_have_text("1")
    page1.get_by_role("button", name="laugh").click()
    expect(page2.locator(f"#meme-{meme_id}-react-laugh")).to_have_text("2")
    expect(laugh).to_have_attribute("aria-pressed", "true")
    screenshot(page2, "meme-feed-live-card")

    # Staff hide it from their own feed: it leaves user 2's feed and user 1's page says so.
    page3 = new_page()
    log_in(page3, staff.email)
    page3.goto("/memes/")
    wait_for_feed_socket(page3)
    staff_card = page3.locator(f"#meme-{meme_id}")
    staff_card.get_by_text("Staff", exact=True).click()
    staff_card.get_by_label("Reason (optional)").fill("Testing the hide button.")
    staff_card.get_by_role("button", name="Hide from the feed").click()
    expect(page3.locator(f"#meme-{meme_id}")).to_have_count(0)
    expect(page2.locator(f"#meme-{meme_id}")).to_have_count(0)
    expect(page1.get_by_text("This meme was removed")).to_be_visible()

    page2.reload()
    expect(page2.locator(f"#meme-{meme_id}")).to_have_count(0)
    page3.goto("/memes/moderation/")
    expect(page3.locator(f"#hidden-{meme_id}")).to_contain_text("Testing the hide button.")


def test_anonymous_visitors_watch_the_feed_and_are_sent_to_log_in_to_vote(new_page, meme_starter):
    author = InfluencerFactory(display_name="Ann Author")
    visitor, page_author = new_page(), new_page()
    visitor.goto("/memes/")
    wait_for_feed_socket(visitor)

    log_in(page_author, author.email)
    expect(page_author).to_have_url(re.compile(r"/influencer/"))
    page_author.goto("/memes/make/?template=two-buttons")
    page_author.locator("input[name=text]").nth(0).fill("Watch")
    page_author.locator("input[name=text]").nth(1).fill("Sign up")
    public = page_author.locator("input[name=is_public]")
    if not public.is_checked():
        public.check()
    page_author.get_by_role("button", name="Create meme").click()
    expect(page_author).to_have_url(re.compile(r"/memes/\d+/$"))
    meme_id = int(re.search(r"/memes/(\d+)/$", page_author.url).group(1))

    card = visitor.locator(f"#meme-{meme_id}")
    expect(card).to_be_visible()
    card.get_by_role("link", name="Log in to vote up").click()
    expect(visitor).to_have_url(re.compile(r"/accounts/login/\?next=/memes/"))


def test_after_a_reconnect_the_feed_fetches_what_it_missed(new_page, meme_starter, monkeypatch):
    from apps.memes import events
    from apps.memes.generation import spec_from_input
    from apps.memes.models import MemeTemplate
    from apps.memes.services import meme_create

    visitor = new_page()
    visitor.goto("/memes/")
    wait_for_feed_socket(visitor)
    # A meme made while this page's socket is down: its live event never reaches the page.
    monkeypatch.setattr(events, "meme_published", lambda meme_id: None)
    author = InfluencerFactory(display_name="Offline Olga")
    template = MemeTemplate.objects.get(slug="this-is-fine")
    spec = spec_from_input(template=template, texts=["Made while", "you were offline"])
    meme, _ = meme_create(user=author, spec=spec, is_public=True)
    visitor.evaluate("() => htmx.trigger(document.getElementById('meme-live'), 'htmx:wsClose')")
    expect(visitor.locator(f"#meme-{meme.pk}")).to_have_count(0)
    # The socket comes back: the list is fetched again and the missed meme is there.
    visitor.evaluate("() => htmx.trigger(document.getElementById('meme-live'), 'htmx:wsOpen')")
    expect(visitor.locator(f"#meme-{meme.pk}")).to_be_visible()
    expect(visitor.locator("#feed-latest > article").first).to_have_id(f"meme-{meme.pk}")


def test_visitors_see_each_makers_public_name_and_avatar_and_trending_in_words(page, meme_starter):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image, ImageDraw

    from apps.collaborations.models import InfluencerProfile
    from apps.memes.generation import spec_from_input
    from apps.memes.models import MemeTemplate
    from apps.memes.people import made_up_name
    from apps.memes.services import meme_create
    from tests.factories import UserFactory

    newcomer = UserFactory(email="jane.doe.private@example.com", display_name="")
    ivy = InfluencerFactory(email="ivy.chen@example.com", display_name="")
    photo = Image.new("RGB", (96, 96), "#f4b183")
    ImageDraw.Draw(photo).ellipse((24, 18, 72, 66), fill="#8a4b2a")
    buffer = io.BytesIO()
    photo.save(buffer, "PNG")
    profile = InfluencerProfile(user=ivy, slug="ivy-creates", is_public=True)
    profile.photo.save("ivy.png", ContentFile(buffer.getvalue()), save=False)
    profile.save()
    maya = UserFactory(display_name="Maya Maker")
    template = MemeTemplate.objects.get(slug="this-is-fine")
    for author, texts in (
        (newcomer, ["First meme", "be gentle"]),
        (ivy, ["Creator", "life"]),
        (maya, ["Hi", "all"]),
    ):
        meme_create(user=author, spec=spec_from_input(template=template, texts=texts), is_public=True)

    page.goto("/memes/")

    bylines = page.locator(".meme-author")
    expect(bylines).to_have_text(["Maya Maker", "@ivy-creates", made_up_name(newcomer.pk)])
    expect(page.locator(".meme-avatar").nth(0)).to_have_text("MM")
    expect(page.locator(".meme-avatar").nth(2)).to_have_text(re.compile(r"^[A-Z]{2}$"))
    page.wait_for_function(
        "() => { const img = document.querySelector('img.meme-avatar-photo');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    body = page.locator("body")
    for hidden in ("jane.doe", "ivy.chen", "A member", "{#", "log10"):
        expect(body).not_to_contain_text(hidden)
    expect(page.locator("#trending-formula")).to_contain_text("Newer memes get a head start")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.meme-card-image img')].every(i => i.naturalWidth > 0)"
    )
    screenshot(page, "meme-feed-authors")


def test_a_visitor_sees_no_template_syntax_on_the_feed(page, meme_starter):
    # A two-line {# … #} at the top of the feed once reached every visitor as text.
    for path in ("/memes/", "/memes/trending/"):
        page.goto(path)
        expect(page.get_by_role("heading", name="Meme feed")).to_be_visible()
        text = page.locator("body").inner_text()
        assert not any(mark in text for mark in ("{#", "#}", "{%", "{{")), (path, text[:300])
