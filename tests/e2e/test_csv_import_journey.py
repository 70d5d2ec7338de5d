"""Importing a month of posts from a spreadsheet in the browser: from the posts list to the
import page, a 20-row CSV with 2 bad rows (an unknown platform, a time the clocks skip in the
brand's London zone) shows its dry run with those rows' errors and nothing created; the fixed
file's dry run is clean; Import and schedule creates the 20 posts on the calendar, which shows
them in the month. Screenshots test-artifacts/csv-import-*.png."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.posts.models import Post, PostOrigin, PostStatus
from apps.publishing.models import Publication
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def month_after(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def spreadsheet(first: date, *, broken: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "platforms", "date", "time", "datetime", "text_2"])
    for i in range(20):
        day = first + timedelta(days=i + 2)
        row = [
            f"Tip {i + 1}: send the invoice the day the work is done.",
            "sandbox",
            f"{day}",
            "09:30",
            "",
            "",
        ]
        if i == 3:
            row[1] = "sandbox, myspace" if broken else "sandbox"
        if i == 10:
            row = [
                "Thread: three habits of teams that get paid on time.",
                "x",
                "2027-03-28" if broken else f"{day}",
                "01:30" if broken else "10:00",
                "",
                "Habit one: invoice the same day.",
            ]
        writer.writerow(row)
    return out.getvalue().encode()


def test_import_a_month_fix_the_bad_rows_and_the_calendar_fills(page, site_server):
    user = BrandUserFactory(email="maya@ledgerly.example", display_name="Maya Chen")
    brand = BrandFactory(name="Ledgerly", timezone="Europe/London", onboarding_completed_at=timezone.now())
    MembershipFactory(brand=brand, user=user)
    first = month_after(timezone.now().date())
    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))

    page.goto("/posts/")
    page.get_by_role("link", name="Import or export CSV").click()
    expect(page).to_have_url(re.compile(rf"/brand/{brand.pk}/posts/import/"))
    page.get_by_label("Approve and schedule them at their times").check()
    page.set_input_files(
        "#csv-file", {"name": "march.csv", "mimeType": "text/csv", "buffer": spreadsheet(first, broken=True)}
    )
    page.get_by_role("button", name="Check the file").click()

    counts = page.locator("#csv-plan-counts")
    expect(counts).to_contain_text("20 rows: 18 ready, 2 with errors")
    bad_platform = page.locator("tr[data-line='5']")
    expect(bad_platform).to_contain_text("Unknown platform: myspace.")
    gap = page.locator("tr[data-line='12']")
    expect(gap).to_contain_text("does not exist on Sunday, March 28 in Europe/London")
    expect(gap).to_contain_text("clocks jump from 1:00 to 2:00")
    expect(page.locator("tr.csv-row-bad")).to_have_count(2)
    expect(page.get_by_role("button", name="Import and schedule 18 posts")).to_be_visible()
    screenshot(page, "csv-import-dry-run-errors")
    assert not Post.objects.filter(brand=brand).exists()

    # Fix the file and check it again: every row is ready.
    page.set_input_files(
        "#csv-file", {"name": "march.csv", "mimeType": "text/csv", "buffer": spreadsheet(first, broken=False)}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(counts).to_contain_text("20 rows: 20 ready.")
    expect(page.locator("tr[data-line='12']")).to_contain_text("2/2")  # the X thread's parts
    page.get_by_role("button", name="Import and schedule 20 posts").click()
    expect(page.locator("#csv-summary")).to_have_text("20 posts scheduled.")
    screenshot(page, "csv-import-summary")

    posts = Post.objects.filter(brand=brand)
    assert posts.count() == 20
    assert set(posts.values_list("origin", "status")) == {(PostOrigin.IMPORTED, PostStatus.SCHEDULED)}
    assert Publication.objects.filter(brand=brand, status="scheduled").count() == 20

    page.get_by_role("link", name="See them on the calendar").click()
    expect(page).to_have_url(re.compile(rf"/brand/{brand.pk}/calendar/\?view=month&date={first:%Y-%m}"))
    in_month = [first + timedelta(days=i + 2) for i in range(20)]
    expected = sum(1 for d in in_month if d.month == first.month)
    expect(page.locator(".cal-chip")).to_have_count(expected)
    expect(page.locator(".cal-chip").first).to_contain_text("Tip 1: send the invoice")
    screenshot(page, "csv-import-calendar")
