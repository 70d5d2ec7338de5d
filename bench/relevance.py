"""How well the trend recommendations match what a brand's marketer would pick (issue 18).

    python -m bench.relevance [--split heldout|tune] [--seeds 3] [--seed 7] [--brands SLUG,…]

The labelled set is bench/data/relevance/ (its README: 11 brands, ~112 items each graded 0-3 for
the brand, split tune/heldout). For every seed and every brand, on a database of its own
(smai_bench_relevance on PostgreSQL; every trend, run and source status deleted before each
brand), the REAL trend job runs on that brand's items of the split only:
- the brand is created from its file (industry row, pillars, audience, voice samples, negative
  topics, its description as the industry in its own words), onboarded, no social account (so
  every format is open to it, as with the sandbox alone);
- one TrendSource per kind (x, newsapi, reddit, rss, mastodon) hands the items to
  apps.trends.services.trend_refresh_execute, which normalises, deduplicates (URL, then
  embedding), embeds, categorises, stores trends with mentions and snapshots, and scores the
  brand (relevance, gate, opportunity, format fit, learned reward: the SPEC's final score);
- volumes are drawn per item before anything runs, from the seed (never from the results):
  X tweet counts lognormal with median 20,000 and sigma 1.2, Mastodon uses median 150 sigma 1.0,
  Reddit score + comments median 400 sigma 1.2, RSS 1, NewsAPI 1 per article, with a story
  carried by several outlets (a geometric count, median 2) as one article per outlet at its own
  URL, as NewsAPI returns them; no item carries an industry tag (the set does not say which
  query would have found it), so the industry prior comes from the trends' embeddings alone;
- momentum comes from two refreshes 6 h apart on the simulated clock: the first with each item's
  volume scaled by exp(N(0, 0.6)) and 30 % of the items absent (new in the second), the second
  with the real volumes.
No LLM: TREND_LLM_RERANK is off, so this is the embedding ranking alone. Each distinct text is
embedded once per run (RememberingEmbedder: the model's own vectors, handed back again for the
second refresh and the other seeds, each text on its own so that a brand's figures do not
depend on the brands before it; --no-remember embeds in the job's batches every time).
A stored trend's grade is the highest grade among the items merged into it (its mentions, by
URL). The ranking is the brand's dashboard: apps.trends.selectors.brand_recommendations, the
recommended trends first by final score, then the watchlist by relevance (then final score);
fewer than 5 count as grade 0. The baseline ranks every trend of the second refresh by the plain cosine of its embedding
with the brand's profile embedding (BrandEmbedding.vector), in the same run.

Figures (per brand and seed as they come, the last line as JSON, also in
bench/results/relevance.json for the held-out half and relevance_<split>.json for another):
- ndcg_at_5: exponential gain 2^g − 1, log2 discount, against the ideal of the brand's 5 best
  grades among all its items in the split; precision_at_5: the share of the top 5 graded ≥ 2;
  both the mean over seeds and brands, with the worst seed's mean (…_worst_seed);
- baseline_ndcg_at_5, baseline_precision_at_5: the same for the plain cosine ranking;
- per_brand: each brand's figures, mean over the seeds; per_seed: each seed's means;
- items: labelled items of the split; trends: trends the pipeline made of them (per seed, all
  brands); recommended: recommended trends (per seed, all brands); seconds: the whole run.
Goal (issue 18): on heldout, ndcg_at_5 ≥ 0.92 and precision_at_5 ≥ 0.95, above the baseline.
Each brand line also says where its trends graded ≥ 2 went (recommended, or skipped: not stored)
and which of its top 5 are misses. A run (3 seeds) takes about 1.5 min on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

import numpy as np

from bench._common import ROOT, bench_database_env, report

DATA = ROOT / "bench" / "data" / "relevance"
DATABASE = "smai_bench_relevance"
K = 5
HIT_GRADE = 2  # precision at 5 counts grades 2 and 3
REFRESH_GAP = timedelta(hours=6)
NEW_SHARE = 0.3  # items absent from the first refresh
FIRST_REFRESH_SIGMA = 0.6  # first refresh volume = real volume × exp(N(0, σ))
# Lognormal volumes by source: (median, sigma).
VOLUME_LOGNORMAL = {"x": (20_000, 1.2), "mastodon": (150, 1.0), "reddit": (400, 1.2)}
OUTLETS_P = 0.4  # outlets carrying a story ~ geometric(p): P(1) = 0.4, P(≤ 2) = 0.64, median 2
OUTLETS_MAX = 8
SOURCE_KINDS = ("x", "newsapi", "reddit", "rss", "mastodon")
BRAND_SLUG_PREFIX = "bench-relevance-"

# Outlets that carry a story besides the one in the item's title, with their sites.
OUTLETS = {
    "Reuters": "reuters.com",
    "Bloomberg": "bloomberg.com",
    "The Guardian": "theguardian.com",
    "BBC News": "bbc.co.uk",
    "Financial Times": "ft.com",
    "Sky News": "news.sky.com",
    "The Independent": "independent.co.uk",
    "CNBC": "cnbc.com",
    "Associated Press": "apnews.com",
    "The Telegraph": "telegraph.co.uk",
    "Forbes": "forbes.com",
    "Axios": "axios.com",
    "Business Insider": "businessinsider.com",
    "Euronews": "euronews.com",
    "The Times": "thetimes.co.uk",
}
# Where a brand's Reddit threads and RSS items come from: its field's places and general ones.
SUBREDDITS = {
    "tech": ["sysadmin", "cybersecurity", "programming", "webdev"],
    "education": ["Teachers", "education", "UKTeachers"],
    "fashion-beauty": ["SkincareAddiction", "Beauty", "30PlusSkinCare"],
    "logistics": ["logistics", "FreightBrokers", "supplychain"],
    "food-beverage": ["Coffee", "espresso", "pourover"],
    "hr": ["humanresources", "Payroll", "smallbusiness"],
    "fintech": ["UKPersonalFinance", "personalfinance", "povertyfinance"],
    "wellness": ["running", "bodyweightfitness", "C25K"],
    "energy": ["solar", "energy", "RenewableEnergy"],
    "travel": ["travel", "interrail", "solotravel"],
}
GENERAL_SUBREDDITS = ["AskUK", "news", "europe", "AskReddit"]
TRADE_FEEDS = {
    "tech": ("The Register", "theregister.com"),
    "education": ("Schools Week", "schoolsweek.co.uk"),
    "fashion-beauty": ("Cosmetics Business", "cosmeticsbusiness.com"),
    "logistics": ("The Loadstar", "theloadstar.com"),
    "food-beverage": ("Perfect Daily Grind", "perfectdailygrind.com"),
    "hr": ("Personnel Today", "personneltoday.com"),
    "fintech": ("Finextra", "finextra.com"),
    "wellness": ("Runner's World", "runnersworld.com"),
    "energy": ("Solar Power Portal", "solarpowerportal.co.uk"),
    "travel": ("Travel Weekly", "travelweekly.co.uk"),
}
GENERAL_FEEDS = [("The Conversation", "theconversation.com"), ("Wired", "wired.com")]


# --- Metrics -------------------------------------------------------------------------------


def _padded(grades: Sequence[int], k: int) -> list[int]:
    return [*list(grades)[:k], *[0] * max(0, k - len(grades))]


def dcg_at_k(grades: Sequence[int], k: int = K) -> float:
    """Exponential gain 2^g − 1 with a log2 discount: Σ (2^g_i − 1) / log2(i + 1), i from 1."""
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(_padded(grades, k)))


def ndcg_at_k(ranked: Sequence[int], pool: Sequence[int], k: int = K) -> float:
    """DCG of the ranking's grades over the DCG of the pool's k best grades (1.0 when the pool
    has nothing to find)."""
    ideal = dcg_at_k(sorted(pool, reverse=True), k)
    return dcg_at_k(ranked, k) / ideal if ideal else 1.0


def precision_at_k(ranked: Sequence[int], k: int = K) -> float:
    """The share of the first k graded ≥ HIT_GRADE (missing places count as misses)."""
    return sum(g >= HIT_GRADE for g in _padded(ranked, k)) / k


# --- The labelled set ----------------------------------------------------------------------


def brand_files(split: str, only: Sequence[str] = ()) -> list[dict]:
    """Each brand's file with its items of the split, in file-name order; `slug` added."""
    specs = []
    for path in sorted(DATA.glob("*.json")):
        if only and path.stem not in only:
            continue
        spec = json.loads(path.read_text())
        spec["slug"] = path.stem
        spec["items"] = [i for i in spec["items"] if i["split"] == split]
        specs.append(spec)
    return specs


