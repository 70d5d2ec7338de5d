"""Publishing in the browser: a brand user opens an approved post, schedules it a few seconds
ahead on the brand's clock, sees it on the calendar (and drags another scheduled post to a new
hour; a drop on the past is refused), then the real worker publishes it to the sandbox when the
dispatcher ticks: the "Live on Sandbox" toast arrives without a reload, the calendar chip turns
published, the post links to it, and the sandbox timeline shows it.

This module runs a server of its own on a Celery queue it names, so a stand-in for beat can send
the dispatcher's periodic task (`publishing.dispatch`) to that server's worker every second."""

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from apps.posts.models import Post, PostCopy, PostStatus
from apps.publishing.models import Publication, PublicationStatus
from apps.publishing.services import post_schedule
from tests.e2e.conftest import run_site_server, screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The beat stand-in sends to the broker on purpose, though this process runs its tasks eagerly.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

QUEUE = f"smai-e2e-publish-{time.time_ns()}"
PUBLISH_TIMEOUT_MS = 45_000
TEXT = "Euro transfers now land in ten seconds. What would you do with cash that arrives instantly?"
# Real zones with whole-hour offsets: the brand gets the one where it is closest to midday now,
# so that the week shows hours both past and still to come today, whenever the test runs.
ZONES = [
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/South_Georgia",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "Pacific/Noumea",
]


@pytest.fixture(scope="module")
def site_server(django_db_setup, django_db_blocker, tmp_path_factory, fake_oauth_server):
    with run_site_server(tmp_path_factory, fake_oauth_server, extra_env={"CELERY_QUEUE": QUEUE}) as server:
        yield server


@pytest.fixture
def dispatcher_ticks(site_server):
    """What `celery beat` does in production (apps/core/schedules.py): send `publishing.dispatch`
    to the worker every PUBLISH_DISPATCH_EVERY seconds; here every second, to this server's queue."""
    from project.celery import app

    stop = threading.Event()

    def tick():
        while not stop.is_set():
            app.send_task("publishing.dispatch", queue=QUEUE)
            stop.wait(1.0)

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=5)


def midday_zone() -> str:
    now = timezone.now()

    def from_midday(name: str) -> float:
        local = now.astimezone(ZoneInfo(name))
        return abs(local.hour + local.minute / 60 - 12.5)

    return min(ZONES, key=from_midday)


def ledgerly():
    user = BrandUserFactory(email="maya@ledgerly.example", display_name="Maya Chen")
    brand = BrandFactory(
        name="Ledgerly",
        timezone=midday_zone(),
        preferred_days=[1, 2, 3],
        preferred_time_windows=["09:00-11:00", "15:00-16:00"],
        primary_color="#0F766E",
        onboarding_completed_at=timezone.now(),
    )
    MembershipFactory(brand=brand, user=user)
    return user, brand


def approved(brand, text, user):
    post = Post.objects.create(
        brand=brand,
        tone="friendly",
        post_format="post",
        status=PostStatus.APPROVED,
        generation_state="ready",
        created_by=user,
        approved_by=user,
        approved_at=timezone.now(),
    )
    PostCopy.objects.create(post=post, platform="x", parts=[text], source="llm")
    return post


