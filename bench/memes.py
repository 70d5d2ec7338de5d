"""Meme rendering, the HTTP stack and the live feed, on this machine.

    python -m bench.memes [--workers W] [--seconds S] [--clients N]

Rendering, in this process, no cache (``apps.memes.render.render`` called directly; see
bench/_memes_render.py and bench/_memes_images.py for the templates and captions):

- static_per_s_per_core: 800×600 photo-like JPEG template → 800×600 JPEG, two short lines, one
  process. Goal ≥ 150. (static_noise_per_s_per_core: the same on a pure-noise template.)
- gif_per_s: a 20-frame 520×300 animated template → GIF, two lines. Goal ≥ 8.

Through the production HTTP server (gunicorn, sync workers, project/gunicorn.py; the front, nginx in
production, is a separate process and not in the path here), on a fresh database with the starter
templates and 500 public memes with votes:

- cache_hit_p50_ms: GET /memes/render/<slug>.jpg?text=…&text=… already rendered (the stored file is
  served), 500 sequential requests from one client. Goal < 5. (stored_file_p50_ms: GET of the
  stored file /memes/r/<key>-medium.jpg itself.)
- trending_rps, trending_p99_ms: wrk -t2 -c64 GET /api/v1/memes/trending?page=1&page_size=20, wrk
  on the same 2 cores as the server. Goals ≥ 2,000 and < 100 ms.
- bare_rps: the same wrk against a bare Django view returning the same JSON bytes (bench/urls.py),
  same server, same run; trending_ratio = trending_rps / bare_rps. Goal ≥ 0.5.

Through the production WebSocket server (daphne, project.asgi, channels_redis pub/sub layer):

- ws_broadcast_p95_ms_1k: 1,000 clients on /ws/memes/feed/ (another process, spread over one daphne
  process per core as the front spreads them in production); 20 new memes, one every 0.5 s, each
  announced by ``apps.memes.events.meme_published`` from this process (which renders the card
  fragments and publishes them); per client and meme, from just before the call until the frame's
  first bytes reach the client's socket. p95 over all deliveries. Goal < 100.

The machine's load average when the run started is in the figures: every part shares the 2 cores,
so anything else running at the same time lowers them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench._common import ROOT, report

TRENDING = "/api/v1/memes/trending?page=1&page_size=20"
BARE = "/bench/bare.json"
WS_PATH = "/ws/memes/feed/"


def bench_cache_hit(url: str, runs: int = 500) -> dict:
    import httpx

    from bench._memes import percentile

    params = [("text", "one does not simply"), ("text", "serve a meme in 5 ms")]
    render_path = "/memes/render/change-my-mind.jpg"
    with httpx.Client(base_url=url, timeout=30) as client:
        first = client.get(render_path, params=params)
        first.raise_for_status()
        stored_path = first.headers["Content-Location"]
        results = {}
        for label, path, query in (("render_url", render_path, params), ("stored", stored_path, None)):
            for _ in range(20):
                client.get(path, params=query).raise_for_status()
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                response = client.get(path, params=query)
                times.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200 or len(response.content) != len(first.content):
                    raise RuntimeError(f"{path}: {response.status_code}, {len(response.content)} bytes")
            results[label] = (percentile(times, 50), percentile(times, 95))
    print(
        f"cache hit: GET {render_path}?text=…&text=… (stored file served): p50 {results['render_url'][0]:.2f} ms, "
        f"p95 {results['render_url'][1]:.2f} ms over {runs}; the stored file {stored_path[:24]}…: "
        f"p50 {results['stored'][0]:.2f} ms, p95 {results['stored'][1]:.2f} ms",
        flush=True,
    )
    return {
        "cache_hit_p50_ms": round(results["render_url"][0], 2),
        "cache_hit_p95_ms": round(results["render_url"][1], 2),
        "stored_file_p50_ms": round(results["stored"][0], 2),
        "stored_file_p95_ms": round(results["stored"][1], 2),
    }


def bench_trending(url: str, bare_file: str, seconds: int) -> dict:
    import httpx

    from bench._memes import wrk

    body = httpx.get(url + TRENDING, timeout=30)
    body.raise_for_status()
    data = body.json()
    if not data.get("results"):
        raise RuntimeError(f"the trending page is empty: {body.text[:200]}")
    Path(bare_file).write_bytes(body.content)
    bare = httpx.get(url + BARE, timeout=30)
    if bare.content != body.content:
        raise RuntimeError("the bare view does not return the trending page's bytes")
    for path in (TRENDING, BARE):  # warm every worker (process-local caches, connection pools)
        wrk(url + path, seconds=3)
    results = {}
    for label, path in (("bare", BARE), ("trending", TRENDING)):
        results[label] = result = wrk(url + path, seconds=seconds)
        if result["errors"]:
            raise RuntimeError(f"wrk {path}: {result['errors']} errors of {result['requests']} requests")
        print(
            f"{label}: GET {path} ({len(body.content)} bytes of JSON), wrk -t2 -c64 -d{seconds}s: "
            f"{result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms",
            flush=True,
        )
    trending, bare = results["trending"], results["bare"]
    return {
        "trending_rps": round(trending["rps"]),
        "trending_p99_ms": round(trending["p99_ms"], 1),
        "trending_p50_ms": round(trending["p50_ms"], 2),
        "bare_rps": round(bare["rps"]),
        "bare_p99_ms": round(bare["p99_ms"], 1),
        "trending_ratio": round(trending["rps"] / bare["rps"], 3),
        "trending_items": len(data["results"]),
    }


def bench_ws(env: dict, *, clients: int, memes: int, interval: float, servers: int) -> dict:
    from apps.memes import events
    from apps.memes.models import Meme
    from bench._memes import meme_id_in, percentile, start_daphne, stop

    daphnes = [start_daphne(env) for _ in range(servers)]
    ws_urls = ",".join(url.replace("http://", "ws://") + WS_PATH for _, url in daphnes)
    # One more meme than timed: the first warms this process (templates, the layer's connection)
    # and every socket's path, and is not counted.
    listeners = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench._memes_ws",
            ws_urls,
            str(clients),
            str(memes + 1),
            str(60 + (memes + 1) * interval),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = listeners.stdout.readline()
        if not ready.startswith("ready"):
            raise RuntimeError(f"the WebSocket clients did not connect: {ready!r}")
        time.sleep(1.0)
        ids = list(
            Meme.objects.filter(is_public=True, moderation=Meme.Moderation.VISIBLE)
            .order_by("-pk")
            .values_list("pk", flat=True)[: memes + 1]
        )
        sent = []
        for meme_id in ids:
            sent.append(time.monotonic_ns())
            events.meme_published(meme_id)
            time.sleep(interval)
        result = json.loads(listeners.stdout.readline())
        ids, sent = ids[1:], sent[1:]
        result["times"] = [times[1:] for times in result["times"]]
        result["texts"] = result["texts"][1:]
        listeners.wait(timeout=30)
    finally:
        if listeners.poll() is None:
            listeners.kill()
        for daphne, _ in daphnes:
            stop(daphne)
    latencies, missing = [], 0
    for times in result["times"]:
        missing += len(ids) - len(times)
        latencies += [(t - s) / 1e6 for t, s in zip(times, sent, strict=False)]
    mismatched = sum(
        1 for text, meme_id in zip(result["texts"], ids, strict=False) if not meme_id_in(text, meme_id)
    )
    if mismatched:
        found = [re.findall(r'id="meme-(\d+)"', text)[:1] for text in result["texts"]]
        raise RuntimeError(
            f"{mismatched} feed messages did not carry the meme they were timed for: sent {ids}, got {found}"
        )
    p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
    print(
        f"ws broadcast: {len(ids)} new memes to {clients} clients ({len(latencies)} deliveries, {missing} missing): "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms",
        flush=True,
    )
    return {
        "ws_broadcast_p95_ms_1k": round(p95, 1),
        "ws_broadcast_p50_ms_1k": round(p50, 1),
        "ws_broadcast_p99_ms_1k": round(p99, 1),
        "ws_clients": clients,
        "ws_servers": servers,
        "ws_deliveries": len(latencies),
        "ws_missing": missing,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the config's)")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per endpoint")
    parser.add_argument("--clients", type=int, default=1000, help="WebSocket clients")
    parser.add_argument("--ws-memes", type=int, default=20)
    parser.add_argument("--ws-interval", type=float, default=0.5, help="seconds between new memes")
    parser.add_argument(
        "--ws-servers",
        type=int,
        default=os.cpu_count() or 1,
        help="daphne processes, clients spread over them (default: one per core, as in production)",
    )
    parser.add_argument("--only", choices=["render", "http", "ws"], help="one part only (while tuning)")
    args = parser.parse_args()

    from bench._memes import clean_media, make_feed, setup_environment, start_gunicorn, stop, wrk_path

    wrk_path()  # fail early when wrk is missing
    # Everything here shares the machine's cores: other work running at the same time shows in
    # the figures, so the load when the run started is reported with them.
    load_at_start = round(os.getloadavg()[0], 2)
    env = setup_environment()
    figures: dict = {}
    try:
        if args.only in (None, "render"):
            from bench import _memes_render

            figures.update(_memes_render.run())
        started = time.monotonic()
        feed = make_feed()
        print(
            f"feed: {feed['memes']} public memes, {feed['votes']} votes ({time.monotonic() - started:.0f} s)"
        )
        workers = args.workers or 2 * (os.cpu_count() or 1)
        if args.only in (None, "http"):
            gunicorn, url = start_gunicorn(env, workers=workers)
            try:
                figures.update(bench_cache_hit(url))
                figures.update(bench_trending(url, env["BENCH_BARE_JSON"], args.seconds))
            finally:
                stop(gunicorn)
        if args.only in (None, "ws"):
            figures.update(
                bench_ws(
                    env,
                    clients=args.clients,
                    memes=args.ws_memes,
                    interval=args.ws_interval,
                    servers=args.ws_servers,
                )
            )
    finally:
        clean_media(env)
    figures.update(
        {
            "load_average_at_start": load_at_start,
            "server": f"gunicorn, {workers} sync workers (project/gunicorn.py); WebSocket: "
            f"{args.ws_servers} daphne process{'es' if args.ws_servers > 1 else ''}",
            "cores": os.cpu_count(),
            "load_tool": "wrk -t2 -c64 on the same cores",
        }
    )
    report("memes", figures)


if __name__ == "__main__":
    main()