# --- Simulated sources ---------------------------------------------------------------------


def _slugify(text: str, limit: int = 60) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-") or "item"


def _split_outlet(title: str) -> tuple[str, str]:
    """'Headline - Outlet' → ('Headline', 'Outlet'); ('Headline', '') when it names none."""
    match = re.match(r"^(.*\S)\s+-\s+([^-]+?)\s*$", title)
    return (match[1], match[2]) if match else (title, "")


def _pick(options: Sequence, key: str):
    return options[zlib.crc32(key.encode()) % len(options)]


@dataclass
class Simulation:
    """Both refreshes' items by source kind, and which labelled item each canonical URL is."""

    first: dict[str, list] = field(default_factory=dict)
    second: dict[str, list] = field(default_factory=dict)
    url_items: dict[str, str] = field(default_factory=dict)


def sources_simulate(spec: dict, *, seed: int, now: datetime) -> Simulation:
    """The items of both refreshes (`now` is the second), every random draw made up front from
    (seed, brand) in file order: the same draws whatever the scorer does."""
    from apps.integrations.sources.base import SourceItem
    from apps.trends.pipeline import canonical_url

    rng = np.random.default_rng([seed, zlib.crc32(spec["slug"].encode())])
    industry = spec["brand"]["industry"]
    first_at = now - REFRESH_GAP
    simulation = Simulation(first={k: [] for k in SOURCE_KINDS}, second={k: [] for k in SOURCE_KINDS})
    outlet_names = list(OUTLETS)
    for item in spec["items"]:
        # The same draws for every item, whatever its source, so one item never shifts another's.
        new = rng.random() < NEW_SHARE
        factor = math.exp(rng.normal(0.0, FIRST_REFRESH_SIGMA))
        spread = rng.normal(0.0, 1.0)
        outlets = min(int(rng.geometric(OUTLETS_P)), OUTLETS_MAX)
        order = rng.permutation(len(outlet_names))
        age = timedelta(hours=float(rng.uniform(1, 40)))
        fresh = timedelta(hours=float(rng.uniform(0.5, 5.5)))

        kind, number = item["source"], item["id"].rsplit("-", 1)[-1]
        published = first_at + fresh if new else first_at - age
        title, summary = item["title"], item.get("summary", "")
        carried: list[tuple[str, str, int]] = []  # (title, url, volume) at the second refresh
        first_count = 0 if new else 1
        if kind in VOLUME_LOGNORMAL:
            median, sigma = VOLUME_LOGNORMAL[kind]
            volume = max(1, round(median * math.exp(sigma * spread)))
            if kind == "x":
                url, name = f"https://x.com/search?q={quote(title, safe='')}", "X"
            elif kind == "mastodon":
                tag = title.removeprefix("#")
                url, name = f"https://mastodon.social/tags/{quote(tag.lower())}", "mastodon.social"
                if not title.startswith("#"):
                    url = f"https://mastodon.social/@news/{zlib.crc32(item['id'].encode())}"
            else:
                sub = _pick([*SUBREDDITS.get(industry, []), *GENERAL_SUBREDDITS], item["id"])
                post = np.base_repr(zlib.crc32(item["id"].encode()), 36).lower()
                url, name = (
                    f"https://www.reddit.com/r/{sub}/comments/{post}/{_slugify(title, 50)}/",
                    f"r/{sub}",
                )
            carried.append((title, url, volume))
            first_volume = max(1, round(volume * factor))
        elif kind == "newsapi":
            head, outlet = _split_outlet(title)
            outlet = outlet or _pick(outlet_names, item["id"])
            others = [outlet_names[i] for i in order if outlet_names[i] != outlet][: outlets - 1]
            for name in [outlet, *others]:
                site = OUTLETS.get(name, f"{_slugify(name, 40).replace('-', '')}.com")
                carried.append((f"{head} - {name}", f"https://www.{site}/news/{_slugify(head)}-{number}", 1))
            # An article stays in NewsAPI's results: a story only gains outlets between refreshes.
            first_count = 0 if new else min(len(carried), max(1, round(len(carried) * factor)))
            first_volume = 1
        else:  # rss
            name, site = _pick([TRADE_FEEDS.get(industry, GENERAL_FEEDS[0]), *GENERAL_FEEDS], item["id"])
            carried.append((title, f"https://{site}/{_slugify(title)}-{number}", 1))
            first_volume = 1
        for index, (text, url, volume) in enumerate(carried):
            outlet = _split_outlet(text)[1] if kind == "newsapi" else name
            made = {
                "source": kind,
                "title": text,
                "url": url,
                "summary": summary,
                "published_at": None if kind in ("x", "mastodon") else published,
                "external_id": f"t3_{url.split('/comments/')[1].split('/')[0]}" if kind == "reddit" else url,
                "source_name": outlet,
            }
            simulation.second[kind].append(SourceItem(**made, volume=volume))
            if index < first_count:
                simulation.first[kind].append(SourceItem(**made, volume=first_volume))
            simulation.url_items[canonical_url(url)] = item["id"]
    return simulation


