"""``python -m bench.relevance`` (issue 18): its metrics on hand-made rankings, its simulated
sources, and one small brand through the whole trend job with a word-hashing embedder in place of
the model, so the test stays fast."""

import math
import re
import zlib
from datetime import UTC, datetime

import numpy as np
import pytest

from bench import relevance

# --- Metrics -------------------------------------------------------------------------------


def test_a_ranking_in_ideal_order_has_ndcg_1():
    assert relevance.ndcg_at_k([3, 2, 1, 0, 0], [0, 1, 3, 0, 2, 0]) == pytest.approx(1.0)


def test_ndcg_uses_exponential_gain_and_log2_discount_against_the_pools_best_five():
    ranked, pool = [2, 3, 0, 1, 0], [3, 3, 2, 1, 0, 0, 1]
    dcg = 3 / 1 + 7 / math.log2(3) + 0 + 1 / math.log2(5) + 0
    ideal = 7 / 1 + 7 / math.log2(3) + 3 / 2 + 1 / math.log2(5) + 1 / math.log2(6)
    assert relevance.ndcg_at_k(ranked, pool) == pytest.approx(dcg / ideal)


def test_the_only_good_item_in_fifth_place_scores_one_over_log2_6():
    assert relevance.ndcg_at_k([0, 0, 0, 0, 3], [3, 0, 0]) == pytest.approx(1 / math.log2(6))


def test_a_short_ranking_counts_its_missing_places_as_grade_0():
    assert relevance.precision_at_k([3, 2, 1]) == pytest.approx(0.4)
    assert relevance.ndcg_at_k([], [2, 1]) == 0.0
    assert relevance.ndcg_at_k([3], [3]) == pytest.approx(1.0)


def test_precision_at_5_counts_grades_2_and_3_in_the_first_five_only():
    assert relevance.precision_at_k([3, 2, 2, 1, 0, 3, 3]) == pytest.approx(0.6)


def test_a_pool_with_nothing_to_find_gives_ndcg_1():
    assert relevance.ndcg_at_k([0, 0], [0, 0, 0]) == 1.0


# --- Simulated sources ---------------------------------------------------------------------

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)

SPEC = {
    "slug": "payroll-test",
    "brand": {
        "name": "Payroll Test",
        "industry": "hr",
        "description": "Payroll software for small businesses.",
        "pillars": [
            "Running payroll accurately for small businesses",
            "Payroll tax and minimum wage changes",
        ],
        "audience": {
            "roles": ["payroll manager"],
            "geographies": ["UK"],
            "company_sizes": ["10-500 employees"],
        },
        "voice_samples": ["Payroll day again.", "Tax codes, explained.", "Minimum wage goes up in April."],
        "negative_topics": ["football club wage bills"],
        "kind": "b2b",
    },
    "items": [
        {
            "id": "payroll-test-001",
            "source": "newsapi",
            "title": "Payroll errors cost small businesses millions, payroll survey finds - Reuters",
            "summary": "Small businesses running payroll by hand make payroll tax mistakes.",
            "grade": 3,
        },
        {
            "id": "payroll-test-002",
            "source": "reddit",
            "title": "Minimum wage changes: how do I update payroll tax for April?",
            "summary": "Running payroll for a small business and the minimum wage goes up.",
            "grade": 3,
        },
        {"id": "payroll-test-003", "source": "x", "title": "#PayrollWeek", "summary": "", "grade": 2},
        {
            "id": "payroll-test-004",
            "source": "rss",
            "title": "Volcano erupts on a remote island as lava reaches the sea",
            "summary": "Residents were evacuated overnight as ash clouds grounded flights.",
            "grade": 0,
        },
        {
            "id": "payroll-test-005",
            "source": "newsapi",
            "title": "Striker scores twice as champions win the derby - BBC News",
            "summary": "The visitors never recovered after a stunning opening goal.",
            "grade": 0,
        },
        {"id": "payroll-test-006", "source": "mastodon", "title": "#caturday", "summary": "", "grade": 0},
    ],
}


def test_the_simulated_sources_are_the_same_for_the_same_seed_and_differ_for_another():
    def volumes(seed):
        simulation = relevance.sources_simulate(SPEC, seed=seed, now=NOW)
        return [(i.url, i.volume) for items in simulation.second.values() for i in items]

    assert volumes(7) == volumes(7)
    assert volumes(7) != volumes(8)


def test_every_article_carrying_a_story_has_its_own_url_that_maps_back_to_the_item():
    simulation = relevance.sources_simulate(SPEC, seed=3, now=NOW)
    urls = [i.url for items in simulation.second.values() for i in items]
    assert len(urls) == len(set(urls)) == len(simulation.url_items)
    news = simulation.second["newsapi"]
    assert all(i.volume == 1 for i in news)
    story = [i for i in news if simulation.url_items[relevance_canonical(i.url)] == "payroll-test-001"]
    assert story and all(i.title.startswith("Payroll errors cost small businesses") for i in story)
    assert len({i.source_name for i in story}) == len(story)  # one article per outlet
    first = [i for i in simulation.first["newsapi"] if i.title.startswith("Payroll errors")]
    assert len(first) <= len(story)  # a story only gains outlets between the refreshes


