"""Write the periodic jobs declared in apps.core.schedules to django-celery-beat (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from apps.core.schedules import PERIODIC_TASKS

MANAGED_MARKER = "[managed by setup_periodic_tasks]"


class Command(BaseCommand):
    help = "Create or update every periodic job declared in code; disable managed ones no longer declared."

    @transaction.atomic
    def handle(self, *args, **options):
        declared = set()
        for spec in PERIODIC_TASKS:
            schedule = {"interval": None, "crontab": None}
            if "every_seconds" in spec:
                schedule["interval"], _ = IntervalSchedule.objects.get_or_create(
                    every=spec["every_seconds"], period=IntervalSchedule.SECONDS
                )
            else:
                minute, hour, day_of_week, day_of_month, month_of_year = spec["crontab"].split()
                schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(
                    minute=minute,
                    hour=hour,
                    day_of_week=day_of_week,
                    day_of_month=day_of_month,
                    month_of_year=month_of_year,
                    timezone="UTC",
                )
            task, created = PeriodicTask.objects.update_or_create(
                name=spec["name"],
                defaults={
                    "task": spec["task"],
                    **schedule,
                    "enabled": True,
                    "description": f"{spec.get('description', '')} {MANAGED_MARKER}".strip(),
                },
            )
            declared.add(task.pk)
            self.stdout.write(f"{'created' if created else 'updated'}: {spec['name']}")
        stale = PeriodicTask.objects.filter(description__contains=MANAGED_MARKER).exclude(pk__in=declared)
        for task in stale:
            self.stdout.write(f"disabled (no longer declared): {task.name}")
        stale.update(enabled=False)