def bench_sources(items_by_kind: dict[str, list]) -> list:
    """One TrendSource per kind that hands out (copies of) its items, as the real clients would."""
    from apps.integrations.sources.base import FetchResult, SourceItem, TrendSource

    class BenchSource(TrendSource):
        def __init__(self, name: str, items: list):
            self.name, self.label, self.items = name, f"{name} (bench)", items

        def fetch(self, *, industries):
            # Fresh objects each time: the pipeline normalises items in place.
            return FetchResult(items=[SourceItem(**vars(i)) for i in self.items])

    return [BenchSource(kind, items) for kind, items in items_by_kind.items() if items]


class RememberingEmbedder:
    """all-MiniLM-L6-v2 (apps.trends.embeddings.MiniLMEmbedder) that embeds each distinct text once
    per run and hands back the same vector after that: the trend job embeds every item at every
    refresh, and the bench runs the same items for each seed. The vectors are the model's, each
    text embedded on its own: in a batch a text's vector moves in the last float digits with its
    neighbours, enough to flip a near tie, and then a brand's figures would depend on which
    brands ran before it (the set shares a week of general news between brands)."""

    dimensions = 384

    def __init__(self):
        from apps.trends.embeddings import MiniLMEmbedder

        self.model = MiniLMEmbedder()
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        for text in dict.fromkeys(t for t in texts if t not in self.vectors):
            self.vectors[text] = self.model.embed([text])[0]
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([self.vectors[t] for t in texts])


