"""Writing your own posts at volume: a 1,000-row CSV import and 5 MB image uploads.

    python -m bench.composer

On a database of its own (PostgreSQL when it answers, else SQLite), migrated when needed; each
run makes a fresh brand (with its Sandbox account, as brand_create makes it) in New York and
deletes it after.

- csv_import_1000_rows_s: apps.publishing.csv_import on a 1,000-row CSV as a user writes one
  (a third X-only, a third X and LinkedIn, a sixth LinkedIn, a sixth 3-tweet X threads; times on
  the brand's clock over the next 60 days, some with an offset): the dry run (csv_import_plan)
  plus the import (csv_import_commit) that approves and schedules every row, each in its own
  transaction. The worst of RUNS runs; the dry run and the import are reported apart. Goal < 10 s.
- media_upload_p95_s: apps.media.services.media_asset_upload of a 5 MB JPEG (camera noise, so
  it does not shrink to nothing), each upload different bytes (no dedupe), re-encoded and
  stripped as the library does: p50 / p95 / max of UPLOADS uploads. Goal < 1 s. Files go to a
  temporary MEDIA_ROOT, removed after.

Wall-clock figures: the machine's load average is reported beside them.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
import time
from datetime import timedelta

from bench._common import ROOT, bench_database_env, report

ROWS, RUNS, UPLOADS = 1_000, 3, 20
DATABASE = "smai_bench_composer"
TARGET_IMAGE_BYTES = 5 * 1024 * 1024


def setup(media_root: str) -> None:
    """Django on a database of the bench's own (created and migrated when needed)."""
    sys.path.insert(0, str(ROOT))
    env = bench_database_env()
    if env["DATABASE_URL"].startswith("postgres"):
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
                conn.execute(f"CREATE DATABASE {DATABASE}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{ROOT / 'bench' / '.bench-composer.sqlite3'}"
    env.update(
        {
            "TESTING": "0",
            "DEBUG": "0",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CACHE_KEY_PREFIX": "smai-bench-composer",
            "MEDIA_ROOT": media_root,
        }
    )
    os.environ.update(env)
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_brand(run: str):
    from apps.accounts.models import Role, User
    from apps.brands.services import brand_create

    user, _ = User.objects.get_or_create(email="bench-composer@example.com", defaults={"role": Role.BRAND})
    from apps.brands.models import Brand

    Brand.objects.filter(memberships__user=user).delete()  # an interrupted run's brands
    brand = brand_create(user=user, name=f"Bench composer {run}")
    brand.timezone = "America/New_York"
    brand.save(update_fields=["timezone"])
    return brand, user


def make_csv(rows: int = ROWS) -> bytes:
    """A CSV as a user writes one: text, platforms, brand-clock times (some with an offset), threads."""
    import csv
    from datetime import date

    from django.utils import timezone

    start = timezone.now().date() + timedelta(days=2)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "platforms", "date", "time", "datetime", "text_2", "text_3", "first_comment"])
    for i in range(rows):
        day: date = start + timedelta(days=i % 60)
        clock = f"{8 + i % 10:02d}:{(i * 7) % 60:02d}"
        text = (
            f"Post {i}: how small teams get paid faster — invoices out the same day, reminders that "
            f"sound human, and a weekly look at who owes what. #payments #smallbusiness"
        )
        kind = i % 6
        if kind in (0, 1):
            row = [text, "x", f"{day}", clock, "", "", "", ""]
        elif kind in (2, 3):
            row = [text, "x, linkedin", "", "", f"{day}T{clock}:00-05:00", "", "", ""]
        elif kind == 4:
            row = [text + " More on our blog.", "linkedin", f"{day}", clock, "", "", "", ""]
        else:
            row = [
                f"Thread {i}: three habits of teams that get paid on time.",
                "x",
                f"{day}",
                clock,
                "",
                "1. Invoice the day the work is done.",
                "2. Remind kindly, three days before the due date.",
                "",
            ]
        writer.writerow(row)
    return out.getvalue().encode()


