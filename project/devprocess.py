"""`make run`'s worker, beat and demo seed: Celery's when Redis is there, else the periodic jobs
in-process.

    python -m project.devprocess worker|beat|seed

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

    if role == "seed":
        seed_then_idle()
    if settings.USE_REDIS:
        args = {
            # One worker for the three queues keeps a laptop light; production runs one per queue.
            "worker": [
                "celery",
                "-A",
                "project",
                "worker",
                "-Q",
                ",".join(queue.name for queue in settings.CELERY_TASK_QUEUES),
                "--loglevel=INFO",
                "--concurrency=2",
            ],
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


def seed_then_idle() -> None:
    """The slow part of the demo data (trends, their scores and four weeks of history), loaded while
    the site already answers; `make run` loaded the accounts and the brand before starting it."""
    from django.core.management import call_command

    started = time.monotonic()
    print("seed: loading the rest of the demo data (trends, scores, four weeks of history)…", flush=True)
    call_command("seed_demo")
    print(f"seed: the demo data is complete ({time.monotonic() - started:.0f} s).", flush=True)
    while True:  # honcho stops every process when one exits
        time.sleep(3600)


if __name__ == "__main__":
    main()