# --- One brand -----------------------------------------------------------------------------


def trend_state_clear() -> None:
    """No trend, run, source status or bench brand left from before: each brand starts afresh."""
    from apps.brands.models import Brand
    from apps.trends.models import Trend, TrendRefreshRun, TrendSourceStatus

    Trend.objects.all().delete()
    TrendRefreshRun.objects.all().delete()
    TrendSourceStatus.objects.all().delete()
    Brand.objects.filter(slug__startswith=BRAND_SLUG_PREFIX).delete()


def brand_create(spec: dict, *, now: datetime):
    """The brand as its file describes it, onboarded; no social account (every format open)."""
    from apps.brands.models import Brand, Industry, OnboardingStep

    brand = spec["brand"]
    audience = brand.get("audience", {})
    return Brand.objects.create(
        name=brand["name"],
        slug=f"{BRAND_SLUG_PREFIX}{spec['slug']}",
        industry=Industry.objects.get(slug=brand["industry"]),
        industry_description=(brand.get("description") or "")[:300],
        pillars=list(brand["pillars"]),
        audience_roles=list(audience.get("roles", [])),
        audience_geographies=list(audience.get("geographies", [])),
        audience_company_sizes=list(audience.get("company_sizes", [])),
        voice_samples=list(brand.get("voice_samples", [])),
        negative_topics=list(brand.get("negative_topics", [])),
        onboarding_step=OnboardingStep.PREFERENCES,
        onboarding_completed_at=now,
    )


