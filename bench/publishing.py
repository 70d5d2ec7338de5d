"""Publishing throughput and latency through the real dispatcher, Celery workers and Redis.

    python -m bench.publishing [--posts N] [--rate PER_MIN] [--workers W] [--threads T]

Local fake X and LinkedIn servers answer every request in 100 ms, with their rate limits set
high. Posts are half X, half LinkedIn, over 20 brands; the dispatcher ticks every 2 s as beat runs
it; W Celery worker processes (threads pool, T threads each: publishing waits on the network)
publish them.

Two phases: "steady" (N/2 posts falling due one after another at `--rate`, default 10,000 a
minute) measures latency; "burst" (N posts all due at the same second, as when a batch is
scheduled for the top of the hour) measures how fast the backlog drains.

- posts_per_min: burst posts / (last published − their due time). Goal ≥ 10,000 on 2 cores.
- due_to_published_p95_s: steady phase, p95 of (published_at − due). Goal < 15 s.
- duplicates: posts the fake platforms hold more than once. Must be 0.
- lost: posts neither published nor failed with a reason. Must be 0.
"""

from __future__ import annotations

import argparse
import time

from bench._common import report


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else float("nan")


def run_phase(name: str, *, posts: int, per_second: float, x, linkedin, timeout: float) -> dict:
    """Schedule `posts` due from 20 s ahead at `per_second`, wait until every one is final, audit."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.publishing.models import Publication, PublicationStatus
    from bench._publishing import audit, make_publications

    first_due = timezone.now() + timedelta(seconds=10 + posts / 2000)  # after the set-up below
    ids = make_publications(
        posts=posts, x=x, linkedin=linkedin, first_due=first_due, per_second=per_second, tag=name[0]
    )
    final = (PublicationStatus.PUBLISHED, PublicationStatus.FAILED, PublicationStatus.EXPIRED)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = Publication.objects.filter(pk__in=ids, status__in=final).count()
        print(f"  {name}: {done}/{posts} done", flush=True)
        if done == len(ids):
            break
        time.sleep(5)
    rows = list(
        Publication.objects.filter(pk__in=ids, status=PublicationStatus.PUBLISHED).values_list(
            "scheduled_for", "published_at"
        )
    )
    latencies = sorted((published - due).total_seconds() for due, published in rows)
    last = max((published for _, published in rows), default=None)
    span = (last - first_due).total_seconds() if last else float("nan")
    return {
        "published": len(rows),
        "span_s": span,
        "per_min": round(len(rows) / span * 60) if rows and span > 0 else 0,
        "p50_s": latencies[len(latencies) // 2] if latencies else float("nan"),
        "p95_s": p95(latencies),
        **audit(ids, x, linkedin),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10_000, help="posts in the burst (throughput) phase")
    parser.add_argument(
        "--rate", type=float, default=10_000, help="posts falling due per minute (latency phase)"
    )
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    from bench._publishing import Dispatcher, purge_queues, setup_environment, start_fakes, start_worker, stop

    env = setup_environment()
    x, linkedin = start_fakes(args.latency)
    env.update({"X_API_BASE_URL": x.url, "LINKEDIN_API_BASE_URL": linkedin.url})
    purge_queues()
    workers = [start_worker(env, threads=args.threads, name=f"bench-pub-{i}") for i in range(args.workers)]
    # whatever lands on the default queue (the live digest itself routes to the publishing queue,
    # which the publish workers above read)
    workers.append(start_worker(env, threads=2, name="bench-pub-notify", queue="smai-bench-default"))
    dispatcher = Dispatcher().start()
    try:
        steady = run_phase(
            "steady",
            posts=max(1, args.posts // 2),
            per_second=args.rate / 60,
            x=x,
            linkedin=linkedin,
            timeout=args.timeout,
        )
        print(
            f"steady: {steady['published']} posts due at {args.rate:g}/min: due→published "
            f"p50 {steady['p50_s']:.2f} s, p95 {steady['p95_s']:.2f} s"
        )
        burst = run_phase(
            "burst", posts=args.posts, per_second=1e9, x=x, linkedin=linkedin, timeout=args.timeout
        )
        print(
            f"burst: {burst['published']} posts due at once, all published {burst['span_s']:.1f} s later: "
            f"{burst['per_min']} posts/min"
        )
    finally:
        dispatcher.stop()
        for worker in workers:
            stop(worker)
        x.stop()
        linkedin.stop()
    figures = {
        "posts": args.posts,
        "posts_per_min": burst["per_min"],
        "due_to_published_p95_s": round(steady["p95_s"], 2),
        "due_to_published_p50_s": round(steady["p50_s"], 2),
        "burst_due_to_published_p95_s": round(burst["p95_s"], 2),
        "duplicates": steady["duplicates"] + burst["duplicates"],
        "lost": steady["lost"] + burst["lost"],
        "failed_with_reason": steady["failed_with_reason"] + burst["failed_with_reason"],
        "steady_rate_per_min": args.rate,
        "workers": f"{args.workers}x{args.threads} threads",
        "platform_latency_s": args.latency,
    }
    report("publishing", figures)


if __name__ == "__main__":
    main()
