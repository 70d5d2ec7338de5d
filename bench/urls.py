"""The benchmark's URLconf: the whole site (project.urls) plus one bare Django view.

``python -m bench.memes`` starts the production web server with ``DJANGO_ROOT_URLCONF=bench.urls``
and compares GET /api/v1/memes/trending with GET /bench/bare.json under the same server, the same
middleware and the same load. The bare view does no work of its own: it returns the bytes of a
trending page the benchmark fetched before (the file named by ``BENCH_BARE_JSON``, read once per
process), so the difference between the two is what the trending endpoint itself costs.
"""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import include, path

from project.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the site's error pages)

_body: bytes | None = None


def bare_json(request):
    global _body
    if _body is None:
        source = os.environ.get("BENCH_BARE_JSON", "")
        _body = Path(source).read_bytes() if source else b'{"items": [], "count": 0}'
    return HttpResponse(_body, content_type="application/json")


urlpatterns = [
    path("bench/bare.json", bare_json, name="bench-bare-json"),
    path("", include("project.urls")),
]
