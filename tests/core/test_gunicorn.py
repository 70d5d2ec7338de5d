"""The production web server's configuration: the master warms the app before forking, and
/metrics adds up every worker's numbers."""

import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.urls import resolve

from project.warmup import WARM_PATHS


def _config(monkeypatch, tmp_path):
    # The config sets PROMETHEUS_MULTIPROC_DIR for the server it configures: keep it off this process.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path("project/gunicorn.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_warm_up_path_resolves():
    for path in WARM_PATHS:
        assert resolve(path) is not None, path


def test_when_ready_warms_without_warnings_and_recycling_is_rare(monkeypatch, tmp_path):
    config = _config(monkeypatch, tmp_path)
    warnings = []

    class Log:
        def warning(self, *args):
            warnings.append(args)

    class Server:
        log = Log()

    config.when_ready(Server())
    assert warnings == []
    assert config.max_requests >= 50_000 and config.preload_app and config.worker_class == "sync"


def test_the_metrics_directory_is_emptied_at_start(monkeypatch, tmp_path):
    (tmp_path / "counter_123.db").write_bytes(b"old run")
    _config(monkeypatch, tmp_path)
    assert not list(tmp_path.glob("*.db"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_metrics_add_up_every_workers_requests(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "METRICS_TOKEN": "",
        "DEBUG": "0",
        "TESTING": "0",
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "project/gunicorn.py", "project.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{url}/no-such-page-at-all", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        # Fresh connections: sync workers close each one, so both workers answer some of these.
        for _ in range(30):
            assert httpx.get(f"{url}/no-such-page-at-all", timeout=5).status_code == 404
        for _ in range(4):  # whichever worker answers the scrape, it counts every worker's requests
            text = httpx.get(f"{url}/metrics", timeout=5).text
            found = re.findall(
                r'django_http_responses_total_by_status_view_method_total\{method="GET",'
                r'status="404",view="<unnamed view>"\} ([0-9.e+]+)',
                text,
            )
            assert sum(float(n) for n in found) == 31
        assert len(list(tmp_path.glob("counter_*.db"))) >= 2  # more than one worker wrote
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


def test_without_a_metrics_directory_the_server_gets_a_private_one(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path("project/gunicorn.py"))
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        made = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        assert (
            made.is_dir()
            and made.name.startswith("smai-prometheus-")
            and made.stat().st_mode & 0o777 == 0o700
        )
    finally:
        made = os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if made:
            Path(made).rmdir()
