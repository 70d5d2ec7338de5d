"""Exactly-once under failure: publish scheduled posts while workers are killed and Redis restarts.

    python -m bench.publishing_chaos [--posts 1000] [--kills 12]

1,000 scheduled posts (half X, half LinkedIn; fake servers answering in 100 ms) fall due over
about a minute. While two Celery worker processes publish them, a random worker is killed with
SIGKILL at least `--kills` times (and started again), and Redis (broker, rate limits, channel
layer) is shut down without saving and started again once, losing every queued message.
Leases are short here (10 s) so the dispatcher takes abandoned rows back within the run.

- duplicates: posts the fake platforms hold more than once. Must be 0.
- lost: posts neither published nor failed with a reason. Must be 0.
- failed_with_reason: posts that failed and say why (e.g. retries used up while Redis was down).
- kills, redis_restarts: the chaos that happened.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import time

from bench._common import report

REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def redis_restart() -> float:
    """Shut Redis down without saving (every queued message is lost) and start it again."""
    started = time.monotonic()
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True, check=False)
    time.sleep(1.0)
    subprocess.run(REDIS_START, capture_output=True, check=False)
    for _ in range(100):
        if (
            subprocess.run(["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True).stdout.strip()
            == "PONG"
        ):
            break
        time.sleep(0.1)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

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

    leases = {"PUBLISH_CLAIM_LEASE": "10", "PUBLISH_SEND_LEASE": "10", "PUBLISH_TIMEOUT": "3"}
    env = setup_environment(leases)
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from apps.publishing.models import Publication, PublicationStatus

    for name, value in leases.items():
        setattr(settings, name, float(value))
    x, linkedin = start_fakes(args.latency)
    env.update({"X_API_BASE_URL": x.url, "LINKEDIN_API_BASE_URL": linkedin.url})
    purge_queues()
    first_due = timezone.now() + timedelta(seconds=15)
    ids = make_publications(
        posts=args.posts, x=x, linkedin=linkedin, first_due=first_due, per_second=args.posts / 60, tag="c"
    )
    workers = [start_worker(env, threads=8, name=f"bench-chaos-{i}") for i in range(2)]
    # whatever lands on the default queue (the live digest itself routes to the publishing queue,
    # which the publish workers above read)
    notifier = start_worker(env, threads=2, name="bench-chaos-notify", queue="smai-bench-default")
    dispatcher = Dispatcher().start()
    final = (PublicationStatus.PUBLISHED, PublicationStatus.FAILED, PublicationStatus.EXPIRED)
    kills, restarted_redis, redis_down_s = 0, 0, 0.0
    started = time.monotonic()
    deadline = started + args.timeout
    next_kill = started + 15 + rng.uniform(1, 4)
    redis_at = started + 15 + 30
    try:
        while time.monotonic() < deadline:
            now = time.monotonic()
            if kills < args.kills and now >= next_kill:
                victim = rng.randrange(len(workers))
                process = workers[victim]
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                kills += 1
                workers[victim] = start_worker(env, threads=8, name=f"bench-chaos-{victim}-{kills}")
                print(f"  SIGKILL worker {victim} (kill {kills})", flush=True)
                next_kill = now + rng.uniform(2, 6)
            if not restarted_redis and now >= redis_at:
                redis_down_s = redis_restart()
                restarted_redis = 1
                print(f"  Redis restarted without saving ({redis_down_s:.1f} s)", flush=True)
            try:
                done = Publication.objects.filter(pk__in=ids, status__in=final).count()
            except Exception:
                done = -1
            if done == len(ids) and kills >= args.kills and restarted_redis:
                break
            time.sleep(1)
    finally:
        dispatcher.stop()
        for worker in [*workers, notifier]:
            stop(worker)
    checked = audit(ids, x, linkedin)
    x.stop()
    linkedin.stop()
    reconciled = Publication.objects.filter(pk__in=ids, attempts_log__kind="lookup").distinct().count()
    figures = {
        "posts": args.posts,
        "duplicates": checked["duplicates"],
        "lost": checked["lost"],
        "failed_with_reason": checked["failed_with_reason"],
        "published": checked["published"],
        "unrecorded_on_platform": checked["unrecorded_on_platform"],
        "reconciled_by_lookup": reconciled,
        "kills": kills,
        "redis_restarts": restarted_redis,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(
        f"{checked['published']} published, {checked['failed_with_reason']} failed with a reason, "
        f"{checked['lost']} lost, {checked['duplicates']} duplicates; {kills} SIGKILLs, Redis restarted once; "
        f"{reconciled} publications looked up on the platform before resending"
    )
    report("publishing_chaos", figures)


if __name__ == "__main__":
    main()
