"""The production web server's configuration: the master warms the app before forking."""

import importlib.util
from pathlib import Path

from django.urls import resolve

from project.warmup import WARM_PATHS


def _config():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path("project/gunicorn.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_warm_up_path_resolves():
    for path in WARM_PATHS:
        assert resolve(path) is not None, path


def test_when_ready_warms_without_warnings_and_recycling_is_rare():
    config = _config()
    warnings = []

    class Log:
        def warning(self, *args):
            warnings.append(args)

    class Server:
        log = Log()

    config.when_ready(Server())
    assert warnings == []
    assert config.max_requests >= 50_000 and config.preload_app and config.worker_class == "sync"
