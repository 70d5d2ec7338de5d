"""What the publishing benchmarks share: the fake X and LinkedIn servers, brands with linked
accounts, scheduled publications made in bulk, Celery publish workers as separate processes,
the real dispatcher ticking, and the exactly-once audit (duplicates, lost)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from bench._common import ROOT, bench_database_env

PUBLISH_QUEUE = "smai-bench-publish"
BRANDS = 20


def setup_environment(extra: dict | None = None) -> dict:
    """Environment shared by this process and the workers; call before django.setup()."""
    sys.path.insert(0, str(ROOT))
    env = bench_database_env()
    if env["DATABASE_URL"].startswith("postgres"):
        # A database of its own, new each run: a table left with hundreds of thousands of dead
        # rows by earlier runs would measure the bloat, not the publishing.
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS smai_bench_publishing WITH (FORCE)")
            conn.execute("CREATE DATABASE smai_bench_publishing")
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/smai_bench_publishing"
    if "REDIS_URL" not in env:
        raise SystemExit("The publishing benchmarks need Redis (workers are separate processes).")
    env.update(
        {
            "TESTING": "0",  # tests.fakes imports pytest; the settings must not think they run tests
            "DEBUG": "0",  # as in production: no query log in every worker thread
            "CELERY_QUEUE": "smai-bench-default",
            "PUBLISH_QUEUE": PUBLISH_QUEUE,
            "MEDIA_ROOT": tempfile.mkdtemp(prefix="smai-bench-media-"),
            # "limits set high": the buckets must not be what is measured
            "PUBLISH_BUCKET_OVERRIDES": "x=10000000/60,x:account=10000000/60,"
            "linkedin=10000000/60,linkedin:account=10000000/60",
            "DB_POOL_MAX": "40",
            **(extra or {}),
        }
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return env


def start_fakes(latency: float):
    from tests.fakes.linkedin_api import FakeLinkedIn
    from tests.fakes.x_api import FakeX

    x, linkedin = FakeX().start(), FakeLinkedIn().start()
    for fake in (x, linkedin):
        fake.latency = latency
    x.rate_limit = linkedin.rate_limit = (10_000_000, 900)
    os.environ["X_API_BASE_URL"], os.environ["LINKEDIN_API_BASE_URL"] = x.url, linkedin.url
    from django.conf import settings

    settings.X_API_BASE_URL, settings.LINKEDIN_API_BASE_URL = x.url, linkedin.url
    return x, linkedin


def make_publications(*, posts: int, x, linkedin, first_due, per_second: float, tag: str) -> list[int]:
    """`posts` approved posts, half on X and half on LinkedIn, due one after another at
    `per_second` from `first_due`, as post_schedule would leave them (made in bulk: setup is not
    what is measured). Brand members get in-app notifications (not emails: no mail worker runs)."""
    from allauth.socialaccount.models import SocialAccount, SocialToken
    from django.utils import timezone

    from apps.accounts.models import Role, User
    from apps.brands.models import Brand, BrandMembership, MembershipRole, SocialConnection
    from apps.posts.models import Post, PostCopy, PostStatus
    from apps.publishing.models import Publication

    Brand.objects.filter(slug__startswith="bench-pub-").delete()
    User.objects.filter(email__endswith="@bench-pub.example").delete()
    accounts = []
    for b in range(BRANDS):
        brand = Brand.objects.create(name=f"Bench brand {b}", slug=f"bench-pub-{tag}-{b}", timezone="UTC")
        user = User.objects.create(
            email=f"owner{b}-{tag}@bench-pub.example", role=Role.BRAND, email_notifications=False
        )
        BrandMembership.objects.create(brand=brand, user=user, role=MembershipRole.OWNER)
        for platform, fake in (("x", x), ("linkedin", linkedin)):
            uid = f"{tag}{b}{platform}"
            access = (
                fake.issue_token(user_id=uid, handle=f"bench{b}")[0]
                if platform == "x"
                else fake.issue_token(uid)
            )
            account = SocialAccount.objects.create(
                user=user, provider="twitter_oauth2" if platform == "x" else "linkedin", uid=uid
            )
            SocialToken.objects.create(
                account=account, token=access, token_secret="", expires_at=timezone.now() + timedelta(days=30)
            )
            connection = SocialConnection.objects.create(
                brand=brand,
                platform=platform,
                social_account=account,
                handle=f"bench{b}",
                token_expires_at=timezone.now() + timedelta(days=30),
            )
            accounts.append(connection)
    made = Post.objects.bulk_create(
        [
            Post(
                brand_id=accounts[i % len(accounts)].brand_id,
                tone="friendly",
                post_format="post",
                status=PostStatus.SCHEDULED,
                generation_state="ready",
            )
            for i in range(posts)
        ],
        batch_size=2000,
    )
    copies, publications = [], []
    for i, post in enumerate(made):
        connection = accounts[i % len(accounts)]
        text = f"Bench {tag} post {i}: instant payments reach small businesses."
        copies.append(PostCopy(post=post, platform=connection.platform, parts=[text], source="template"))
        due = first_due + timedelta(seconds=i / per_second)
        publications.append(
            Publication(
                post=post,
                brand_id=connection.brand_id,
                connection=connection,
                platform=connection.platform,
                copy_platform=connection.platform,
                scheduled_for=due,
                due_at=due,
            )
        )
    PostCopy.objects.bulk_create(copies, batch_size=2000)
    Publication.objects.bulk_create(publications, batch_size=2000)
    return [p.pk for p in publications]


def start_worker(env: dict, *, threads: int, name: str, queue: str = PUBLISH_QUEUE) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "project",
            "worker",
            "-Q",
            queue,
            "--pool=threads",
            f"--concurrency={threads}",
            "--loglevel=WARNING",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)


def purge_queues() -> None:
    """Messages a previous run left in the broker would be claimed against stale tokens (harmless,
    but they cost time): start clean."""
    from project.celery import app

    with app.connection_for_write() as conn:
        for queue in (PUBLISH_QUEUE, "smai-bench-default"):
            with contextlib.suppress(Exception):  # the queue does not exist yet
                conn.default_channel.queue_purge(queue)


@dataclass
class Dispatcher:
    """The real dispatcher (apps.publishing.services.publications_dispatch), ticking as beat ticks it."""

    every: float = 2.0
    claimed: int = 0
    errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _run(self):
        from django.db import close_old_connections

        from apps.publishing.services import publications_dispatch

        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.claimed += publications_dispatch().claimed
            except Exception as exc:  # Redis restarting: the next tick tries again, like beat would
                self.errors.append(repr(exc))
                close_old_connections()
            self._stop.wait(max(0.0, self.every - (time.monotonic() - started)))

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=30)


def audit(ids: list[int], x, linkedin) -> dict:
    """Exactly-once, checked on both sides: what the platforms hold and what we recorded."""
    from collections import Counter

    from apps.publishing.models import Publication, PublicationStatus

    rows = list(Publication.objects.filter(pk__in=ids).values("pk", "status", "external_id", "last_error"))
    texts = Counter(t["text"] for t in list(x.tweets)) + Counter(
        p["commentary"] for p in list(linkedin.posts)
    )
    duplicates = sum(n - 1 for n in texts.values() if n > 1)
    published = [r for r in rows if r["status"] == PublicationStatus.PUBLISHED]
    failed_with_reason = [r for r in rows if r["status"] == PublicationStatus.FAILED and r["last_error"]]
    # lost: neither published nor failed with a reason we show the brand
    lost = len(rows) - len(published) - len(failed_with_reason)
    on_platforms = sum(texts.values()) - duplicates
    return {
        "published": len(published),
        "failed_with_reason": len(failed_with_reason),
        "lost": lost,
        "duplicates": duplicates,
        "on_platforms": on_platforms,
        "unrecorded_on_platform": max(0, on_platforms - len(published)),
    }
