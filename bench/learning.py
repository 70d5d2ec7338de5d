"""The weekly learning loop against brands whose best action only the simulator knows.

    python -m bench.learning [--seeds 10] [--seed 7] [--brands 6] [--weeks 6] [--posts-per-week 10]
                             [--easy-weeks 4]

For each of N seeds (seed, seed + 1, …), on a fresh database (a copy of a migrated template,
smai_bench_learning on PostgreSQL), two simulations run (bench/_learning.py):
- hard (--weeks weeks): brands of two kinds, "global" (one best action for every trend) and
  "by_category" (the best action depends on the trend's category), the best action's engagement
  factor only ×1.2 above the second's, in place of the sandbox model's tone and format factors;
- easy (--easy-weeks weeks, 0 skips it): the first version of this bench, one best action per
  brand at ×1.35, every other action 0.45–0.95.
Everything random comes from the seed: hidden tables, trends, the sandbox's noise, the policy's
exploration. Week after week on a simulated clock, through the real services: recommend (the trend
scorer, learned reward included) → generate (posts services, template copy, no LLM; graphics
made, stored and attached by the posts services, but through the bench's generator, a flat swatch
of the brand's colour at a tenth of the size: settings.GRAPHICS_GENERATOR =
bench._learning.SwatchGraphics, since drawing the full template graphics took two thirds of a run
and the sandbox's engagement only reads whether a post carries an image) → approve and publish now to the sandbox (publishing services: dispatcher, worker, sandbox
publisher, Celery eager) → metrics (the 4-hourly fetch's service) → training (the hourly task's
service, Sunday 00:00 in each brand's time zone).

A seed (both settings) takes about 65 s on the 2-core machine.

Figures (the last line, also bench/results/learning.json):
- oracle ratio of a week: per brand, the mean reward of its posts that week over the mean expected
  reward of the best action for each post's trend; averaged over the brands. The policy explores
  15 % of the time, so about 0.85 + 0.15 × (an average action / the best) is the ceiling.
- oracle_ratio_week6_mean / _worst, oracle_ratio_week4_mean / _worst: the hard setting over the
  seeds (goals: week 6 mean ≥ 0.85, worst ≥ 0.75);
- oracle_ratio_week4_easy_mean: the easy setting's week 4, mean over the seeds (goal ≥ 0.85);
- random_ratio: the same ratio for choosing uniformly among the actions (hard setting, mean over
  the seeds; expected rewards from the sandbox model with the hidden factors, 40 noise draws per
  posting slot); per_seed: each seed's figures; seeds, brands, weeks, posts_per_week, seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

from bench._common import ROOT, bench_database_env, report

TEMPLATE = "smai_bench_learning"
RUN = "smai_bench_learning_run"


def setup() -> None:
    """A migrated template database; `fresh_database` copies it for each simulation."""
    sys.path.insert(0, str(ROOT))
    env = bench_database_env()
    if env["DATABASE_URL"].startswith("postgres"):
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {RUN} WITH (FORCE)")
            conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{TEMPLATE}"
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
            # Flat swatches in place of the drawn template graphics (bench/_learning.py):
            # the posts services still make, store and attach one for every post.
            "GRAPHICS_GENERATOR": "bench._learning.SwatchGraphics",
            "DB_POOL": "0",  # no pool: closing the connection frees the template for the next copy
        }
    )
    os.environ.update(env)
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fresh_database() -> None:
    """Point the default connection at a new copy of the migrated template (same row ids every
    time, so a seed gives the same run whatever ran before it)."""
    from django.core.cache import cache
    from django.db import connections

    connections.close_all()
    settings = connections["default"].settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        template = ROOT / "bench" / ".bench-learning.sqlite3"
        run = ROOT / "bench" / ".bench-learning-run.sqlite3"
        shutil.copyfile(template, run)
        settings["NAME"] = str(run)
    else:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {RUN} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {RUN} TEMPLATE {TEMPLATE}")
        settings["NAME"] = RUN
    cache.clear()


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7, help="the first seed")
    parser.add_argument("--brands", type=int, default=6)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--easy-weeks", type=int, default=4)
    parser.add_argument("--posts-per-week", type=int, default=10)
    args = parser.parse_args()
    started = time.perf_counter()
    setup()
    from bench._learning import simulate

    def quiet(line: str) -> None:
        if not line.startswith("  "):
            print(f"    {line}", flush=True)

    per_seed = []
    for seed in range(args.seed, args.seed + args.seeds):
        fresh_database()
        hard = simulate(
            brands=args.brands, weeks=args.weeks, posts_per_week=args.posts_per_week, seed=seed, log=quiet
        )
        row = {
            "seed": seed,
            "week4": hard["oracle_ratio_week4"],
            "week6": hard["oracle_ratio_week6"],
            "by_week": hard["oracle_ratio_by_week"],
            "random": hard["random_ratio"],
        }
        if args.easy_weeks:
            fresh_database()
            easy = simulate(
                brands=args.brands,
                weeks=args.easy_weeks,
                posts_per_week=args.posts_per_week,
                seed=seed,
                hard=False,
                log=quiet,
            )
            row["easy_week4"] = easy["oracle_ratio_week4"]
        per_seed.append(row)
        print(
            f"seed {seed}: hard week 4 {row['week4']}, week 6 {row['week6']} (by week {row['by_week']}); "
            f"random {row['random']}; easy week 4 {row.get('easy_week4')} "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    figures = {
        "seeds": len(per_seed),
        "brands": args.brands,
        "weeks": args.weeks,
        "posts_per_week": args.posts_per_week,
        "random_ratio": _mean([r["random"] for r in per_seed]),
        "per_seed": per_seed,
        "seconds": round(time.perf_counter() - started, 1),
    }
    for week in (4, 6):
        values = [r[f"week{week}"] for r in per_seed if r[f"week{week}"] is not None]
        if values:
            figures[f"oracle_ratio_week{week}_mean"] = _mean(values)
            figures[f"oracle_ratio_week{week}_worst"] = min(values)
    easy = [r["easy_week4"] for r in per_seed if r.get("easy_week4") is not None]
    if easy:
        figures["oracle_ratio_week4_easy_mean"] = _mean(easy)
    print(
        f"hard, over {len(per_seed)} seeds: week 6 mean {figures.get('oracle_ratio_week6_mean')} "
        f"(goal ≥ 0.85), worst {figures.get('oracle_ratio_week6_worst')} (goal ≥ 0.75); week 4 mean "
        f"{figures.get('oracle_ratio_week4_mean')}, worst {figures.get('oracle_ratio_week4_worst')}; "
        f"easy week 4 mean {figures.get('oracle_ratio_week4_easy_mean')} (goal ≥ 0.85); "
        f"uniformly random {figures['random_ratio']}"
    )
    report("learning", figures)


if __name__ == "__main__":
    main()
