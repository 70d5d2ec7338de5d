"""The staff analytics page's meme activity is the memes app's section: memes made, votes and
reactions per UTC day (per week over 90 days), served to staff only and fetched by that page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from apps.memes.activity import meme_activity, meme_activity_chart
from tests.analytics.analytics_data import NOW, meme, meme_template, utc
from tests.factories import BrandUserFactory, StaffFactory
from tests.htmx import page_with_fragments

pytestmark = pytest.mark.django_db


def test_meme_activity_counts_memes_votes_and_reactions_per_day(settings, tmp_path):
    template = meme_template(settings, tmp_path)
    meme(template, at=utc(2026, 3, 14, 9), votes=(1, 1, -1), reactions=("laugh", "fire"))
    meme(template, at=utc(2026, 3, 14, 20), public=False)
    meme(template, at=utc(2026, 3, 15, 8), reactions=("heart",))
    meme(template, at=NOW - timedelta(days=40), votes=(1,), reactions=("clap",))
    activity = meme_activity(days=7, now=NOW)
    totals = (activity.memes, activity.public, activity.votes, activity.up, activity.down, activity.reactions)
    assert totals == (3, 2, 3, 2, 1, 3)
    by_day = {p.start: p for p in activity.points}
    assert len(activity.points) == 8
    day = by_day[date(2026, 3, 14)]
    assert (day.memes, day.votes, day.reactions) == (2, 3, 2)
    assert by_day[date(2026, 3, 15)].reactions == 1 and by_day[date(2026, 3, 13)].memes == 0


def test_ninety_days_are_counted_by_week_and_an_unknown_period_is_thirty_days():
    assert meme_activity(days=90, now=NOW).bucket == "week"
    assert meme_activity(days="12", now=NOW).days == 30
    chart = meme_activity_chart(meme_activity(days=7, now=NOW))
    assert chart["tz"] == "UTC" and [s["label"] for s in chart["series"]] == [
        "Memes made",
        "Votes",
        "Reactions",
    ]
    assert len(chart["x"]) == len(chart["series"][0]["values"]) == 8


def test_staff_see_the_section_on_the_analytics_page_and_nobody_else_gets_it(client):
    url = reverse("memes:staff_activity")
    client.force_login(StaffFactory())
    html = page_with_fragments(client, f"{reverse('analytics:staff')}?days=7")
    assert "Meme activity" in html and "No memes, votes or reactions in the last 7 days" in html
    assert f'href="{url}?days=7"' in client.get(f"{reverse('analytics:staff')}?days=7").content.decode()
    assert "<html" in client.get(f"{url}?days=7").content.decode()  # without JavaScript: a page
    member = Client()
    member.force_login(BrandUserFactory())
    assert member.get(url).status_code == 404
