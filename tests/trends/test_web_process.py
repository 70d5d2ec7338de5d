"""The web process never imports torch or sentence-transformers: the model lives in the worker."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
import django
django.setup()
import project.asgi  # what daphne loads: every HTTP and WebSocket route
from django.urls import get_resolver
get_resolver().url_patterns  # imports every app's urls and views
from django.test import Client
import apps.trends.api, apps.trends.selectors, apps.trends.services, apps.trends.tasks  # noqa
print(sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules))
"""


def test_loading_the_web_application_does_not_import_torch():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "SOCIALMEDAI_QUIET_FALLBACKS": "1", "REDIS_URL": "", "HOME": "/tmp"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
