"""Without Redis there is no broker between processes: run the periodic jobs here, in order, the
way beat and a worker would (make run's fallback; see project/devprocess.py)."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from celery.schedules import crontab
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone

from apps.core.schedules import PERIODIC_TASKS

logger = logging.getLogger(__name__)


def _is_due(spec: dict, last: datetime | None, now: datetime) -> bool:
    if "every_seconds" in spec:
        return last is None or (now - last).total_seconds() >= spec["every_seconds"]
    minute, hour, day_of_week, day_of_month, month_of_year = spec["crontab"].split()
    schedule = crontab(
        minute=minute,
        hour=hour,
        day_of_week=day_of_week,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        nowfun=lambda: now,
    )
    return schedule.is_due(last or now)[0]


class Command(BaseCommand):
    help = "Run the periodic jobs (publishing dispatcher, heartbeat, trend refresh …) in this process."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is due once and stop.")

    def handle(self, *args, once: bool = False, **options):
        from project.celery import app

        app.loader.import_default_modules()
        if settings.USE_REDIS and not once:
            self.stderr.write("Redis is configured: run `celery worker` and `celery beat` instead.")
        # Interval jobs run at once (the dispatcher must not wait); cron jobs at their next time.
        last: dict[str, datetime | None] = {
            spec["name"]: (None if "every_seconds" in spec else timezone.now()) for spec in PERIODIC_TASKS
        }
        self.stdout.write(f"Running {len(PERIODIC_TASKS)} periodic jobs in this process (no Redis).")
        while True:
            now = timezone.now()
            for spec in PERIODIC_TASKS:
                if not _is_due(spec, last[spec["name"]], now):
                    continue
                last[spec["name"]] = now
                try:
                    app.tasks[spec["task"]].apply(throw=True)
                except Exception:  # one job failing must not stop the others
                    logger.exception("periodic job %s failed", spec["name"])
                finally:
                    if not connection.in_atomic_block:  # (a test wraps the command in a transaction)
                        close_old_connections()
            if once:
                return
            time.sleep(1)
