"""Resident memory of a started web process (daphne serving project.asgi), after it has served
each kind of page once. Goal: < 300 MB.

    python -m bench.web_rss
"""

import sys
from urllib.request import urlopen

from bench._common import report, rss_mb, start_web

PATHS = ["/", "/accounts/login/", "/accounts/signup/", "/api/docs", "/api/v1/openapi.json", "/healthz"]


def main() -> None:
    process, url = start_web()
    try:
        started = rss_mb(process.pid)
        for _ in range(3):
            for path in PATHS:
                urlopen(f"{url}{path}", timeout=10).read()  # noqa: S310 (our own local server)
        warmed = rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(
        f"web process RSS after start: {started:.1f} MB; after serving {len(PATHS)} pages x3: {warmed:.1f} MB"
    )
    report("web_rss", {"web_rss_mb": round(warmed, 1), "web_rss_start_mb": round(started, 1)})


if __name__ == "__main__":
    sys.exit(main())
