"""/healthz, periodic task setup, demo data, production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from apps.core import health
from apps.core.schedules import PERIODIC_TASKS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_is_200_when_every_service_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "channel_layer"}


@pytest.mark.django_db
def test_healthz_is_503_naming_the_failed_service(client, monkeypatch):
    def broken():
        raise ConnectionError("connection refused")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert "connection refused" in response.json()["checks"]["cache"]["detail"]


def test_required_services_are_the_real_ones():
    if not settings.REQUIRE_SERVICES:
        pytest.skip("only meaningful with REQUIRE_SERVICES=1")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert "Redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"]
    assert settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.mark.django_db
def test_setup_periodic_tasks_is_idempotent_and_disables_undeclared_ones():
    from django_celery_beat.models import IntervalSchedule

    every = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(
        name="old", task="x", interval=every, description="[managed by setup_periodic_tasks]"
    )
    call_command("setup_periodic_tasks")
    call_command("setup_periodic_tasks")
    assert PeriodicTask.objects.filter(enabled=True).count() == len(PERIODIC_TASKS)
    assert not PeriodicTask.objects.get(name="old").enabled


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from apps.accounts.models import User
    from apps.brands.models import Brand
    from apps.notifications.models import Notification

    call_command("seed_demo")
    counts = (User.objects.count(), Brand.objects.count(), Notification.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Brand.objects.count(), Notification.objects.count()) == counts
    assert counts == (4, 1, 4)  # brand owner, editor, influencer, staff: a welcome each
    brand = Brand.objects.get()
    assert brand.is_onboarded and brand.voice_profile
    assert brand.connections.filter(platform="sandbox").exists()
    # the calendar has something on it: two publishing now, two in the queue, one approved
    from apps.analytics.models import MetricsSnapshot, PolicyModel, TrainingRun
    from apps.core.management.commands.seed_demo import DEMO_HISTORY
    from apps.publishing.models import Publication

    calendar = Publication.objects.exclude(queued_by="time")
    assert sorted(calendar.values_list("queued_by", flat=True)) == ["now", "now", "queue", "queue"]
    assert brand.posts.count() == 5 + len(DEMO_HISTORY)
    # four weeks of sandbox history with its metrics, and the model trained on it
    history = Publication.objects.filter(queued_by="time", platform="sandbox")
    assert history.count() == len(DEMO_HISTORY)
    older_than_a_week = sum(1 for days_ago, *_ in DEMO_HISTORY if days_ago > 7)
    assert not history.filter(reward=None).exists()
    assert history.filter(reward_final=True).count() >= older_than_a_week
    assert MetricsSnapshot.objects.filter(publication__in=history).count() > 10 * len(DEMO_HISTORY)
    assert PolicyModel.objects.get(brand=brand).mode == "q"
    assert TrainingRun.objects.filter(brand=brand).count() == 1
    # rescored: the trends the history was about now carry a learned reward other than neutral
    from apps.trends.models import BrandTrendScore

    history_trends = history.values_list("post__trend_id", flat=True)
    scores = BrandTrendScore.objects.filter(brand=brand, trend_id__in=history_trends)
    assert scores.exists() and all(score.reward != 0.5 for score in scores)


def test_heartbeat_task_records_time():
    from django.core.cache import cache

    from apps.core.tasks import HEARTBEAT_CACHE_KEY, heartbeat

    heartbeat.delay()
    assert cache.get(HEARTBEAT_CACHE_KEY)


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "k3y-" + "x7Qp9vL2mZ8rT5wB1nH4jC6fD0gS3aK" * 2,
        "ALLOWED_HOSTS": "socialmedai.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://socialmedai.example.com",
        "TOKEN_ENCRYPTION_KEYS": "x8QyJ2m3tq0W6mV1bQ4v4c8t4s0Jq2V6n8Yd0lH3kQo=",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "SOCIALMEDAI_QUIET_FALLBACKS": "1",
        "TESTING": "0",
    }
    for name in ("REQUIRE_SERVICES", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DJANGO_ENV": "production", "ALLOWED_HOSTS": "x.example", "TESTING": "0"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
