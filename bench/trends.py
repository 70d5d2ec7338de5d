"""Trend scoring and embedding speed, and the web process's memory with trends on its pages.

    python -m bench.trends

- score_500x10000_s: score 500 trends for 10,000 brands (apps.trends.scoring.score, the exact
  function the job runs), synthetic unit vectors, each brand with 3-5 pillars, 0-3 negative topics
  and 0-20 dismissed trends as the relevance of issue 18 uses them. Goal < 5 s.
- embed_500_s: embed 500 trend texts with all-MiniLM-L6-v2 on the CPU, model already loaded
  (the load is reported separately as embed_model_load_s). Goal < 10 s.
- web_rss_mb: RSS of a started web process (daphne) after serving the brand dashboard with
  recommendations, a trend page, the staff trends page and the recommendations API 3 times each,
  on a database of its own. Goal < 300 MB. web_loaded_torch says whether torch got mapped into it
  (it must not).
"""

import os
import sys
import time
from pathlib import Path
from urllib.request import Request, urlopen

import numpy as np

from bench._common import ROOT, bench_database_env, report, rss_mb, start_web

TRENDS, BRANDS, DIM = 500, 10_000, 384


def bench_score() -> float:
    from apps.trends.scoring import BrandBatch, BrandVectors, TrendBatch, platform_mask, score

    rng = np.random.default_rng(5)

    def unit_rows(n):
        m = rng.normal(size=(n, DIM)).astype(np.float32)
        return m / np.linalg.norm(m, axis=1, keepdims=True)

    trends = TrendBatch(
        vectors=unit_rows(TRENDS),
        volumes=rng.integers(1, 100_000, TRENDS).astype(float),
        momenta=rng.uniform(-1, 1, TRENDS),
        sentiments=list(rng.choice(["positive", "neutral", "negative"], TRENDS)),
        categories=rng.integers(0, 10, TRENDS),
        industries=rng.random((TRENDS, 3)) < 0.4,
        thin=rng.random(TRENDS) < 0.2,
        kinds=rng.choice(["articles", "x", "reddit", "other"], TRENDS),
    )
    masks = [platform_mask(s) for s in ({"x"}, {"linkedin"}, {"x", "linkedin"}, set())]
    brands = BrandBatch(
        vectors=unit_rows(BRANDS),
        industries=rng.integers(-1, 3, BRANDS),
        platforms=np.vstack([masks[i] for i in rng.integers(0, 4, BRANDS)]),
        rewards=rng.random((BRANDS, 10)).astype(np.float32),
        # As the job scores them (issue 18): 3-5 pillars, 0-3 negative topics, 0-20 dismissals each.
        pillars=BrandVectors.from_lists([unit_rows(int(k)) for k in rng.integers(3, 6, BRANDS)]),
        negatives=BrandVectors.from_lists([unit_rows(int(k)) for k in rng.integers(0, 4, BRANDS)]),
        dismissed=BrandVectors.from_lists([unit_rows(int(k)) for k in rng.integers(0, 21, BRANDS)]),
    )
    score(trends, brands)  # warm-up (allocations, BLAS threads)
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        result = score(trends, brands)
        runs.append(time.perf_counter() - start)
    assert result.final.shape == (TRENDS, BRANDS)
    print(f"score {TRENDS} trends x {BRANDS} brands: best {min(runs):.3f} s of {len(runs)} runs")
    return min(runs)


def bench_embed() -> tuple[float, float]:
    from apps.trends.embeddings import MiniLMEmbedder

    subjects = [
        "Open banking",
        "Instant payments",
        "AI agents",
        "Student loans",
        "Cloud outage",
        "BNPL rules",
    ]
    verbs = ["rises as", "stalls after", "surges when", "faces questions after", "reshapes markets as"]
    objects = [
        "regulators publish new rules",
        "a survey of 2,000 firms lands",
        "a rival launches",
        "funding dries up",
    ]
    texts = [
        f"{subjects[i % 6]} {verbs[i % 5]} {objects[i % 4]} ({i}). A short summary of the story number {i}."
        for i in range(500)
    ]
    embedder = MiniLMEmbedder()
    start = time.perf_counter()
    embedder.embed(texts[:2])
    load = time.perf_counter() - start
    start = time.perf_counter()
    vectors = embedder.embed(texts)
    took = time.perf_counter() - start
    assert vectors.shape == (500, DIM)
    print(f"embed 500 texts: {took:.2f} s (model load {load:.2f} s)")
    return took, load


