"""Publishing throughput and latency through the real dispatcher, Celery workers and Redis.

    python -m bench.publishing [--posts N] [--rate PER_MIN] [--workers W] [--threads T]

Local fake X and LinkedIn servers answer every request in 100 ms, with their rate limits set
high. N scheduled posts (half X, half LinkedIn, over 20 brands) fall due one after another at
`--rate` posts per minute; the dispatcher ticks every 2 s as beat runs it; W Celery worker
processes (threads pool, T threads each: publishing waits on the network) publish them.

- posts_per_min: published posts / (last published − first due). Goal ≥ 10,000 on 2 cores.
- due_to_published_p95_s: p95 of (published_at − due). Goal < 15 s.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=12_000, help="posts falling due per minute")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=24)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    from bench._publishing import (
        Dispatcher,
        audit,
        make_publications,
        purge_queues,
        setup_environment,
        start_fakes,
        start_worker,
        stop,
    )

    env = setup_environment()
    from datetime import timedelta

    from django.utils import timezone

    from apps.publishing.models import Publication, PublicationStatus

    x, linkedin = start_fakes(args.latency)
    env.update({"X_API_BASE_URL": x.url, "LINKEDIN_API_BASE_URL": linkedin.url})
    purge_queues()
    made = time.perf_counter()
    first_due = timezone.now() + timedelta(seconds=20 + args.posts / 4000)  # after the set-up below
    ids = make_publications(
        posts=args.posts, x=x, linkedin=linkedin, first_due=first_due, per_second=args.rate / 60, tag="t"
    )
    print(f"made {args.posts} scheduled posts in {time.perf_counter() - made:.1f} s")
    workers = [start_worker(env, threads=args.threads, name=f"bench-pub-{i}") for i in range(args.workers)]
    # the live-digest notifications (one per brand every couple of seconds) run on the default queue
    workers.append(start_worker(env, threads=2, name="bench-pub-notify", queue="smai-bench-default"))
    dispatcher = Dispatcher().start()
    final = (PublicationStatus.PUBLISHED, PublicationStatus.FAILED, PublicationStatus.EXPIRED)
    deadline = time.monotonic() + args.timeout
    try:
        while time.monotonic() < deadline:
            done = Publication.objects.filter(pk__in=ids, status__in=final).count()
            print(f"  {done}/{args.posts} done", flush=True)
            if done == len(ids):
                break
            time.sleep(5)
    finally:
        dispatcher.stop()
        for worker in workers:
            stop(worker)
    rows = list(Publication.objects.filter(pk__in=ids, status=PublicationStatus.PUBLISHED).values_list("due_at", "published_at", "scheduled_for"))
    latencies = [(published - scheduled).total_seconds() for _, published, scheduled in rows]
    last = max((published for _, published, _ in rows), default=None)
    span = (last - first_due).total_seconds() if last else float("nan")
    checked = audit(ids, x, linkedin)
    x.stop()
    linkedin.stop()
    figures = {
        "posts": args.posts,
        "posts_per_min": round(len(rows) / span * 60) if rows and span > 0 else 0,
        "due_to_published_p95_s": round(p95(latencies), 2),
        "due_to_published_p50_s": round(sorted(latencies)[len(latencies) // 2], 2) if latencies else None,
        "duplicates": checked["duplicates"],
        "lost": checked["lost"],
        "failed_with_reason": checked["failed_with_reason"],
        "offered_per_min": args.rate,
        "workers": f"{args.workers}x{args.threads} threads",
        "platform_latency_s": args.latency,
    }
    print(
        f"published {len(rows)}/{args.posts} in {span:.1f} s after the first fell due: "
        f"{figures['posts_per_min']} posts/min; due→published p95 {figures['due_to_published_p95_s']} s"
    )
    report("publishing", figures)


if __name__ == "__main__":
    main()
