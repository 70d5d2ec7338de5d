"""Influencer search and fit ranking at 100,000 influencer profiles.

    python -m bench.collaborations

On a database of its own (PostgreSQL when it answers, else SQLite), made once and reused: 100,000
public influencer profiles with a realistic spread (audiences drawn from a vocabulary with a long
tail, follower counts lognormal on X and LinkedIn, 30% verified, engagement 0.5-8%, usual fees in
EUR (10% in USD, 15% none), reputation for 40% with 1-6 ReputationEvents each, random unit
384-d float32 embeddings) and one brand with a profile and 4 pillar vectors.

- fit_rank_100k_s: apps.collaborations.services.fit.brand_influencer_fit_refresh, the whole task
  (load every embedding as raw bytes, one matrix product, write the 100,000 InfluencerFit rows),
  the WORST of its runs, cold and warm, so the goal (< 1 s) holds for every run. Cold runs are a
  new brand's first refresh (its 100,000 scores inserted, a different code path): the bench brand
  with its old scores deleted, then brands made for the run and deleted after it (their scores go
  by Django's cascade, checked). Warm runs refresh the bench brand again with its vectors changed
  before each, so every score is rewritten. Mean and worst of each kind are reported beside it.
- search_p95_ms: 200 typical filter combinations (audience tags, platform with a follower floor,
  verified, engagement, reputation, fee ceiling, sorts by fit, reach and reputation), each timed
  as the search page runs it: whether the brand has fit scores, InfluencerResults through a
  Paginator (the first 24 ids with the count, then those profiles) and the cards' reputation
  history and delivered reach. p50 / p95 / max. Goal < 100 ms.

The figures are wall-clock times, so the machine's load average is reported beside them.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from bench._common import ROOT, bench_database_env, report

PROFILES, DIM, PER_PAGE, COMBINATIONS = 100_000, 384, 24, 200
COLD_RUNS, WARM_RUNS = 3, 3
DATABASE = "smai_bench_collaborations"
SLUG_PREFIX = "bench-inf-"

ROLES = [
    "Founders",
    "CTOs",
    "CFOs",
    "Marketers",
    "Developers",
    "Designers",
    "Product-managers",
    "Recruiters",
    "Investors",
    "Students",
    "Engineers",
    "Data-scientists",
    "Sales-leaders",
    "Consultants",
    "Teachers",
    "Nurses",
    "Doctors",
    "Lawyers",
    "Accountants",
    "Journalists",
    "Creators",
    "Gamers",
    "Parents",
    "Retailers",
    "Operators",
    "Researchers",
    "Analysts",
    "Architects",
    "Freelancers",
]
INDUSTRIES = [
    "Fintech",
    "SaaS",
    "Healthcare",
    "Education",
    "E-commerce",
    "Gaming",
    "Media",
    "Retail",
    "Logistics",
    "Energy",
    "Climate",
    "Crypto",
    "Insurance",
    "Real-estate",
    "Travel",
    "Food",
    "Fashion",
    "Beauty",
    "Automotive",
    "Manufacturing",
    "Cybersecurity",
    "AI",
    "Biotech",
    "Legal",
    "Nonprofit",
]
GEOGRAPHIES = [
    "UK",
    "US",
    "Germany",
    "France",
    "Spain",
    "Italy",
    "Netherlands",
    "Nordics",
    "DACH",
    "India",
    "Nigeria",
    "Kenya",
    "Brazil",
    "Mexico",
    "Canada",
    "Australia",
    "Japan",
    "Singapore",
    "UAE",
    "Poland",
    "Ireland",
    "Portugal",
    "Belgium",
    "Switzerland",
    "Austria",
    "Sweden",
    "Norway",
    "Denmark",
    "Finland",
    "Lagos",
    "London",
    "Berlin",
    "Paris",
    "NYC",
    "SF",
    "Toronto",
    "Sydney",
    "Dubai",
    "Mumbai",
    "Sao-Paulo",
]


def setup() -> None:
    """Django on a database of the bench's own (created and migrated when needed)."""
    sys.path.insert(0, str(ROOT))
    env = bench_database_env()
    if env["DATABASE_URL"].startswith("postgres"):
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
                conn.execute(f"CREATE DATABASE {DATABASE}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{ROOT / 'bench' / '.bench-collaborations.sqlite3'}"
    env.update(
        {
            "TESTING": "0",
            "DEBUG": "0",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "CACHE_KEY_PREFIX": "smai-bench-collaborations",
        }
    )
    os.environ.update(env)
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _pick(rng, words: list[str], low: int, high: int) -> list[str]:
    """1-3 tags with a long tail: the first words of the vocabulary are the common ones."""
    weights = 1.0 / np.arange(1, len(words) + 1) ** 0.8
    k = int(rng.integers(low, high + 1))
    return [words[i] for i in rng.choice(len(words), size=k, replace=False, p=weights / weights.sum())]


def unit_rows(rng, n: int) -> np.ndarray:
    m = rng.normal(size=(n, DIM)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def populate() -> None:
    """100,000 profiles (with users) and their reputation history, unless already there."""
    from decimal import Decimal

    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.accounts.models import Role, User
    from apps.collaborations.fit import vector_bytes
    from apps.collaborations.models import InfluencerFit, InfluencerProfile, ReputationEvent

    existing = InfluencerProfile.objects.filter(slug__startswith=SLUG_PREFIX).count()
    if existing == PROFILES:
        print(f"reusing {PROFILES:,} bench profiles")
        return
    print(f"creating {PROFILES:,} influencer profiles …", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        InfluencerFit.objects.all().delete()
        ReputationEvent.objects.filter(profile__slug__startswith=SLUG_PREFIX).delete()
        InfluencerProfile.objects.filter(slug__startswith=SLUG_PREFIX).delete()
        User.objects.filter(email__startswith=SLUG_PREFIX).delete()
    rng = np.random.default_rng(19)
    now = timezone.now()
    batch = 10_000
    for start in range(0, PROFILES, batch):
        n = min(batch, PROFILES - start)
        users = User.objects.bulk_create(
            [
                User(
                    email=f"{SLUG_PREFIX}{start + i}@example.com",
                    password=UNUSABLE_PASSWORD_PREFIX,  # nobody logs in as these
                    role=Role.INFLUENCER,
                )
                for i in range(n)
            ],
            batch_size=2000,
        )
        vectors = unit_rows(rng, n)
        profiles = []
        for i, user in enumerate(users):
            counts = {}
            verified_any = False
            for platform, mean in (("x", 8.0), ("linkedin", 7.5)):
                if rng.random() < (0.85 if platform == "x" else 0.6):
                    verified = bool(rng.random() < 0.3)
                    verified_any |= verified
                    counts[platform] = {"count": int(rng.lognormal(mean, 1.6)), "verified": verified}
            fee_roll = rng.random()
            rate_minor = int(rng.lognormal(9.5, 1.0)) // 100 * 100 + 100 if fee_roll < 0.85 else None
            reputation = Decimal(f"{rng.uniform(20, 98):.2f}") if rng.random() < 0.4 else None
            profiles.append(
                InfluencerProfile(
                    user=user,
                    slug=f"{SLUG_PREFIX}{start + i}",
                    display_name=f"Bench creator {start + i}",
                    bio="Writes about " + ", ".join(_pick(rng, INDUSTRIES, 1, 2)),
                    audience_roles=_pick(rng, ROLES, 1, 3),
                    audience_industries=_pick(rng, INDUSTRIES, 1, 3),
                    audience_geographies=_pick(rng, GEOGRAPHIES, 1, 3),
                    follower_counts=counts,
                    # bulk_create skips save(): the search columns are set here
                    followers_total=sum(c["count"] for c in counts.values()),
                    verified=verified_any,
                    engagement_rate=float(rng.uniform(0.005, 0.08)),
                    rate_minor=rate_minor,
                    rate_currency=("USD" if fee_roll < 0.085 else "EUR") if rate_minor else "",
                    reputation_score=reputation,
                    embedding=vector_bytes(vectors[i]),
                    embedding_hash="bench",
                    created_at=now,
                    updated_at=now,
                )
            )
        profiles = InfluencerProfile.objects.bulk_create(profiles, batch_size=2000)
        events = []
        for profile in profiles:
            if profile.reputation_score is None:
                continue
            score = float(profile.reputation_score)
            for _ in range(int(rng.integers(1, 7))):
                events.append(
                    ReputationEvent(
                        profile=profile,
                        score=Decimal(f"{min(max(score + rng.normal(0, 6), 0), 100):.2f}"),
                        reason="bench",
                    )
                )
        ReputationEvent.objects.bulk_create(events, batch_size=5000)
        print(f"  {start + n:,} …", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE collaborations_influencerprofile")
            cursor.execute("VACUUM ANALYZE collaborations_reputationevent")
    print(f"created in {time.perf_counter() - started:.0f} s")


def bench_brand():
    from apps.brands.models import Brand
    from apps.trends.models import BrandEmbedding

    brand, _ = Brand.objects.get_or_create(
        slug="bench-collaborations",
        defaults={"name": "Bench collaborations", "pillars": ["Payments", "Growth", "Security", "Hiring"]},
    )
    BrandEmbedding.objects.filter(brand=brand).delete()  # its save would queue a refresh (eager)
    return brand


def _brand_vectors(brand, rng, label: str) -> None:
    """New profile and pillar vectors for the brand (as when it is re-embedded), written without
    the signal that would queue a refresh: the bench times the task itself."""
    from django.utils import timezone

    from apps.trends.models import BrandEmbedding

    profile, pillars = unit_rows(rng, 1)[0], unit_rows(rng, 4)
    values = {
        "vector": profile.tobytes(),
        "pillar_vectors": pillars.tobytes(),
        "pillars": ["Payments", "Growth", "Security", "Hiring"],
        "text_digest": f"bench-{label}",
        "computed_at": timezone.now(),
    }
    if not BrandEmbedding.objects.filter(brand=brand).update(**values):
        BrandEmbedding.objects.bulk_create([BrandEmbedding(brand=brand, **values)])


def _timed_refresh(brand, label: str) -> float:
    from django.db import connection

    from apps.collaborations.services.fit import brand_influencer_fit_refresh

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does between two refreshes; and the previous run's writes are not
            # flushed to disk on this run's time.
            cursor.execute("VACUUM ANALYZE collaborations_influencerfit")
            cursor.execute("CHECKPOINT")
    started = time.perf_counter()
    scored = brand_influencer_fit_refresh(brand_id=brand.pk)
    elapsed = time.perf_counter() - started
    print(
        f"fit refresh {label}: {scored:,} profiles in {elapsed:.3f} s (load {os.getloadavg()[0]:.2f})",
        flush=True,
    )
    return elapsed


def bench_fit(brand) -> tuple[list[float], list[float]]:
    """Cold runs (a new brand's first refresh) and warm ones (the bench brand refreshed again)."""
    from django.db import connection

    from apps.brands.models import Brand
    from apps.collaborations.models import InfluencerFit

    rng = np.random.default_rng(7)
    cold, warm = [], []
    InfluencerFit.objects.filter(brand=brand).delete()
    _brand_vectors(brand, rng, "cold-1")
    cold.append(_timed_refresh(brand, f"cold 1/{COLD_RUNS} (the bench brand, new)"))
    Brand.objects.filter(slug__startswith="bench-collaborations-new-").delete()  # an interrupted run's
    for run in range(2, COLD_RUNS + 1):
        new = Brand.objects.create(slug=f"bench-collaborations-new-{run}", name=f"Bench new brand {run}")
        _brand_vectors(new, rng, f"cold-{run}")
        cold.append(_timed_refresh(new, f"cold {run}/{COLD_RUNS} (a brand made for the run)"))
        assert InfluencerFit.objects.filter(brand=new).count() == PROFILES
        new_id = new.pk
        new.delete()
        assert not InfluencerFit.objects.filter(brand_id=new_id).exists()  # cascaded without a constraint
    for run in range(1, WARM_RUNS + 1):
        _brand_vectors(brand, rng, f"warm-{run}")
        warm.append(_timed_refresh(brand, f"warm {run}/{WARM_RUNS} (every score rewritten)"))
    assert InfluencerFit.objects.filter(brand=brand).count() == PROFILES
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE collaborations_influencerfit")
    return cold, warm


def combinations(rng) -> list:
    """Typical searches: one or two audience filters, often a platform with a follower floor, now
    and then verified, engagement, reputation or a fee ceiling; sorted by fit mostly."""
    from apps.collaborations.selectors.brand import InfluencerQuery

    queries = []
    for _ in range(COMBINATIONS):
        q = {}
        for name, words in (("roles", ROLES), ("industries", INDUSTRIES), ("geographies", GEOGRAPHIES)):
            if rng.random() < 0.45:
                q[name] = list(rng.choice(words[:15], size=int(rng.integers(1, 3)), replace=False))
        roll = rng.random()
        if roll < 0.35:
            q["platform"] = str(rng.choice(["x", "linkedin"]))
            q["min_followers"] = int(rng.choice([1_000, 5_000, 10_000, 50_000]))
        elif roll < 0.6:
            q["min_followers"] = int(rng.choice([1_000, 5_000, 10_000, 50_000]))
        if rng.random() < 0.25:
            q["verified_only"] = True
        if rng.random() < 0.25:
            q["min_engagement"] = float(rng.choice([0.02, 0.03, 0.05]))
        if rng.random() < 0.25:
            q["min_reputation"] = float(rng.choice([50, 70, 85]))
        if rng.random() < 0.25:
            q["max_fee_minor"] = int(rng.choice([20_000, 50_000, 100_000]))
            q["fee_currency"] = "EUR"
        q["sort"] = str(rng.choice(["fit", "fit", "fit", "reach", "reputation"]))
        queries.append(InfluencerQuery(**q))
    return queries


def bench_search(brand) -> list[float]:
    from django.core.paginator import Paginator

    from apps.collaborations.selectors.brand import InfluencerResults, brand_has_fits, influencer_cards

    rng = np.random.default_rng(11)
    queries = combinations(rng)
    for query in queries[:10]:  # warm-up: plans and caches, as a running server has them
        list(Paginator(InfluencerResults(brand=brand, query=query), PER_PAGE).get_page(1).object_list)
    timings = []
    for query in queries:
        started = time.perf_counter()
        has_fits = brand_has_fits(brand=brand)
        results = InfluencerResults(brand=brand, query=query, has_fits=has_fits)
        page = Paginator(results, PER_PAGE).get_page(1)
        cards = influencer_cards(list(page.object_list))
        timings.append((time.perf_counter() - started) * 1000)
        assert len(cards) == min(PER_PAGE, page.paginator.count)
    slow = sorted(zip(timings, queries, strict=True), key=lambda t: -t[0])[:3]
    for ms, query in slow:
        shown = {k: v for k, v in query.__dict__.items() if v not in ([], "", None, 0, False)}
        print(f"  slowest: {ms:.1f} ms {shown}")
    return timings


def main() -> None:
    load_before = os.getloadavg()[0]
    setup()
    from django.db import connection

    populate()
    brand = bench_brand()
    cold, warm = bench_fit(brand)
    timings = bench_search(brand)
    runs = cold + warm

    def seconds(values) -> float:
        return round(float(values), 3)

    figures = {
        "profiles": PROFILES,
        "database": connection.vendor,
        # the worst run, cold or warm: the goal is for every refresh
        "fit_rank_100k_s": seconds(np.max(runs)),
        "fit_rank_100k_worst_s": seconds(np.max(runs)),
        "fit_rank_100k_mean_s": seconds(np.mean(runs)),
        "fit_rank_100k_runs_s": [seconds(r) for r in runs],  # cold runs first, then warm
        "fit_rank_100k_cold_runs_s": [seconds(r) for r in cold],
        "fit_rank_100k_cold_mean_s": seconds(np.mean(cold)),
        "fit_rank_100k_cold_worst_s": seconds(np.max(cold)),
        "fit_rank_100k_warm_runs_s": [seconds(r) for r in warm],
        "fit_rank_100k_warm_mean_s": seconds(np.mean(warm)),
        "fit_rank_100k_warm_worst_s": seconds(np.max(warm)),
        "search_combinations": len(timings),
        "search_p50_ms": round(float(np.percentile(timings, 50)), 1),
        "search_p95_ms": round(float(np.percentile(timings, 95)), 1),
        "search_max_ms": round(float(np.max(timings)), 1),
        # the machine's 1-minute load average before and after: the figures are wall-clock times
        "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
    }
    print(
        f"fit ranking, {len(cold)} cold runs (a new brand): mean {figures['fit_rank_100k_cold_mean_s']} s, "
        f"worst {figures['fit_rank_100k_cold_worst_s']} s; {len(warm)} warm runs: mean "
        f"{figures['fit_rank_100k_warm_mean_s']} s, worst {figures['fit_rank_100k_warm_worst_s']} s"
    )
    print(
        f"fit_rank_100k_s (worst run): {figures['fit_rank_100k_s']} s, mean {figures['fit_rank_100k_mean_s']} s "
        f"(goal < 1 s)"
    )
    print(
        f"search: p50 {figures['search_p50_ms']} ms, p95 {figures['search_p95_ms']} ms, "
        f"max {figures['search_max_ms']} ms over {len(timings)} combinations (goal p95 < 100 ms)"
    )
    report("collaborations", figures)


if __name__ == "__main__":
    main()