def relevance_canonical(url: str) -> str:
    from apps.trends.pipeline import canonical_url

    return canonical_url(url)


def test_volumes_follow_each_sources_scale():
    x, reddit, mastodon = [], [], []
    for seed in range(40):
        simulation = relevance.sources_simulate(SPEC, seed=seed, now=NOW)
        x += [i.volume for i in simulation.second["x"]]
        reddit += [i.volume for i in simulation.second["reddit"]]
        mastodon += [i.volume for i in simulation.second["mastodon"]]
        assert [i.volume for i in simulation.second["rss"]] == [1]
    assert 8_000 < np.median(x) < 50_000
    assert 150 < np.median(reddit) < 1_000
    assert 50 < np.median(mastodon) < 400


def test_some_items_are_new_in_the_second_refresh_and_the_rest_move():
    absent, moved = 0, 0
    for seed in range(40):
        simulation = relevance.sources_simulate(SPEC, seed=seed, now=NOW)
        first = {i.url: i.volume for items in simulation.first.values() for i in items}
        for kind in ("x", "reddit", "mastodon"):
            for item in simulation.second[kind]:
                if item.url not in first:
                    absent += 1
                elif first[item.url] != item.volume:
                    moved += 1
    assert 0.15 < absent / 120 < 0.45
    assert moved > 60


# --- One brand through the trend job ---------------------------------------------------------


class WordHashEmbedder:
    """Deterministic stand-in for all-MiniLM-L6-v2: each word adds ±1 on a hashed dimension, so
    texts sharing words are close and texts sharing none are orthogonal-ish."""

    dimensions = 384

    def embed(self, texts):
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                digest = zlib.crc32(word.encode())
                vectors[row, digest % self.dimensions] += 1.0 if digest & 1024 else -1.0
            norm = np.linalg.norm(vectors[row])
            vectors[row] = vectors[row] / norm if norm else vectors[row]
        return vectors


@pytest.fixture
def word_hash_embedder(settings):
    from apps.trends import embeddings, pipeline

    def clear():
        embeddings.embedder.cache_clear()
        pipeline._category_vectors_cached.cache_clear()
        pipeline._industry_vectors_cached.cache_clear()

    settings.TREND_EMBEDDER = "tests.test_bench_relevance.WordHashEmbedder"
    clear()
    yield
    clear()  # the next test loads whichever embedder its settings name


@pytest.mark.django_db
def test_one_brand_runs_through_the_trend_job_and_its_dashboard_is_graded(word_hash_embedder):
    from apps.brands.models import Brand, Industry
    from apps.trends.models import BrandTrendScore, Trend, TrendSnapshot

    Industry.objects.get_or_create(slug="hr", defaults={"name": "HR", "description": "People and payroll."})
    row = relevance.brand_evaluate(SPEC, seed=7)

    brand = Brand.objects.get(slug=f"{relevance.BRAND_SLUG_PREFIX}payroll-test")
    assert brand.is_onboarded and brand.negative_topics == ["football club wage bills"]
    assert brand.industry.slug == "hr" and brand.industry_description.startswith("Payroll software")
    # Two refreshes: every trend of the second one has a snapshot at each refresh it was seen in.
    assert Trend.objects.count() == row["trends"] >= 4
    assert TrendSnapshot.objects.values("taken_at").distinct().count() == 2
    # The grades come from the items merged into each trend.
    grade_by_title = {i["title"].split(" - ")[0]: i["grade"] for i in SPEC["items"]}
    for title, grade in row["top"] + row["baseline_top"]:
        assert grade == grade_by_title[title]
    # The ranking is the dashboard's: recommended first, then the watchlist, by final score.
    stored = list(BrandTrendScore.objects.filter(brand=brand).order_by("decision", "-final"))
    assert [t for t, _ in row["top"]] == [s.trend.title for s in stored][: relevance.K]
    assert row["recommended"] == sum(s.decision == "recommend" for s in stored)
    for key in ("ndcg_at_5", "precision_at_5", "baseline_ndcg_at_5", "baseline_precision_at_5"):
        assert 0.0 <= row[key] <= 1.0
    # The baseline ranks every trend by plain cosine to the profile: the payroll stories lead it.
    assert row["baseline_top"][0][1] == 3
    assert row["hits"] == 3 and row["hits_recommended"] + row["hits_skipped"] <= 3


@pytest.mark.django_db
def test_the_next_brand_starts_without_the_last_ones_trends(word_hash_embedder):
    from apps.brands.models import Industry
    from apps.trends.models import Trend

    Industry.objects.get_or_create(slug="hr", defaults={"name": "HR", "description": "People and payroll."})
    first = relevance.brand_evaluate(SPEC, seed=7)
    second = relevance.brand_evaluate(SPEC, seed=7)
    assert Trend.objects.count() == second["trends"] == first["trends"]
    assert first["top"] == second["top"] and first["ndcg_at_5"] == second["ndcg_at_5"]