def _seed(env: dict) -> dict:
    """Migrate, then a brand with recommendations, a staff user and their session cookies."""
    os.environ.update(env)
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from apps.accounts.models import Role, User
    from apps.brands.models import Brand, BrandMembership, Industry
    from apps.trends.models import BrandTrendScore, Trend, TrendMention, TrendSnapshot

    call_command("migrate", verbosity=0)
    now = timezone.now()
    brand, _ = Brand.objects.get_or_create(
        slug="bench-brand",
        defaults={
            "name": "Bench Brand",
            "industry": Industry.objects.get(slug="fintech"),
            "pillars": ["Instant payments for SMEs"],
            "audience_roles": ["CFOs"],
            "onboarding_completed_at": now,
        },
    )
    user, _ = User.objects.get_or_create(email="bench@bench.local", defaults={"role": Role.BRAND})
    staff, _ = User.objects.get_or_create(
        email="bench-staff@bench.local", defaults={"role": "", "is_staff": True, "is_superuser": True}
    )
    BrandMembership.objects.get_or_create(brand=brand, user=user, defaults={"role": "owner"})
    BrandTrendScore.objects.filter(brand=brand).delete()
    vector = np.zeros(DIM, dtype=np.float32)
    vector[0] = 1
    first = None
    for i in range(15):
        trend = Trend.objects.create(
            title=f"Bench trend {i}: instant payments reach small businesses",
            summary="Banks must send euro transfers in ten seconds.",
            category="regulation",
            industries=["fintech"],
            embedding=vector.tobytes(),
            first_seen_at=now - timedelta(hours=12),
            last_seen_at=now,
            expires_at=now + timedelta(days=30),
            volume=100 + i,
            momentum=0.3,
        )
        first = first or trend
        for h in (12, 6, 0):
            TrendSnapshot.objects.create(
                trend=trend,
                taken_at=now - timedelta(hours=h),
                volume=50 + 10 * i + h,
                mention_count=3,
                source_count=2,
                momentum=0.3,
                sentiment_label="positive",
                sentiment_score=0.4,
            )
        TrendMention.objects.create(
            trend=trend,
            source="newsapi",
            source_name="Reuters",
            title=trend.title,
            url=f"https://www.reuters.com/bench/{trend.pk}",
            canonical_url=f"reuters.com/bench/{trend.pk}",
            first_seen_at=now,
            last_seen_at=now,
        )
        BrandTrendScore.objects.create(
            brand=brand,
            trend=trend,
            relevance=0.8,
            opportunity=0.6,
            format_fit=0.85,
            reward=0.5,
            final=0.75 - i / 100,
            decision="recommend" if i < 8 else "watchlist",
            platform="linkedin",
            post_format="carousel",
            matched_pillar="Instant payments for SMEs",
            scored_at=now,
        )

    def cookie(u):
        session = SessionStore()
        session[SESSION_KEY] = str(u.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = u.get_session_auth_hash()
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    return {"brand": brand.pk, "trend": first.pk, "user": cookie(user), "staff": cookie(staff)}


def bench_web() -> tuple[float, bool]:
    env = bench_database_env()
    seeded = _seed(env)
    process, url = start_web(env)
    pages = [
        ("user", "/brand/"),
        ("user", f"/trends/{seeded['trend']}/"),
        ("user", f"/api/v1/brands/{seeded['brand']}/recommendations"),
        ("staff", "/staff/trends/"),
        ("staff", f"/trends/{seeded['trend']}/"),
    ]
    try:
        for _ in range(3):
            for who, path in pages:
                request = Request(f"{url}{path}", headers={"Cookie": seeded[who]})  # noqa: S310
                with urlopen(request, timeout=30) as response:  # noqa: S310 (our own local server)
                    body = response.read()
                    # Signed in, not redirected to the login page.
                    assert response.geturl().endswith(path), f"{path} answered {response.geturl()}"
                    assert path == "/staff/trends/" or b"Bench trend" in body, f"{path} lacks the trends"
        rss = rss_mb(process.pid)
        maps = Path(f"/proc/{process.pid}/maps").read_text()
        loaded_torch = "libtorch" in maps or "/torch/" in maps
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"web process RSS after serving trend pages: {rss:.1f} MB; torch loaded: {loaded_torch}")
    return rss, loaded_torch


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    score_s = bench_score()
    embed_s, load_s = bench_embed()
    rss, loaded_torch = bench_web()
    report(
        "trends",
        {
            "score_500x10000_s": round(score_s, 3),
            "embed_500_s": round(embed_s, 2),
            "embed_model_load_s": round(load_s, 2),
            "web_rss_mb": round(rss, 1),
            "web_loaded_torch": loaded_torch,
        },
    )


if __name__ == "__main__":
    sys.exit(main())
