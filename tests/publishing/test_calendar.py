"""The calendar: week and month in the brand's time, chips by status with their platform and
warnings, navigation and the empty state, a bounded number of queries, and drag to reschedule
(a valid move; the past, a published post and another brand's publication refused)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from apps.brands.models import Platform
from apps.posts.models import PostStatus
from apps.publishing.models import Publication, PublicationStatus
from apps.publishing.services import post_schedule
from tests.publishing.ui_fixtures import (  # noqa: F401 (the fixtures)
    BEFORE_NOVEMBER,
    account,
    approved_post,
    member_fixture,
    nyc_fixture,
    outsider_fixture,
    sandbox_of,
    site_fixture,
    utc,
)

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def october():
    with time_machine.travel(BEFORE_NOVEMBER, tick=False):  # Tue 20 Oct 2026, 08:00 in New York
        yield


def calendar(site, nyc, view="week", day="2026-10-21", **extra):
    return site.get(reverse("publishing:calendar", args=[nyc.pk]), {"view": view, "date": day}, **extra)


def cell(html: str, day: str, hour: int | None = None) -> str:
    """The HTML of one drop cell of the grid."""
    marker = f'data-drop-date="{day}"' + (f' data-drop-hour="{hour}"' if hour is not None else "")
    return html.split(marker, 1)[1].split("</td>", 1)[0]


def scheduled(nyc, text, at, platforms=("x",)):
    post = approved_post(nyc, text, platforms=platforms)
    post_schedule(post=post, user=None, at=at)
    return post


def test_week_view_puts_entries_at_their_brand_local_day_and_hour(site, nyc):
    post = scheduled(
        nyc, "Ten-second euro transfers are here. Is your cash flow ready?", utc(2026, 10, 21, 13, 0)
    )
    response = calendar(site, nyc)
    assert response.status_code == 200
    html = response.content.decode()
    chip = cell(html, "2026-10-21", 9)  # 13:00 UTC is 09:00 in New York (EDT)
    assert "09:00" in chip and "Ten-second euro transfers are here." in chip
    assert 'cal-badge-sandbox">Sandbox<' in chip and "is-sandbox" in chip
    assert reverse("posts:review", args=[post.pk]) in chip and 'draggable="true"' in chip
    assert "cal-chip-scheduled" in chip
    assert "Times in <strong>America/New_York (EDT, UTC−04:00)</strong>" in html
    assert "19 – 25 October 2026" in html
    # Rows from 06:00 to 23:00; nothing at 13:00 local.
    assert ">06:00<" in html and ">23:00<" in html and ">05:00<" not in html
    assert "cal-chip" not in cell(html, "2026-10-21", 13)


def test_week_view_grows_to_show_posts_outside_the_usual_hours(site, nyc):
    scheduled(nyc, "Night owls", utc(2026, 10, 22, 7, 15))  # 03:15 in New York
    html = calendar(site, nyc).content.decode()
    assert ">03:00<" in html and "03:15" in cell(html, "2026-10-22", 3)


def test_month_view_shows_each_entry_on_its_brand_local_day(site, nyc):
    # 02:30 UTC on the 24th is still the 23rd in New York.
    scheduled(nyc, "Late on Friday", utc(2026, 10, 24, 2, 30))
    html = calendar(site, nyc, view="month").content.decode()
    assert "October 2026" in html
    assert "22:30" in cell(html, "2026-10-23") and "cal-chip" not in cell(html, "2026-10-24")
    # The grid runs Monday to Sunday around the month: 28 Sep to 1 Nov.
    assert 'data-drop-date="2026-09-28"' in html and 'data-drop-date="2026-11-01"' in html
    assert 'data-drop-date="2026-11-02"' not in html


def test_chips_are_coloured_by_status_and_only_scheduled_ones_drag(site, nyc):
    kinds = {
        PublicationStatus.PUBLISHED: "published",
        PublicationStatus.FAILED: "failed",
        PublicationStatus.EXPIRED: "expired",
        PublicationStatus.SENDING: "publishing",
    }
    for hour, status in zip((10, 11, 12, 13), kinds, strict=True):
        post = scheduled(nyc, f"Post {status}", utc(2026, 10, 21, hour + 4, 0))
        Publication.objects.filter(post=post).update(status=status)
    html = calendar(site, nyc).content.decode()
    for hour, (status, tone) in zip((10, 11, 12, 13), kinds.items(), strict=True):
        chip = cell(html, "2026-10-21", hour)
        assert f"cal-chip-{tone}" in chip, status
        assert "draggable" not in chip
    for label in ("Scheduled", "Publishing", "Published", "Failed", "Expired"):
        assert f"</span>{label}</span>" in html  # the legend


def test_a_linkedin_token_that_expires_before_the_time_shows_a_warning_icon(site, nyc):
    linkedin = account(nyc, Platform.LINKEDIN, "dana", expires_in=timedelta(days=3))
    post = approved_post(nyc, "On LinkedIn", platforms=("linkedin",))
    post_schedule(post=post, user=None, at=utc(2026, 10, 28, 14, 0), connection_ids=[linkedin.pk])
    html = calendar(site, nyc, day="2026-10-28").content.decode()
    chip = cell(html, "2026-10-28", 10)
    assert 'class="cal-warn"' in chip and "access expires on Fri 23 Oct" in chip
    assert 'cal-badge-linkedin">in<' in chip


def test_empty_calendar_says_what_to_do(site, nyc):
    html = calendar(site, nyc).content.decode()
    assert "Nothing scheduled this week." in html and "Approve a post, then Schedule or Add to queue." in html
    assert "Nothing scheduled this month." in calendar(site, nyc, view="month").content.decode()


def test_previous_next_and_today_navigate(site, nyc):
    html = calendar(site, nyc, day="2026-12-09").content.decode()
    url = reverse("publishing:calendar", args=[nyc.pk])
    assert f'href="{url}?view=week&amp;date=2026-11-30"' in html  # previous week
    assert f'href="{url}?view=week&amp;date=2026-12-14"' in html  # next week
    assert f'href="{url}?view=week"' in html  # today
    html = calendar(site, nyc, view="month", day="2026-12-09").content.decode()
    assert "date=2026-11-01" in html and "date=2027-01-01" in html and "December 2026" in html
    # A date that is not one shows this week.
    assert calendar(site, nyc, day="2026-02-31").status_code == 200


def test_the_nav_link_opens_the_current_brands_calendar(site, nyc):
    response = site.get(reverse("publishing:calendar_current"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "publishing:calendar", args=[nyc.pk]
    )
    html = calendar(site, nyc).content.decode()
    assert f'href="{reverse("publishing:calendar_current")}" aria-current="page"' in html


def test_calendar_queries_do_not_grow_with_its_entries(site, nyc, django_assert_max_num_queries):
    linkedin = account(nyc, Platform.LINKEDIN, "dana")
    for i in range(2):
        scheduled(nyc, f"Post {i}", utc(2026, 10, 21, 13 + i, 0))
    with django_assert_max_num_queries(6) as few:
        calendar(site, nyc)
    for i in range(12):
        post = approved_post(nyc, f"More {i}", platforms=("x", "linkedin"))
        post_schedule(
            post=post,
            user=None,
            at=utc(2026, 10, 22, 12, 0) + timedelta(hours=i),
            connection_ids=[linkedin.pk, sandbox_of(nyc).pk],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = calendar(site, nyc).content.decode()
    assert html.count('class="cal-chip ') == 26
    with django_assert_max_num_queries(len(few.captured_queries)):
        calendar(site, nyc, view="month")


def test_another_brands_calendar_is_not_found(outsider, nyc):
    assert outsider.get(reverse("publishing:calendar", args=[nyc.pk])).status_code == 404


# --- drag to reschedule ------------------------------------------------------------------------


def move(site, nyc, publication, day, hour=None, view="week"):
    data = {"publication": publication.pk, "date": day, "view": view, "anchor": day}
    if hour is not None:
        data["hour"] = hour
    return site.post(reverse("publishing:calendar_move", args=[nyc.pk]), data, **HX)


def test_dropping_a_scheduled_post_on_another_hour_moves_it_and_keeps_its_minutes(site, nyc):
    post = scheduled(nyc, "Move me", utc(2026, 10, 21, 13, 30))  # Wed 09:30 EDT
    publication = Publication.objects.get(post=post)
    response = move(site, nyc, publication, "2026-10-22", hour=14)
    assert response.status_code == 200
    publication.refresh_from_db()
    assert publication.scheduled_for == utc(2026, 10, 22, 18, 30)  # Thu 14:30 EDT
    html = response.content.decode()
    assert "Moved to Thu 22 Oct 2026, 14:30 EDT." in html
    assert "14:30" in cell(html, "2026-10-22", 14) and "cal-chip" not in cell(html, "2026-10-21", 9)


def test_dropping_on_a_day_of_the_month_keeps_the_time_of_day_across_a_dst_change(site, nyc):
    post = scheduled(nyc, "Move me", utc(2026, 10, 28, 13, 0))  # Wed 28 Oct, 09:00 EDT
    publication = Publication.objects.get(post=post)
    response = move(site, nyc, publication, "2026-11-04", view="month")
    assert response.status_code == 200
    publication.refresh_from_db()
    assert publication.scheduled_for == utc(2026, 11, 4, 14, 0)  # Wed 4 Nov, 09:00 EST
    assert "<caption" in response.content.decode() and "November 2026" in response.content.decode()


def test_a_move_keeps_the_posts_accounts(site, nyc):
    linkedin = account(nyc, Platform.LINKEDIN, "dana")
    post = approved_post(nyc, "Both", platforms=("linkedin",))
    post_schedule(
        post=post, user=None, at=utc(2026, 10, 21, 13, 0), connection_ids=[linkedin.pk, sandbox_of(nyc).pk]
    )
    publication = Publication.objects.get(post=post, platform="linkedin")
    assert move(site, nyc, publication, "2026-10-21", hour=11).status_code == 200
    rows = Publication.objects.filter(post=post).exclude(status=PublicationStatus.CANCELLED)
    assert {p.platform for p in rows} == {"linkedin", "sandbox"}
    assert {p.scheduled_for for p in rows} == {utc(2026, 10, 21, 15, 0)}


def test_a_drop_on_the_past_is_refused_with_a_message(site, nyc):
    post = scheduled(nyc, "Not back in time", utc(2026, 10, 21, 13, 0))
    publication = Publication.objects.get(post=post)
    response = move(site, nyc, publication, "2026-10-20", hour=6)  # 06:00 today, two hours ago
    assert response.status_code == 422
    assert "Tue 20 Oct, 06:00 has already passed." in response.content.decode()
    publication.refresh_from_db()
    assert publication.scheduled_for == utc(2026, 10, 21, 13, 0)


def test_a_drop_on_an_hour_the_clocks_skip_is_refused(site, nyc, member):
    with time_machine.travel(utc(2027, 3, 1, 12), tick=False):
        site.force_login(member)  # a session from October would have expired by March
        post = scheduled(nyc, "Spring", utc(2027, 3, 10, 7, 30))  # 02:30 EST on Wed 10 Mar
        response = move(site, nyc, Publication.objects.get(post=post), "2027-03-14", hour=2)
    assert response.status_code == 422 and "does not exist on Sunday, March 14" in response.content.decode()


def test_a_published_post_cannot_be_moved(site, nyc):
    post = scheduled(nyc, "Out already", utc(2026, 10, 21, 13, 0))
    Publication.objects.filter(post=post).update(status=PublicationStatus.PUBLISHED)
    publication = Publication.objects.get(post=post)
    response = move(site, nyc, publication, "2026-10-22", hour=10)
    assert response.status_code == 409
    assert "already published" in response.content.decode()
    publication.refresh_from_db()
    assert publication.scheduled_for == utc(2026, 10, 21, 13, 0)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED  # untouched


def test_another_brands_publication_cannot_be_moved(site, nyc, outsider):
    post = scheduled(nyc, "Mine", utc(2026, 10, 21, 13, 0))
    publication = Publication.objects.get(post=post)
    response = outsider.post(
        reverse("publishing:calendar_move", args=[nyc.pk]),
        {"publication": publication.pk, "date": "2026-10-22"},
    )
    assert response.status_code == 404
    # Nor through the outsider's own brand's calendar.
    from apps.brands.models import BrandMembership

    their_brand = BrandMembership.objects.exclude(brand=nyc).first().brand
    url = reverse("publishing:calendar_move", args=[their_brand.pk])
    assert outsider.post(url, {"publication": publication.pk, "date": "2026-10-22"}).status_code == 404
    publication.refresh_from_db()
    assert publication.scheduled_for == utc(2026, 10, 21, 13, 0)


def test_without_javascript_a_move_redirects_to_the_calendar_with_a_message(site, nyc):
    post = scheduled(nyc, "Plain form", utc(2026, 10, 21, 13, 0))
    publication = Publication.objects.get(post=post)
    response = site.post(
        reverse("publishing:calendar_move", args=[nyc.pk]),
        {
            "publication": publication.pk,
            "date": "2026-10-22",
            "hour": "10",
            "view": "week",
            "anchor": "2026-10-22",
        },
        follow=True,
    )
    assert re.search(r"Moved to Thu 22 Oct 2026, 10:00 EDT\.", response.content.decode())
