"""The offline demo set (apps/trends/fixtures/offline_trends.json) and the source that serves it."""

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from apps.integrations.sources.base import IndustryQuery, SourceNotConfigured
from apps.integrations.sources.offline import ROUNDS, OfflineFixtureSource, default_path
from apps.trends.pipeline import canonical_url

SOURCES = {"x", "newsapi", "reddit", "rss", "mastodon"}
INDUSTRIES = {"fintech", "tech", "education", "other"}
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def data():
    with default_path().open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def items(data):
    return data["items"]


def query(slug):
    return IndustryQuery(slug=slug, name=slug.title())


def test_file_parses_with_enough_items_in_every_industry(data, items):
    assert data["version"] == 1
    assert len(items) >= 250
    per_industry = Counter(item["industry"] or "other" for item in items)
    assert set(per_industry) == INDUSTRIES
    assert min(per_industry.values()) >= 40
    assert set(Counter(item["source"] for item in items)) == SOURCES


def test_every_item_is_valid(items):
    https_urls = {canonical_url(i["url"]) for i in items if i["url"].startswith("https://")}
    for item in items:
        assert item["source"] in SOURCES, item
        assert item["title"].strip(), item
        assert item["source_name"].strip(), item
        assert item["industry"] in INDUSTRIES | {""}, item
        parts = urlsplit(item["url"])
        assert parts.hostname, item
        # Every URL is https, except deliberate http:// retellings of an https URL in the set.
        assert parts.scheme == "https" or canonical_url(item["url"]) in https_urls, item
        assert len(item["volumes"]) == ROUNDS, item
        assert all(isinstance(v, int) and v >= 0 for v in item["volumes"]), item
        assert any(item["volumes"]), item
        assert 0 <= item["published_hours_ago"] < 24 * 6, item
        if item["source"] in ("newsapi", "rss"):
            assert item["summary"].strip() and set(item["volumes"]) <= {0, 1}, item
        if item["source"] == "x":
            assert parts.netloc == "x.com" and parts.path == "/search", item
        if item["source"] == "reddit":
            # Self posts link to their permalink; link posts (no text) to the article, as the source does.
            assert item["source_name"].startswith("r/"), item
            is_permalink = parts.hostname == "www.reddit.com" and "/comments/" in parts.path
            assert is_permalink or not item["summary"], item


def test_many_stories_are_told_by_several_sources(items):
    sources_per_story = defaultdict(set)
    for item in items:
        sources_per_story[item["story"]].add(item["source"])
    assert 120 <= len(sources_per_story) <= 150
    assert sum(len(sources) > 1 for sources in sources_per_story.values()) >= 30


def test_canonical_url_dedup_has_work_to_do(items):
    by_url = defaultdict(list)
    for item in items:
        by_url[canonical_url(item["url"])].append(item)
    shared = {url: group for url, group in by_url.items() if len({i["url"] for i in group}) > 1}
    assert len(shared) >= 10
    for group in shared.values():
        assert len({i["story"] for i in group}) == 1  # one URL never stands for two stories


def test_rounds_bring_new_rising_and_fading_stories(items):
    totals = defaultdict(lambda: [0] * ROUNDS)
    for item in items:
        for r, v in enumerate(item["volumes"]):
            totals[item["story"]][r] += v
    assert sum(t[0] == 0 and t[2] > 0 for t in totals.values()) >= 10  # new
    assert sum(t[2] == 0 and t[0] > 0 for t in totals.values()) >= 5  # faded
    assert sum(t[0] > 0 and t[2] > 2 * t[0] for t in totals.values()) >= 5  # rising


def test_fetch_returns_the_items_seen_in_the_round(items):
    for r in range(ROUNDS):
        result = OfflineFixtureSource(round=r, now=NOW).fetch(industries=[])
        expected = [i for i in items if i["volumes"][r] > 0]
        assert len(result.items) == len(expected)
        assert [it.volume for it in result.items] == [i["volumes"][r] for i in expected]
        assert [it.source for it in result.items] == [i["source"] for i in expected]
    assert OfflineFixtureSource().round == ROUNDS - 1


def test_items_are_source_items_with_stable_ids_and_dates_from_now(items):
    result = OfflineFixtureSource(round=1, now=NOW).fetch(industries=[])
    first = result.items[0]
    index = next(n for n, i in enumerate(items) if i["volumes"][1] > 0)
    raw = items[index]
    assert first.external_id == f"offline-{index}"
    assert (first.title, first.url, first.summary) == (raw["title"], raw["url"], raw["summary"])
    assert first.source_name == raw["source_name"]
    assert first.published_at == NOW - timedelta(hours=raw["published_hours_ago"])
    ids = [it.external_id for it in result.items]
    assert len(ids) == len(set(ids))
    again = OfflineFixtureSource(round=1, now=NOW).fetch(industries=[])
    assert [it.external_id for it in again.items] == ids


def test_published_at_defaults_to_timezone_now():
    before = datetime.now(UTC)
    result = OfflineFixtureSource().fetch(industries=[])
    after = datetime.now(UTC)
    for item in result.items:
        assert before - timedelta(days=7) < item.published_at <= after


def test_industry_filter_keeps_asked_industries_and_general_items(items):
    result = OfflineFixtureSource(round=2, now=NOW).fetch(industries=[query("fintech"), query("education")])
    found = Counter(it.industry for it in result.items)
    assert set(found) == {"fintech", "education", ""}
    expected = [i for i in items if i["volumes"][2] > 0 and i["industry"] in ("fintech", "education", "")]
    assert len(result.items) == len(expected)
    unknown = OfflineFixtureSource(round=2, now=NOW).fetch(industries=[query("gardening")])
    assert {it.industry for it in unknown.items} == {""}


def test_general_industry_label_passes_the_filter(tmp_path):
    path = tmp_path / "set.json"
    rows = [
        {
            "source": "rss",
            "source_name": "A",
            "title": "General",
            "url": "https://a.example/1",
            "industry": "general",
        },
        {
            "source": "rss",
            "source_name": "A",
            "title": "Tech",
            "url": "https://a.example/2",
            "industry": "tech",
        },
        {
            "source": "rss",
            "source_name": "A",
            "title": "Unseen",
            "url": "https://a.example/3",
            "industry": "general",
        },
    ]
    for row, volumes in zip(rows, ([1, 1, 1], [1, 1, 1], [1, 0, 0]), strict=True):
        row.update(summary="", published_hours_ago=2, volumes=volumes)
    path.write_text(json.dumps({"version": 1, "items": rows}))
    result = OfflineFixtureSource(round=2, path=str(path), now=NOW).fetch(industries=[query("fintech")])
    assert [it.title for it in result.items] == ["General"]
    assert [it.external_id for it in result.items] == ["offline-0"]


def test_missing_file_is_not_configured(tmp_path):
    source = OfflineFixtureSource(path=tmp_path / "missing.json")
    with pytest.raises(SourceNotConfigured):
        source.check_configured()
    with pytest.raises(SourceNotConfigured):
        source.fetch(industries=[])


def test_round_out_of_range_is_refused():
    with pytest.raises(ValueError):
        OfflineFixtureSource(round=ROUNDS)


def test_registered_in_settings():
    from django.conf import settings
    from django.utils.module_loading import import_string

    source = import_string(settings.TREND_SOURCE_CLASSES["offline"])()
    assert (source.name, source.label) == ("offline", "Offline demo set")