def brand_evaluate(spec: dict, *, seed: int, now: datetime | None = None) -> dict:
    """Run the trend job twice on the brand's items and grade its dashboard ranking and the
    plain cosine baseline. Leaves the trends and the brand in place for a look (the next brand's
    `trend_state_clear` removes them)."""
    from django.utils import timezone

    from apps.trends.models import (
        BrandEmbedding,
        BrandTrendScore,
        Decision,
        Trend,
        TrendMention,
        TrendRefreshRun,
    )
    from apps.trends.selectors import brand_recommendations
    from apps.trends.services import trend_refresh_execute

    now = (now or timezone.now()).replace(microsecond=0)
    trend_state_clear()
    simulation = sources_simulate(spec, seed=seed, now=now)
    brand = brand_create(spec, now=now - REFRESH_GAP)
    for at, items in ((now - REFRESH_GAP, simulation.first), (now, simulation.second)):
        run = TrendRefreshRun.objects.create(trigger=TrendRefreshRun.Trigger.SCHEDULE)
        trend_refresh_execute(run=run, sources=bench_sources(items), now=at)
        run.refresh_from_db()
        if run.status != "succeeded":
            raise RuntimeError(f"{spec['slug']}: trend refresh {run.status}: {run.error}")

    grade_of_item = {i["id"]: i["grade"] for i in spec["items"]}
    trend_grade: dict[int, int] = {}
    for trend_id, url in TrendMention.objects.values_list("trend_id", "canonical_url"):
        item_id = simulation.url_items.get(url)
        grade = grade_of_item[item_id] if item_id else 0
        trend_grade[trend_id] = max(trend_grade.get(trend_id, 0), grade)

    shown = brand_recommendations(brand=brand)
    ranking = [c["trend_id"] for c in shown["top"]] + [c["trend_id"] for c in shown["watchlist"]]
    titles = {c["trend_id"]: c["title"] for c in shown["top"] + shown["watchlist"]}
    ranked = [trend_grade.get(t, 0) for t in ranking]

    current = list(Trend.objects.filter(last_seen_at=now).only("id", "title", "embedding"))
    profile = np.frombuffer(bytes(BrandEmbedding.objects.get(brand=brand).vector), dtype=np.float32)
    cosine = np.array([float(t.vector @ profile) for t in current])
    baseline_order = [current[i] for i in np.argsort(-cosine, kind="stable")]
    baseline = [trend_grade.get(t.pk, 0) for t in baseline_order]

    # Where the trends graded ≥ 2 went: recommended, watchlist or skipped (not stored).
    decisions = dict(BrandTrendScore.objects.filter(brand=brand).values_list("trend_id", "decision"))
    hits = [t.pk for t in current if trend_grade.get(t.pk, 0) >= HIT_GRADE]
    pool = [i["grade"] for i in spec["items"]]
    return {
        "brand": spec["slug"],
        "ndcg_at_5": ndcg_at_k(ranked, pool),
        "precision_at_5": precision_at_k(ranked),
        "baseline_ndcg_at_5": ndcg_at_k(baseline, pool),
        "baseline_precision_at_5": precision_at_k(baseline),
        "top": [(titles[t], trend_grade.get(t, 0)) for t in ranking[:K]],
        "baseline_top": [(t.title, trend_grade.get(t.pk, 0)) for t in baseline_order[:K]],
        "recommended": sum(d == Decision.RECOMMEND for d in decisions.values()),
        "trends": len(current),
        "hits": len(hits),
        "hits_recommended": sum(decisions.get(t) == Decision.RECOMMEND for t in hits),
        "hits_skipped": sum(t not in decisions for t in hits),
    }


# --- The run -------------------------------------------------------------------------------


