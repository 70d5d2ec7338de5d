"""The Celery queues: the trend job (torch) and publishing have their own, so a one-hour trend run
never holds up the 2-second dispatcher; everything else goes to the default queue."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from project.celery import app

ROOT = Path(__file__).resolve().parents[2]
TREND_TASKS = {"trends.refresh", "trends.brand_rescore"}
PUBLISHING_TASKS = {
    "publishing.dispatch",
    "publishing.publish",
    "publishing.publish_many",
    "publishing.notify_live",
}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def our_tasks() -> set[str]:
    app.loader.import_default_modules()  # the apps' tasks modules, as a worker loads them
    return {name for name in app.tasks if not name.startswith("celery.")}


@pytest.mark.parametrize("task_name", sorted(TREND_TASKS))
def test_the_trend_jobs_that_load_torch_go_to_the_trends_queue(task_name):
    assert queue_of(task_name) == settings.TRENDS_QUEUE == f"{settings.CELERY_TASK_DEFAULT_QUEUE}-trends"


@pytest.mark.parametrize("task_name", sorted(PUBLISHING_TASKS))
def test_dispatch_publish_and_notify_go_to_the_publishing_queue(task_name):
    assert queue_of(task_name) == settings.PUBLISH_QUEUE == f"{settings.CELERY_TASK_DEFAULT_QUEUE}-publishing"


def test_every_other_task_goes_to_the_default_queue():
    others = our_tasks() - TREND_TASKS - PUBLISHING_TASKS
    assert our_tasks() >= TREND_TASKS | PUBLISHING_TASKS  # the routes name tasks that exist
    assert {"trends.refresh_scheduled", "posts.generate", "core.heartbeat"} <= others
    assert {name: queue_of(name) for name in others} == dict.fromkeys(
        others, settings.CELERY_TASK_DEFAULT_QUEUE
    )


def test_a_worker_started_without_queues_reads_all_three():
    assert set(app.amqp.queues) == {
        settings.CELERY_TASK_DEFAULT_QUEUE,
        settings.TRENDS_QUEUE,
        settings.PUBLISH_QUEUE,
    }


def _queues_with(env: dict[str, str]) -> list[str]:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CELERY_TASK_DEFAULT_QUEUE, s.TRENDS_QUEUE, s.PUBLISH_QUEUE]))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"CELERY_QUEUE", "PUBLISH_QUEUE", "TESTING"}}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "SOCIALMEDAI_QUIET_FALLBACKS": "1",
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_queues_are_default_trends_and_publishing_and_the_procfile_reads_each():
    queues = _queues_with({"TESTING": "0"})
    assert queues == ["default", "trends", "publishing"]
    procfile = (ROOT / "Procfile").read_text()
    read = dict(re.findall(r"^(worker\w*): celery -A project worker -Q (\S+)", procfile, re.MULTILINE))
    assert read == {"worker": "default", "worker_trends": "trends", "worker_publishing": "publishing"}


def test_a_server_with_its_own_celery_queue_gets_its_own_trends_and_publishing_queues():
    assert _queues_with({"TESTING": "0", "CELERY_QUEUE": "smai-e2e-7"}) == [
        "smai-e2e-7",
        "smai-e2e-7-trends",
        "smai-e2e-7-publishing",
    ]


def test_make_runs_single_worker_reads_all_three_queues(monkeypatch):
    from project import devprocess

    class Execed(Exception):  # os.execvp never returns: neither does the fake
        pass

    def execvp(file, args):
        raise Execed(args)

    monkeypatch.setattr(sys, "argv", ["devprocess", "worker"])
    monkeypatch.setattr(settings, "USE_REDIS", True)
    monkeypatch.setattr(devprocess.os, "execvp", execvp)
    with pytest.raises(Execed) as execed:
        devprocess.main()
    args = execed.value.args[0]
    queues = args[args.index("-Q") + 1]
    assert queues.split(",") == [
        settings.CELERY_TASK_DEFAULT_QUEUE,
        settings.TRENDS_QUEUE,
        settings.PUBLISH_QUEUE,
    ]
