"""Post generation speed: a template graphic, template copy, and a whole post through a worker.

    python -m bench.generation

- graphic_p95_s: p95 of rendering a 1200×630 template graphic (with a logo). Goal < 0.5 s.
- copy_template_p95_ms: p95 of writing template copy (every tone × format, many trends).
- generate_post_p95_s: p95 from "generate" to "ready" for a post on X and LinkedIn (copy for
  both, card + story graphics stored with variants), run by a real Celery worker process while
  a local fake LLM server answers every call in 200 ms. Goal < 3 s.
"""

import io
import os
import subprocess
import sys
import tempfile
import time
from types import SimpleNamespace

from bench._common import ROOT, bench_database_env, report

RUNS = 40
POSTS = 12


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def bench_graphic() -> float:
    from PIL import Image

    from apps.integrations.images.base import GraphicSpec
    from apps.integrations.images.layouts import render_graphic

    logo = io.BytesIO()
    Image.new("RGBA", (400, 400), (79, 70, 229, 255)).save(logo, "PNG")
    layouts = ["bold", "split", "minimal"]
    times = []
    for i in range(RUNS):
        spec = GraphicSpec(
            kind="post_card",
            headline=f"EU instant payments rule takes effect: ten-second transfers for {i + 2} million SMEs",
            brand_name="Ledgerly",
            logo=logo.getvalue(),
            layout=layouts[i % 3],
        )
        start = time.perf_counter()
        render_graphic(spec)
        times.append(time.perf_counter() - start)
    print(f"1200x630 template graphic: p95 {p95(times) * 1000:.0f} ms over {RUNS}")
    return p95(times)


def bench_template_copy() -> float:
    from apps.posts.copy_templates import template_copy

    brand = SimpleNamespace(
        name="Ledgerly",
        industry=SimpleNamespace(name="Fintech", slug="fintech"),
        industry_id=1,
        pillars=["Instant payments for small businesses", "Faster cash flow for SMEs"],
        audience_roles=["CFOs", "Founders"],
        audience_geographies=["Europe"],
        audience_company_sizes=["11-50"],
        voice_profile={},
        voice_samples=[],
        default_tone="friendly",
        banned_topics=[],
    )
    shapes = [("x", "post"), ("x", "thread"), ("linkedin", "post"), ("linkedin", "carousel")]
    tones = ["professional", "friendly", "witty", "bold", "educational", "inspirational"]
    times = []
    for i in range(240):
        trend = SimpleNamespace(
            title=f"Story {i}: instant payments reach small businesses across Europe",
            summary="Banks must now send euro transfers in ten seconds, at no extra cost.",
            category="regulation",
        )
        platform, post_format = shapes[i % 4]
        start = time.perf_counter()
        template_copy(brand=brand, trend=trend, platform=platform, post_format=post_format, tone=tones[i % 6])
        times.append(time.perf_counter() - start)
    print(f"template copy: p95 {p95(times) * 1000:.2f} ms over {len(times)}")
    return p95(times) * 1000


def bench_generate_post(llm) -> float:
    import json

    if not os.environ.get("REDIS_URL"):
        print("generate_post needs Redis for a worker process; skipped")
        return float("nan")
    from django.core.management import call_command
    from django.utils import timezone

    from apps.brands.models import Brand, Industry
    from apps.posts.models import GenerationState, Post
    from apps.posts.services import post_generate_request
    from tests.trends.conftest import make_trend

    call_command("migrate", verbosity=0)
    brand, _ = Brand.objects.get_or_create(
        slug="bench-generation",
        defaults={
            "name": "Ledgerly",
            "industry": Industry.objects.get(slug="fintech"),
            "pillars": ["Instant payments for small businesses"],
            "audience_roles": ["CFOs"],
            "onboarding_completed_at": timezone.now(),
        },
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "project",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            "smai-bench",
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times = []
    try:
        time.sleep(3)  # the worker connects to the broker
        for i in range(POSTS):
            trend = make_trend(f"Bench story {time.time_ns()}: instant payments for SMEs")
            llm.replies(
                [
                    json.dumps(
                        {
                            "parts": [
                                f"Ten-second euro transfers are live ({i}). What changes for your cash flow?"
                            ]
                        }
                    ),
                    json.dumps(
                        {
                            "parts": [
                                f"Instant payments are now the rule across the euro area ({i}).\n\nWhat it means for SMEs."
                            ]
                        }
                    ),
                ]
            )
            start = time.perf_counter()
            post = post_generate_request(
                brand=brand,
                trend=trend,
                user=None,
                platforms=["x", "linkedin"],
                post_format="post",
                tone="friendly",
            )
            deadline = start + 60
            while time.perf_counter() < deadline:
                state = Post.objects.values_list("generation_state", flat=True).get(pk=post.pk)
                if state in (GenerationState.READY, GenerationState.FAILED):
                    break
                time.sleep(0.02)
            assert state == GenerationState.READY, f"post {post.pk} ended {state}"
            assert Post.objects.get(pk=post.pk).copies.filter(source="llm").count() == 2
            times.append(time.perf_counter() - start)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    print(
        f"whole post through the worker (LLM answering in 200 ms): p95 {p95(times):.2f} s over {len(times)}"
    )
    return p95(times)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fakes.llm import FakeLLMServer, llm_env

    llm = FakeLLMServer().start()
    llm.delay(0.2)
    # The worker process and this one share the database, broker queue, media folder and LLM.
    os.environ.update(
        {
            **bench_database_env(),
            **llm_env(llm),
            "CELERY_QUEUE": "smai-bench",
            "MEDIA_ROOT": tempfile.mkdtemp(prefix="smai-bench-media-"),
            # The fake comes from tests/, which imports pytest: without this the settings would
            # think they run under pytest and run tasks eagerly in this process.
            "TESTING": "0",
        }
    )
    import django

    django.setup()
    try:
        graphic = bench_graphic()
        copy_ms = bench_template_copy()
        post_s = bench_generate_post(llm)
    finally:
        llm.stop()
    report(
        "generation",
        {
            "graphic_p95_s": round(graphic, 3),
            "copy_template_p95_ms": round(copy_ms, 2),
            "generate_post_p95_s": round(post_s, 2),
        },
    )


if __name__ == "__main__":
    sys.exit(main())
