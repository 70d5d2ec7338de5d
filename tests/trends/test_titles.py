"""Headlines lose the outlet's name that sites append (" - Reuters") when they are ingested."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from apps.integrations.sources.base import SourceItem, title_without_publisher
from apps.trends.models import TrendMention
from apps.trends.pipeline import normalise_items

from .conftest import make_trend


@pytest.mark.parametrize(
    "title, publisher, expected",
    [
        (
            "Banks must send euro transfers in ten seconds - Reuters",
            "",
            "Banks must send euro transfers in ten seconds",
        ),
        ("Teachers strike over pay in Scotland | BBC News", "", "Teachers strike over pay in Scotland"),
        ("Apple unveils a folding iPhone — The Verge", "", "Apple unveils a folding iPhone"),
        ("Fed holds rates steady – cnbc.com", "", "Fed holds rates steady"),
        (
            "Roasters face record bean prices - Daily Grind Weekly",
            "Daily Grind Weekly",
            "Roasters face record bean prices",
        ),
        ("Bean prices hit a record | Northwind Coffee Post", "", "Bean prices hit a record"),
        ("Banks face new payment rules - Markets | Reuters", "", "Banks face new payment rules"),
        ("Rates hold - Reuters", "Reuters", "Rates hold"),
    ],
)
def test_the_outlets_name_after_a_headline_is_taken_off(title, publisher, expected):
    assert title_without_publisher(title, publisher) == expected


@pytest.mark.parametrize(
    "title",
    [
        "Nova Reyes - Afterglow Season (surprise album) discussion",
        "Apple unveils iPhone 17 - here is what is new",
        "Inflation falls to 2.1% - lowest since 2021",
        "Tech layoffs - Big Tech",  # too short a headline to tell an outlet from its words
        "Well-known fintech cuts fees for small firms",
    ],
)
def test_a_dash_that_is_part_of_the_headline_is_kept(title):
    assert title_without_publisher(title) == title


def test_ingestion_takes_the_outlet_off_every_items_title():
    now = timezone.now()
    items = [
        SourceItem(
            source="newsapi",
            title="UK to fine firms that pay suppliers late - Reuters",
            source_name="Reuters",
            published_at=now,
        ),
        SourceItem(
            source="rss",
            title="Schools get new phone rules | Edu Weekly",
            source_name="Edu Weekly",
            published_at=now,
        ),
    ]
    assert [i.title for i in normalise_items(items, now=now)] == [
        "UK to fine firms that pay suppliers late",
        "Schools get new phone rules",
    ]


@pytest.mark.django_db
def test_trends_stored_before_the_cleaning_lose_the_outlet_from_their_titles():
    trend = make_trend(
        "UK to fine firms that pay suppliers late - Daily Ledger",
        sources=[("newsapi", "Daily Ledger", "https://ledger.example/late")],
    )
    TrendMention.objects.filter(trend=trend).update(title=trend.title)
    importlib.import_module("apps.trends.migrations.0004_titles_without_outlet").clean_titles(
        django_apps, None
    )
    trend.refresh_from_db()
    assert trend.title == "UK to fine firms that pay suppliers late"
    assert list(trend.mentions.values_list("title", flat=True)) == [
        "UK to fine firms that pay suppliers late"
    ]
