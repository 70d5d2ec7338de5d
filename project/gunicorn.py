"""gunicorn settings for the production web process (Procfile ``web``): plain HTTP on sync WSGI
workers. WebSockets are served by daphne (Procfile ``ws``) behind the same front; see README,
"Production deployment".

Every knob comes from the environment:

- ``PORT`` (default 8000) and ``GUNICORN_BIND`` (default ``0.0.0.0:$PORT``; e.g.
  ``unix:/run/smai/web.sock`` behind nginx on the same host);
- ``WEB_CONCURRENCY``: worker processes, default 2 per core. Sync workers serve one request each
  at a time and our requests wait little (Redis, PostgreSQL on the same network), so a couple per
  core keeps the cores busy; ``python -m bench.memes`` measured 2, 4 and 6 on 2 cores;
- ``GUNICORN_TIMEOUT`` (default 30 s): a worker stuck longer is killed and replaced;
- ``GUNICORN_MAX_REQUESTS`` (default 100,000, with up to 10 % jitter so the workers do not all
  restart at once): recycles workers, which bounds slow leaks. A new worker's first requests are
  slower (database and Redis connections, process caches), so recycling every few thousand
  requests (seconds, at full load: 5,000 put 850 ms into the p99 of ``bench.memes``) costs more
  than the leaks it guards against;
- ``GUNICORN_ACCESS_LOG``: off by default (the front logs requests); ``-`` logs to stdout;
- ``FORWARDED_ALLOW_IPS`` (default 127.0.0.1): the front whose X-Forwarded-* headers are trusted;
- ``PROMETHEUS_MULTIPROC_DIR``: where the workers' metrics files go (default: a new directory in
  /dev/shm), so ``/metrics`` adds up every worker's numbers.

The application is loaded once in the master, warmed (``when_ready``: URL patterns compiled) and
forked (``preload_app``): workers start in milliseconds, warm, and share the imported code's
memory. A database connection or pool opened during the import (none is expected) is closed in the
master before forking, so no socket is shared.

``GUNICORN_WORKER_CLASS`` and ``GUNICORN_THREADS`` exist for measuring others; ``bench.memes`` on 2
cores (wrk -c64 on the same cores) gave sync × 4 about 2,800–3,400 req/s with p99 26–33 ms, and
gthread 2 × 4 threads 1,600–3,100 req/s with p99 85–500 ms (the GIL between threads).
"""

import glob
import os
import tempfile

_cores = os.cpu_count() or 1

# Prometheus across the workers: each process writes its samples to files in this directory and
# /metrics adds them up (prometheus_client's multiprocess mode), so a scrape sees every worker,
# not whichever one answered it. Set here, before the app (and prometheus_client) is imported.
# The directory is emptied at start: an earlier run's files would be counted again.
_SHM = "/dev/shm"  # noqa: S108 (in memory; mkdtemp makes a private directory in it)
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="smai-prometheus-", dir=_SHM if os.path.isdir(_SHM) else None
)
os.makedirs(_metrics_dir, exist_ok=True)
for _stale in glob.glob(os.path.join(_metrics_dir, "*.db")):
    os.remove(_stale)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cores))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
# Sync workers answer one request per connection ("Connection: close"); the front keeps its own
# keep-alive connections to the browsers. The setting matters for other worker classes only.
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10
preload_app = True
backlog = 2048
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The heartbeat file lives in memory, not on a disk that may block fchmod (gunicorn's FAQ).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn's own advice)
# No runtime control socket: several servers (web, benchmarks) may run under one user.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "") == ""
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
proc_name = "smai-web"


def pre_fork(server, worker):
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()


def when_ready(server):
    """Warm the preloaded application in the master, once, before any worker is forked: compile
    the URL patterns (Django compiles them lazily on a process's first request, about 150 ms here,
    the bulk of a cold request) and build the API's routes. Every worker, including those that
    replace recycled ones (``max_requests``), is forked warm. Nothing here opens a connection."""
    from django.urls import get_resolver, reverse

    from project.warmup import WARM_PATHS

    resolver = get_resolver()
    for path in WARM_PATHS:
        try:
            resolver.resolve(path)
        except Exception:  # warming is best effort; the request itself will say what is wrong
            server.log.warning("warm-up: %s did not resolve", path)
    reverse("healthz")  # builds the reverse lookup tables too


def child_exit(server, worker):
    """A worker's live gauges leave with it (its counters and histograms stay counted)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
