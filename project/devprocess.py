"""`make run`'s worker and beat: Celery's when Redis is there, else the periodic jobs in-process.

    python -m project.devprocess worker|beat

Without Redis the broker is in-memory, so a separate worker could not receive what beat sends;
the worker process then runs `manage.py run_local_jobs` and beat has nothing to do.
"""

import os
import sys
import time


def main() -> None:
    role = sys.argv[1] if len(sys.argv) > 1 else "worker"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    from django.conf import settings

    if settings.USE_REDIS:
        args = {
            "worker": ["celery", "-A", "project", "worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": [
                "celery",
                "-A",
                "project",
                "beat",
                "--loglevel=INFO",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
            ],
        }[role]
        os.execvp(args[0], args)  # noqa: S606 (replace this process with Celery, as honcho started it)
    if role == "worker":
        from django.core.management import call_command

        call_command("run_local_jobs")
    else:
        print("beat: no Redis, so the worker process runs the periodic jobs itself.", flush=True)
        while True:  # honcho stops every process when one exits
            time.sleep(3600)


if __name__ == "__main__":
    main()
