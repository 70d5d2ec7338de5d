"""What ``python -m bench.memes`` needs around the figures: its own database with the starter
templates and a feed of memes with votes, the production servers (gunicorn for HTTP, daphne for
WebSockets) started as the Procfile starts them, and wrk."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock
from urllib.error import HTTPError
from urllib.request import urlopen

from bench._common import ROOT, bench_database_env, free_port

DATABASE = "smai_bench_memes"
USERS = 60
MEMES = 500


def setup_environment() -> dict:
    """A fresh database of the benchmark's own, DEBUG off; call before anything imports Django."""
    sys.path.insert(0, str(ROOT))
    env = bench_database_env()
    if not env["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("bench.memes needs PostgreSQL on 127.0.0.1:5432 (the production database).")
    if "REDIS_URL" not in env:
        raise SystemExit("bench.memes needs Redis on 127.0.0.1:6379 (trending set and channel layer).")
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    # BENCH_REDIS_URL: another Redis database (a developer running it beside other work).
    env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL") or env["REDIS_URL"]
    env.update(
        {
            "TESTING": "0",
            "DEBUG": "0",
            "DJANGO_ROOT_URLCONF": "bench.urls",
            "MEDIA_ROOT": tempfile.mkdtemp(prefix="smai-bench-memes-media-"),
            "LOG_LEVEL": "WARNING",
            "CELERY_TASK_ALWAYS_EAGER": "1",  # nothing here needs a worker
            "BENCH_BARE_JSON": str(Path(tempfile.mkdtemp(prefix="smai-bench-memes-")) / "bare.json"),
        }
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return env


def make_feed(*, users: int = USERS, memes: int = MEMES, seed: int = 5) -> dict:
    """The starter templates, `users` users and `memes` public memes (rendered and stored through
    ``services.meme_create``, thumbnails to keep set-up short) with votes spread over two days, and
    the trending set rebuilt from the database."""
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import Role, User
    from apps.memes import generation, services, trending
    from apps.memes.models import Meme, MemeTemplate, MemeVote

    rng = random.Random(seed)
    services.template_import()
    templates = list(MemeTemplate.objects.filter(status=MemeTemplate.Status.APPROVED, is_animated=False))
    people = User.objects.bulk_create(
        [
            User(email=f"voter{i}@bench-memes.example", role=Role.BRAND, email_notifications=False)
            for i in range(users)
        ]
    )
    made = []
    # One commit for all; no live events for this backlog (each renders three fragments, 500 of
    # them would only slow the set-up: nobody watches yet).
    with mock.patch("apps.memes.events.meme_published"), transaction.atomic():
        for i in range(memes):
            template = templates[i % len(templates)]
            texts = [f"bench meme {i}", f"{rng.choice(['ship it', 'on fire', 'it works', 'why'])} {i}"]
            texts = texts[: len(template.text_boxes())]
            spec = generation.spec_from_input(template=template, texts=texts)
            meme, _ = services.meme_create(
                user=people[i % users], spec=spec, size="thumbnail", is_public=True
            )
            made.append(meme)
    now = timezone.now()
    votes = []
    for meme in made:
        meme.created_at = now - timedelta(minutes=rng.randint(0, 48 * 60))
        voters = rng.sample(people, rng.randint(0, min(40, users)))
        for user in voters:
            votes.append(MemeVote(meme=meme, user=user, value=1 if rng.random() < 0.8 else -1))
        meme.up_votes = sum(1 for v in votes[-len(voters) :] if v.value == 1) if voters else 0
        meme.down_votes = len(voters) - meme.up_votes
        meme.score = meme.up_votes - meme.down_votes
        meme.hot = trending.meme_hot(meme)
    MemeVote.objects.bulk_create(votes, batch_size=2000)
    Meme.objects.bulk_update(made, ["created_at", "up_votes", "down_votes", "score", "hot"], batch_size=500)
    trending.trending_rebuild()
    return {"memes": len(made), "votes": len(votes), "users": users}


def clean_media(env: dict) -> None:
    shutil.rmtree(env["MEDIA_ROOT"], ignore_errors=True)
    shutil.rmtree(Path(env["BENCH_BARE_JSON"]).parent, ignore_errors=True)


# --- servers --------------------------------------------------------------------------------------


def _wait_http(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urlopen(url, timeout=2).read()  # noqa: S310 (our own local server)
            return
        except HTTPError:  # it answers (healthz says 503 when, say, no worker heartbeat is seen)
            return
        except Exception:
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited during start-up") from None
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{what} did not answer {url} within 60 s")


def start_gunicorn(env: dict, *, workers: int) -> tuple[subprocess.Popen, str]:
    """The Procfile's ``web`` process: gunicorn -c project/gunicorn.py project.wsgi."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "project/gunicorn.py", "project.wsgi"],
        cwd=ROOT,
        env={**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_http(f"{url}/healthz", process, "gunicorn")
    return process, url


def start_daphne(env: dict) -> tuple[subprocess.Popen, str]:
    """The Procfile's ``ws`` process: daphne serving project.asgi (WebSockets)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "project.asgi:application"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_http(f"{url}/healthz", process, "daphne")
    return process, url


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- wrk ------------------------------------------------------------------------------------------

# wrk's done() hook: the figures as one JSON line (latencies in microseconds).
WRK_REPORT = """
done = function(summary, latency, requests)
  local s = summary
  local e = s.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"non_2xx": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\\n',
    s.requests, s.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
"""


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("bench.memes needs wrk: apt-get install -y wrk (make bench installs it).")
    return path


def wrk(url: str, *, connections: int = 64, threads: int = 2, seconds: int = 10) -> dict:
    """wrk -t2 -c64 -dN against `url`; requests per second and latency percentiles in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    try:
        out = subprocess.run(
            [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", script.name, url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in reversed(out.splitlines()) if line.startswith("{"))
    raw = json.loads(line)
    errors = raw["non_2xx"] + raw["connect_errors"] + raw["read_errors"] + raw["write_errors"]
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "requests": raw["requests"],
        "errors": errors,
        "timeouts": raw["timeouts"],
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def meme_id_in(html: str, meme_id: int) -> bool:
    return re.search(rf"(?<!\d){meme_id}(?!\d)", html) is not None
