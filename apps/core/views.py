"""Site-wide pages: landing, health, metrics and error pages."""

from __future__ import annotations

import hmac
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import health_run
from .tasks import HEARTBEAT_CACHE_KEY


def landing(request):
    return render(request, "core/landing.html")


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for on pages without a <link rel="icon"> (the admin, JSON)."""
    # The finder reads static/ itself: the same file with or without collectstatic.
    response = HttpResponse(Path(finders.find("img/favicon.ico")).read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _last_heartbeat() -> str | None:
    try:
        return cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:  # the cache check above already reports a broken cache
        return None


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when every service answers, 503 naming the ones that do not."""
    results = health_run()
    ok = all(r.ok for r in results)
    body = {
        "status": "ok" if ok else "degraded",
        "failed": [r.name for r in results if not r.ok],
        "checks": {r.name: r.as_dict() for r in results},
        # Informative, not part of the status: when a worker last ran beat's heartbeat task.
        "worker_heartbeat": _last_heartbeat(),
    }
    return JsonResponse(body, status=200 if ok else 503)


def metrics(request):
    """Prometheus metrics; behind METRICS_TOKEN (bearer) when it is set."""
    from django_prometheus.exports import ExportToDjangoView

    if settings.METRICS_TOKEN:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent, settings.METRICS_TOKEN):
            return HttpResponseForbidden("metrics token required")
    return ExportToDjangoView(request)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_404(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def error_500(request):
    if _wants_json(request):
        return JsonResponse({"detail": "Internal server error. It has been logged."}, status=500)
    # No context processors that might fail again: a plain, static page.
    from django.http import HttpResponseServerError
    from django.template.loader import get_template

    return HttpResponseServerError(get_template("500.html").render())


def error_403(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Forbidden."}, status=403)
    return render(request, "403.html", status=403)


def error_400(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    if _wants_json(request):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
