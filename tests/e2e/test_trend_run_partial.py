"""Staff → Trends in the browser: a run where a source failed reads "Partly succeeded" with the
reason, in amber, beside a failed run in red."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.trends.models import RunStatus, TrendRefreshRun
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_see_a_partly_succeeded_run_and_a_failed_one(page, site_server):
    now = timezone.now()
    TrendRefreshRun.objects.create(
        status=RunStatus.FAILED,
        started_at=now,
        finished_at=now,
        stage="Failed",
        error="No source returned anything (Reddit failed: name resolution; RSS returned no items). "
        "The trends were left as they were.",
    )
    TrendRefreshRun.objects.create(
        status=RunStatus.PARTIAL,
        started_at=now,
        finished_at=now,
        stage="Done",
        progress=100,
        items_fetched=42,
        trends_updated=17,
        error="Reddit failed (503): Service Unavailable",
        source_results=[
            {"name": "newsapi", "label": "NewsAPI", "status": "ok", "items": 42, "message": ""},
            {"name": "reddit", "label": "Reddit", "status": "failed", "items": 0, "message": "503"},
        ],
    )
    staff = StaffFactory(email="ops@social-medai.example")
    log_in(page, staff.email)
    page.goto("/staff/trends/")
    badge = page.locator("#trend-current-run .run-status")
    expect(badge).to_have_text("Partly succeeded")
    expect(page.locator("#trend-current-run .run-error")).to_contain_text("Reddit failed (503)")
    expect(page.locator(".trend-ops-tables .run-status-failed")).to_have_text("Failed")
    color = badge.evaluate("el => getComputedStyle(el).color")
    assert color not in ("rgb(0, 0, 0)", ""), color  # styled as a warning, not unstyled
    screenshot(page, "staff-trends-partly-succeeded")
