"""Helpers shared by the benchmarks."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def report(name: str, figures: dict) -> None:
    """Print the figures as the last line (one JSON object) and keep them in bench/results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    line = json.dumps(figures, sort_keys=True)
    (RESULTS / f"{name}.json").write_text(line + "\n")
    print(line)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def start_web(env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start the web process exactly as the Procfile does (daphne) and wait until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "project.asgi:application"],
        cwd=ROOT,
        env={**os.environ, "SOCIALMEDAI_QUIET_FALLBACKS": "1", **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urlopen(f"{url}/healthz", timeout=2).read()  # noqa: S310 (our own local server)
            return process, url
        except Exception:  # not up yet, or 503: keep waiting until it answers 200
            if process.poll() is not None:
                raise RuntimeError("web process exited during start-up") from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("web process did not answer /healthz within 60 s")


def bench_database_env() -> dict:
    """A database of the benchmark's own: PostgreSQL when it answers, else a SQLite file."""
    from project.devenv import _answers

    env = {"SOCIALMEDAI_QUIET_FALLBACKS": "1", "DJANGO_SETTINGS_MODULE": "project.settings"}
    if _answers("127.0.0.1", 5432):
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'smai_bench'").fetchone():
                conn.execute("CREATE DATABASE smai_bench")
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/smai_bench"
    else:
        env["DATABASE_URL"] = f"sqlite:///{ROOT / 'bench' / '.bench.sqlite3'}"
    if _answers("127.0.0.1", 6379):
        env["REDIS_URL"] = "redis://127.0.0.1:6379/9"
        env["CACHE_KEY_PREFIX"] = "smai-bench"
    return env
