"""The calendar's iCal feed: a secret per-user URL, regenerating it kills the old one, the feed
lists the scheduled and published posts of the user's brands only, as valid RFC 5545 text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from apps.brands.models import SocialConnection
from apps.posts.models import Post, PostCopy
from apps.publishing import ical
from apps.publishing.models import Publication, PublicationStatus

pytestmark = pytest.mark.django_db


def publication(brand, text, *, status=PublicationStatus.SCHEDULED, at=None, platform="sandbox"):
    post = Post.objects.create(brand=brand, tone="friendly", status="scheduled")
    PostCopy.objects.create(post=post, platform="x", parts=[text], source="written")
    connection = SocialConnection.objects.filter(brand=brand, platform=platform).first()
    at = at or timezone.now() + timedelta(days=1)
    return Publication.objects.create(
        post=post,
        brand=brand,
        connection=connection,
        platform=platform,
        copy_platform="x",
        status=status,
        scheduled_for=at,
        due_at=at,
        published_at=at if status == PublicationStatus.PUBLISHED else None,
    )


def feed_of(client, token):
    response = client.get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_the_feed_lists_scheduled_and_published_posts_of_the_users_brands(client, owner, brand, other_brand):
    at = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    publication(brand, "Launch day, with a comma; and a semicolon\nand a new line " + "long " * 30, at=at)
    publication(brand, "Went out", status=PublicationStatus.PUBLISHED)
    publication(brand, "Cancelled", status=PublicationStatus.CANCELLED)
    publication(other_brand, "Someone else's post")
    publication(brand, "Too far ahead", at=timezone.now() + timedelta(days=500))
    token = ical.calendar_feed_token_get(user=owner).token
    events = feed_of(client, token).walk("VEVENT")
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert len(events) == 2
    assert summaries[0].startswith("Sandbox · Ledgerly: Launch day, with a comma; and a semicolon")
    assert summaries[1] == "Sandbox · Ledgerly: Went out"
    launch = next(e for e in events if "Launch" in str(e["SUMMARY"]))
    assert launch.decoded("DTSTART") == at
    assert "and a new line" in str(launch["DESCRIPTION"]) and "/posts/" in str(launch["URL"])


def test_the_feed_text_is_escaped_and_folded(client, owner, brand):
    publication(brand, "A, b; c\\d " + "x" * 200)
    raw = client.get(f"/calendar/feed/{ical.calendar_feed_token_get(user=owner).token}.ics").content
    assert b"A\\, b\\; c\\\\d" in raw
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.rstrip().endswith(b"END:VCALENDAR")


def test_regenerating_makes_the_old_url_a_404(client, owner, brand):
    old = ical.calendar_feed_token_get(user=owner).token
    client.force_login(owner)
    page = client.get("/calendar/feed/")
    assert old in page.content.decode()
    client.post("/calendar/feed/regenerate/")
    new = ical.calendar_feed_token_get(user=owner).token
    assert new != old and len(new) >= 40
    client.logout()
    assert client.get(f"/calendar/feed/{old}.ics").status_code == 404
    assert client.get(f"/calendar/feed/{new}.ics").status_code == 200


def test_a_made_up_token_is_a_404_and_the_page_needs_sign_in(client):
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404
    assert client.get("/calendar/feed/").status_code == 302
    assert client.post("/calendar/feed/regenerate/").status_code == 302


def test_an_inactive_users_feed_is_a_404(client, owner):
    token = ical.calendar_feed_token_get(user=owner).token
    owner.is_active = False
    owner.save()
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404


def test_the_feeds_queries_do_not_grow_with_posts(client, owner, brand, django_assert_max_num_queries):
    for i in range(20):
        publication(brand, f"Post {i}")
    token = ical.calendar_feed_token_get(user=owner).token
    with django_assert_max_num_queries(6):
        assert len(feed_of(client, token).walk("VEVENT")) == 20