def bench_import() -> tuple[list[float], list[float], list[int]]:
    from apps.brands.models import Brand
    from apps.publishing.csv_import import csv_import_commit, csv_import_plan
    from apps.publishing.models import Publication

    data = make_csv()
    plans, imports, created = [], [], []
    for run in range(RUNS):
        brand, user = make_brand(f"run {run}")
        started = time.perf_counter()
        plan = csv_import_plan(brand=brand, data=data, mode="schedule")
        planned = time.perf_counter()
        result = csv_import_commit(brand=brand, user=user, data=data, mode="schedule")
        done = time.perf_counter()
        if plan.bad or result.failed:
            raise RuntimeError(
                f"rows refused: {[(r.line, r.errors) for r in (plan.bad or result.failed)][:3]}"
            )
        publications = Publication.objects.filter(brand=brand).count()
        plans.append(planned - started)
        imports.append(done - planned)
        created.append(len(result.created))
        print(
            f"run {run}: dry run {planned - started:.2f} s, import {done - planned:.2f} s "
            f"({len(result.created)} posts scheduled, {publications} publications)"
        )
        Brand.objects.filter(pk=brand.pk).delete()
    return plans, imports, created


def five_mb_jpeg(seed: int) -> bytes:
    """Camera-like noise as a JPEG of about 5 MB (a different picture for each seed)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    side = 2690
    base = np.linspace(0, 255, side, dtype=np.float32)[None, :, None].repeat(side, 0).repeat(3, 2)
    noise = rng.normal(0, 40, (side, side, 3)).astype(np.float32)
    pixels = np.clip(base + noise, 0, 255).astype(np.uint8)
    for quality in (95, 92, 90, 85, 80):
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, "JPEG", quality=quality)
        if out.tell() <= TARGET_IMAGE_BYTES:
            return out.getvalue()
    return out.getvalue()


def bench_uploads() -> tuple[list[float], int]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.brands.models import Brand
    from apps.media.services import media_asset_upload

    brand, user = make_brand("uploads")
    images = [five_mb_jpeg(seed) for seed in range(UPLOADS)]
    timings = []
    for i, data in enumerate(images):
        upload = SimpleUploadedFile(f"photo-{i}.jpg", data, content_type="image/jpeg")
        started = time.perf_counter()
        _, created = media_asset_upload(brand=brand, user=user, upload=upload)
        timings.append(time.perf_counter() - started)
        if not created:
            raise RuntimeError("an upload was deduplicated; the bench needs different bytes each time")
    Brand.objects.filter(pk=brand.pk).delete()
    return timings, min(len(d) for d in images)


def main() -> None:
    import numpy as np

    load_before = os.getloadavg()[0]
    media_root = tempfile.mkdtemp(prefix="smai-bench-composer-")
    try:
        setup(media_root)
        from django.db import connection

        plans, imports, created = bench_import()
        uploads, image_bytes = bench_uploads()
    finally:
        shutil.rmtree(media_root, ignore_errors=True)
    totals = [p + i for p, i in zip(plans, imports, strict=True)]
    figures = {
        "database": connection.vendor,
        "rows": ROWS,
        "runs": RUNS,
        "csv_import_1000_rows_s": round(max(totals), 3),  # the worst run: dry run + import
        "csv_import_1000_rows_runs_s": [round(t, 3) for t in totals],
        "csv_dry_run_1000_rows_s": round(max(plans), 3),
        "csv_commit_1000_rows_s": round(max(imports), 3),
        "csv_posts_scheduled": created,
        "media_upload_p50_s": round(float(np.percentile(uploads, 50)), 3),
        "media_upload_p95_s": round(float(np.percentile(uploads, 95)), 3),
        "media_upload_max_s": round(float(np.max(uploads)), 3),
        "media_uploads": len(uploads),
        "media_upload_image_mb": round(image_bytes / 1024 / 1024, 2),
        "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
    }
    print(
        f"csv_import_1000_rows_s (worst of {RUNS}, dry run + import and schedule): "
        f"{figures['csv_import_1000_rows_s']} s (goal < 10)"
    )
    print(
        f"media_upload_p95_s ({len(uploads)} uploads of a {figures['media_upload_image_mb']} MB JPEG): "
        f"{figures['media_upload_p95_s']} s, p50 {figures['media_upload_p50_s']} s (goal < 1)"
    )
    report("composer", figures)


if __name__ == "__main__":
    main()
