"""/healthz, periodic task setup, production settings."""

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