def setup(*, remember: bool = True) -> None:
    """Django on a database of the bench's own (created and migrated when needed), no LLM."""
    sys.path.insert(0, str(ROOT))
    env = bench_database_env()
    if env["DATABASE_URL"].startswith("postgres"):
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
                conn.execute(f"CREATE DATABASE {DATABASE}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{ROOT / 'bench' / '.bench-relevance.sqlite3'}"
    env.update(
        {
            "TESTING": "0",
            "DEBUG": "0",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "TREND_LLM_RERANK": "0",  # the embedding ranking alone (the goal holds without an LLM)
            "LLM_API_KEY": "",
            "LLM_BASE_URL": "https://api.groq.com/openai/v1",
            "CACHE_KEY_PREFIX": "smai-bench-relevance",
            "TREND_OFFLINE_FALLBACK": "0",
        }
    )
    if remember:
        env["TREND_EMBEDDER"] = "bench.relevance.RememberingEmbedder"
    os.environ.update(env)
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _mean(values: Sequence[float]) -> float:
    return round(float(np.mean(values)), 3)


def _shown(top: list[tuple[str, int]]) -> str:
    return "; ".join(f"[{g}] {title[:60]}" for title, g in top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["heldout", "tune"], default="heldout")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7, help="the first seed")
    parser.add_argument("--brands", default="", help="comma-separated file names (default: all)")
    parser.add_argument("--verbose", action="store_true", help="print each brand's top 5 and baseline top 5")
    parser.add_argument(
        "--no-remember", action="store_true", help="embed every text at every refresh (slower, same figures)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    setup(remember=not args.no_remember)
    specs = brand_files(args.split, [s for s in args.brands.split(",") if s])
    seeds = list(range(args.seed, args.seed + args.seeds))
    rows: list[dict] = []
    per_seed = []
    for seed in seeds:
        seed_rows = []
        for spec in specs:
            row = brand_evaluate(spec, seed=seed)
            row["seed"] = seed
            seed_rows.append(row)
            misses = [(t, g) for t, g in row["top"] if g < HIT_GRADE]
            print(
                f"  seed {seed} {spec['slug']:<17} ndcg@5 {row['ndcg_at_5']:.3f} p@5 {row['precision_at_5']:.2f}"
                f" | baseline {row['baseline_ndcg_at_5']:.3f} {row['baseline_precision_at_5']:.2f}"
                f" | {row['trends']} trends, {row['recommended']} recommended; of {row['hits']} graded ≥ 2,"
                f" {row['hits_recommended']} recommended, {row['hits_skipped']} skipped"
                + (f" | misses: {_shown(misses)}" if misses else ""),
                flush=True,
            )
            if args.verbose:
                print(f"      top 5:      {_shown(row['top'])}")
                print(f"      baseline 5: {_shown(row['baseline_top'])}")
        rows.extend(seed_rows)
        figures = {
            key: _mean([r[key] for r in seed_rows])
            for key in ("ndcg_at_5", "precision_at_5", "baseline_ndcg_at_5", "baseline_precision_at_5")
        }
        figures["seed"] = seed
        figures["trends"] = sum(r["trends"] for r in seed_rows)
        figures["recommended"] = sum(r["recommended"] for r in seed_rows)
        per_seed.append(figures)
        print(
            f"seed {seed}: ndcg@5 {figures['ndcg_at_5']}, p@5 {figures['precision_at_5']} "
            f"(baseline {figures['baseline_ndcg_at_5']}, {figures['baseline_precision_at_5']}); "
            f"{figures['trends']} trends, {figures['recommended']} recommended "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    per_brand = {}
    for spec in specs:
        mine = [r for r in rows if r["brand"] == spec["slug"]]
        per_brand[spec["slug"]] = {
            key: _mean([r[key] for r in mine])
            for key in ("ndcg_at_5", "precision_at_5", "baseline_ndcg_at_5", "baseline_precision_at_5")
        }
    worst = min(per_seed, key=lambda s: (s["ndcg_at_5"], s["precision_at_5"]))
    result = {
        "split": args.split,
        "seeds": len(seeds),
        "ndcg_at_5": _mean([s["ndcg_at_5"] for s in per_seed]),
        "precision_at_5": _mean([s["precision_at_5"] for s in per_seed]),
        "ndcg_at_5_worst_seed": min(s["ndcg_at_5"] for s in per_seed),
        "precision_at_5_worst_seed": min(s["precision_at_5"] for s in per_seed),
        "baseline_ndcg_at_5": _mean([s["baseline_ndcg_at_5"] for s in per_seed]),
        "baseline_precision_at_5": _mean([s["baseline_precision_at_5"] for s in per_seed]),
        "per_brand": per_brand,
        "per_seed": per_seed,
        "items": sum(len(s["items"]) for s in specs),
        "trends": round(float(np.mean([s["trends"] for s in per_seed])), 1),
        "recommended": round(float(np.mean([s["recommended"] for s in per_seed])), 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(
        f"{args.split}, {len(specs)} brands × {len(seeds)} seeds: ndcg@5 {result['ndcg_at_5']} "
        f"(goal ≥ 0.92; worst seed {result['ndcg_at_5_worst_seed']}), p@5 {result['precision_at_5']} "
        f"(goal ≥ 0.95; worst seed {result['precision_at_5_worst_seed']}); plain cosine baseline "
        f"{result['baseline_ndcg_at_5']}, {result['baseline_precision_at_5']} (worst seed: {worst['seed']})"
    )
    if specs and len(specs) < len(brand_files(args.split)):
        print(json.dumps(result, sort_keys=True))  # a few brands: the results file keeps the full run
    else:
        report("relevance" if args.split == "heldout" else f"relevance_{args.split}", result)


if __name__ == "__main__":
    main()