def test_schedule_a_post_see_it_on_the_calendar_and_watch_it_go_live_on_the_sandbox(
    page, site_server, dispatcher_ticks
):
    if not settings.USE_REDIS:
        pytest.skip("needs a real worker and a channel layer shared between processes (Redis)")
    user, brand = ledgerly()
    zone = ZoneInfo(brand.timezone)
    post = approved(brand, TEXT, user)
    # Another post already on the calendar later today, to drag around.
    local_now = timezone.now().astimezone(zone)
    later = local_now.replace(minute=15, second=0, microsecond=0) + timedelta(hours=4)
    other = approved(brand, "Three things to check before instant payments reach your invoices.", user)
    post_schedule(post=other, user=user, at=later.astimezone(UTC))
    moving = Publication.objects.get(post=other)

    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))
    page.goto(f"/posts/{post.pk}/")
    panel = page.locator("#publish-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".when-zone")).to_contain_text(brand.timezone)
    expect(panel.get_by_label("Sandbox (simulated)")).to_be_checked()
    expect(panel.locator(".time-chip").first).to_be_visible()
    expect(panel.locator(".publish-queue-slot")).to_contain_text("next free preferred slot")
    screenshot(page, "publish-panel-approved")

    # A best-time chip fills the date and time; then the time of our choosing, a few seconds ahead.
    chip = panel.locator(".time-chip").first
    chip.click()
    expect(panel.locator("input[name=date]")).to_have_value(chip.get_attribute("data-fill-date"))
    expect(panel.locator("input[name=time]")).to_have_value(chip.get_attribute("data-fill-time"))
    # A time in the past is refused next to the field, and what was typed stays.
    past = timezone.now().astimezone(zone) - timedelta(hours=1)
    panel.locator("input[name=date]").fill(f"{past:%Y-%m-%d}")
    panel.locator("input[name=time]").fill(f"{past:%H:%M}")
    panel.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator("#publish-when_error")).to_contain_text("has already passed")
    expect(page.locator("#publish-panel input[name=time]")).to_have_value(f"{past:%H:%M}")

    at = (timezone.now() + timedelta(seconds=25)).astimezone(zone)
    panel = page.locator("#publish-panel")
    panel.locator("input[name=date]").fill(f"{at:%Y-%m-%d}")
    panel.locator("input[name=time]").fill(f"{at:%H:%M:%S}")
    panel.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator("#publish-panel .publish-notice")).to_contain_text(
        f"Scheduled for {at:%a %-d %b %Y, %H:%M}"
    )
    expect(page.locator("#post-status")).to_have_text("Scheduled")
    publication = Publication.objects.get(post=post)
    assert publication.platform == "sandbox"
    assert abs((publication.scheduled_for - at).total_seconds()) < 1
    screenshot(page, "publish-panel-scheduled")

    # The calendar shows both posts at their brand-local hour.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    expect(page).to_have_url(re.compile(rf"/brand/{brand.pk}/calendar/$"))
    ours = page.locator(f"#cal-entry-{publication.pk}")
    expect(ours).to_be_visible()
    expect(ours).to_contain_text("Sandbox")
    expect(ours).to_contain_text("Euro transfers now land")
    cell = page.locator(f'td[data-drop-date="{at:%Y-%m-%d}"][data-drop-hour="{at.hour}"]')
    expect(cell.locator(f"#cal-entry-{publication.pk}")).to_be_visible()

    # Drag the other post two hours earlier (still to come: it is around midday there): it moves,
    # keeping its minutes.
    target = page.locator(f'td[data-drop-date="{later:%Y-%m-%d}"][data-drop-hour="{later.hour - 2}"]')
    page.locator(f"#cal-entry-{moving.pk}").drag_to(target)
    expect(page.locator("#calendar-body .cal-messages")).to_contain_text("Moved to")
    expect(target.locator(f"#cal-entry-{moving.pk}")).to_be_visible()
    moving.refresh_from_db()
    assert moving.scheduled_for.astimezone(zone) == later - timedelta(hours=2)
    # A drop on an hour already gone is refused with a message; the post stays.
    gone = page.locator(f'td[data-drop-date="{local_now:%Y-%m-%d}"][data-drop-hour="{local_now.hour - 2}"]')
    expect(gone).to_have_attribute("data-past", "1")
    page.locator(f"#cal-entry-{moving.pk}").drag_to(gone)
    expect(page.locator("#calendar-body .cal-messages")).to_contain_text("has already passed")
    assert Publication.objects.get(pk=moving.pk).scheduled_for == (later - timedelta(hours=2)).astimezone(UTC)
    screenshot(page, "calendar-week")

    # The dispatcher ticks, the real worker publishes to the sandbox, and the toast arrives live.
    toast = page.locator("#toasts .toast", has_text="Live on Sandbox")
    expect(toast).to_be_visible(timeout=PUBLISH_TIMEOUT_MS)
    expect(toast).to_contain_text("Euro transfers now land")
    # The calendar refreshes itself: the chip is published and no longer draggable.
    chip = page.locator(f"#cal-entry-{publication.pk}")
    expect(chip).to_have_class(re.compile(r"cal-chip-published"), timeout=15_000)
    expect(chip).not_to_have_attribute("draggable", "true")
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PUBLISHED
    screenshot(page, "calendar-week-published")

    page.locator(".cal-views").get_by_role("link", name="Month").click()
    expect(page.locator(f"#cal-entry-{publication.pk}")).to_be_visible()
    expect(page.locator(".cal-month")).to_be_visible()
    screenshot(page, "calendar-month")

    # The post page links to it, and the sandbox timeline shows it.
    page.goto(f"/posts/{post.pk}/")
    link = page.locator("#publish-panel").get_by_role("link", name="View in sandbox")
    expect(link).to_have_attribute("href", publication.external_url)
    expect(page.locator("#post-status")).to_have_text("Published")
    screenshot(page, "publish-panel-published")
    page.goto(f"/brand/{brand.pk}/sandbox/")
    expect(page.locator(".sbx-feed")).to_contain_text("Euro transfers now land in ten seconds.")
    screenshot(page, "sandbox-timeline-after-publish")
    # The posts list: its batch bar schedules, queues or publishes the ticked posts.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Posts").click()
    expect(page.locator(".batch-publish")).to_contain_text(brand.timezone)
    screenshot(page, "posts-list-batch-publish")
    assert datetime.now(UTC) - publication.published_at < timedelta(minutes=2)
