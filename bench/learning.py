"""The weekly learning loop against brands whose best action only the simulator knows.

    python -m bench.learning [--brands 6] [--weeks 4] [--posts-per-week 10] [--seed 7]

On a fresh database (smai_bench_learning on PostgreSQL), N sandbox brands each get a hidden table
of engagement factors per (tone, format) — one best action at ×1.35, the others drawn from
0.45–0.95 — in place of the sandbox model's tone and format factors (bench/_learning.py). Then,
week after week on a simulated clock, through the real services: recommend (the trend scorer,
learned reward included) → generate (posts services, template copy, no LLM, graphics drawn) →
approve and publish now to the sandbox (publishing services: dispatcher, worker, sandbox
publisher, Celery eager) → metrics (the 4-hourly fetch's service) → training (the hourly task's
service, Sunday 00:00 in each brand's time zone).

Figures:
- oracle_ratio_week4: per brand, the mean reward of its week-4 posts over the expected reward of
  its best action; averaged over the brands. Goal ≥ 0.85. The policy still explores 15 % of the
  time, so about 0.85 + 0.15 × (an average action / the best) is the ceiling.
- random_ratio: the same for choosing uniformly among the actions (the expected reward of every
  action is computed from the sandbox model with the hidden factors, 300 noise draws each).
- oracle_ratio_by_week: week 1 is the default rule (default tone, best-fitting format).
- brands, weeks, posts_per_week, seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from bench._common import ROOT, bench_database_env, report


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    env = bench_database_env()
    if env["DATABASE_URL"].startswith("postgres"):
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS smai_bench_learning WITH (FORCE)")
            conn.execute("CREATE DATABASE smai_bench_learning")
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/smai_bench_learning"
    else:
        sqlite = ROOT / "bench" / ".bench-learning.sqlite3"
        sqlite.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{sqlite}"
    env.update(
        {
            "TESTING": "0",
            "DEBUG": "0",
            "CELERY_TASK_ALWAYS_EAGER": "1",  # generation and publishing run in this process
            "LLM_API_KEY": "",  # template copy: no LLM is called
            "LLM_BASE_URL": "https://api.groq.com/openai/v1",
            "MEDIA_ROOT": tempfile.mkdtemp(prefix="smai-bench-learning-"),
            "CACHE_KEY_PREFIX": "smai-bench-learning",
        }
    )
    os.environ.update(env)
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brands", type=int, default=6)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--posts-per-week", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup()
    from django.core.cache import cache

    cache.clear()
    from bench._learning import simulate

    figures = simulate(
        brands=args.brands, weeks=args.weeks, posts_per_week=args.posts_per_week, seed=args.seed
    )
    print(
        f"week-4 reward / best action's: {figures['oracle_ratio_week4']:.3f} (goal ≥ 0.85); "
        f"uniformly random: {figures['random_ratio']:.3f}; by week: {figures['oracle_ratio_by_week']}"
    )
    report("learning", figures)


if __name__ == "__main__":
    main()
