"""Analytics pages: a brand's numbers with charts and a CSV export (members of the brand only;
another brand's answers 404), and the platform's numbers for staff (404 for anyone else)."""

from __future__ import annotations

import csv
from datetime import date, datetime, time

from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from apps.accounts.access import brand_user_required, staff_required
from apps.brands.selectors import brand_get_for_user
from apps.core import zones
from apps.publishing.selectors import timezone_label

from .selectors import reports as selectors

# Chart colours: the site's indigo for real numbers, amber for the sandbox (as its badge), and a
# teal for the second series of a chart.
COLORS = {"real": "#4f46e5", "sandbox": "#d97706", "second": "#0d9488", "third": "#db2777"}


def _timestamp(day: date, zone) -> int:
    """The unix time of a brand-local (or UTC) midnight, as uPlot's x values."""
    return int(datetime.combine(day, time(), tzinfo=zone).timestamp())


def _chart(points, *, zone, bucket: str, series: list[dict], kind: str = "line") -> dict:
    """A chart for static/js/analytics-charts.js: x as unix seconds, one list of values per series."""
    return {
        "x": [_timestamp(p.start, zone) for p in points],
        "tz": zone.key,
        "bucket": bucket,
        "kind": kind,
        "series": [
            {
                "label": s["label"],
                "color": s["color"],
                "format": s.get("format", "number"),
                "values": [getattr(p, s["field"]) for p in points],
            }
            for s in series
        ],
    }


def _brand_charts(report: selectors.BrandReport) -> dict:
    zone = zones.zone(report.brand.timezone)
    color = COLORS["sandbox"] if report.window.is_sandbox else COLORS["real"]
    points, bucket = report.over_time, report.window.bucket
    return {
        "rate": _chart(
            points,
            zone=zone,
            bucket=bucket,
            series=[
                {"label": "Engagement rate", "field": "engagement_rate", "color": color, "format": "pct"}
            ],
        ),
        "reward": _chart(
            points,
            zone=zone,
            bucket=bucket,
            series=[
                {
                    "label": "Average performance score",
                    "field": "reward",
                    "color": COLORS["second"],
                    "format": "reward",
                }
            ],
        ),
        "posts": _chart(
            points,
            zone=zone,
            bucket=bucket,
            kind="bars",
            series=[{"label": "Posts published", "field": "posts", "color": color}],
        ),
    }


def _query(window: selectors.Window, **changes) -> str:
    values = {"days": window.days, "data": window.data, **changes}
    return f"?days={values['days']}&data={values['data']}"


@brand_user_required
@require_GET
def brand_analytics_current(request):
    """The nav's "Analytics": the analytics of the brand this session works on."""
    if not request.brand:
        return redirect("brands:dashboard")
    return redirect("analytics:brand", brand_id=request.brand.pk)


@brand_user_required
@require_GET
def brand_analytics(request, brand_id: int):
    """The brand's analytics over 7, 30 or 90 days, real or sandbox; the body alone for htmx."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    data = request.GET.get("data") or selectors.brand_default_dataset(brand=brand)
    window = selectors.analytics_window(days=request.GET.get("days"), data=data)
    report = selectors.brand_analytics_report(brand=brand, window=window)
    context = {
        "brand": brand,
        "report": report,
        "window": window,
        "charts": _brand_charts(report),
        "periods": [(days, _query(window, days=days)) for days in selectors.PERIOD_DAYS],
        "datasets": [
            (selectors.REAL, "Real (X, LinkedIn)", _query(window, data=selectors.REAL)),
            (selectors.SANDBOX, "Sandbox (simulated)", _query(window, data=selectors.SANDBOX)),
        ],
        "export_query": _query(window),
        "tz_label": timezone_label(brand.timezone, at=window.end),
        "top_category_reward": max((t.reward or 0 for t in report.categories), default=0),
        "top_trend_reward": max((t.reward or 0 for t in report.trends), default=0),
        "top_platform_posts": max((p.posts for p in report.platforms), default=0),
        "top_platform_rate": max((p.engagement_rate or 0 for p in report.platforms), default=0),
        "top_platform_reward": max((p.reward or 0 for p in report.platforms), default=0),
        "active": "analytics",
    }
    if request.htmx:
        return render(request, "analytics/brand_analytics_body.html", context)
    return render(request, "analytics/brand_analytics.html", context)


class _Echo:
    """A file-like object whose write returns the line, for a streamed CSV."""

    def write(self, value: str) -> str:
        return value


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP);
# trend titles come from outside sources, so text cells that do are prefixed with an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@brand_user_required
@require_GET
def brand_analytics_csv(request, brand_id: int):
    """One row per publication of the period (selectors.CSV_COLUMNS), streamed."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    data = request.GET.get("data") or selectors.brand_default_dataset(brand=brand)
    window = selectors.analytics_window(days=request.GET.get("days"), data=data)
    writer = csv.writer(_Echo())
    rows = selectors.brand_export_rows(brand=brand, window=window)

    def lines():
        yield writer.writerow(selectors.CSV_COLUMNS)
        for row in rows:
            yield writer.writerow([csv_safe(cell) for cell in row])

    name = f"{brand.slug}-analytics-{window.data}-{window.days}d-{window.end:%Y%m%d}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _staff_charts(report: selectors.StaffReport) -> dict:
    zone, bucket = zones.zone("UTC"), report.window.bucket
    return {
        "published": _chart(
            report.over_time,
            zone=zone,
            bucket=bucket,
            kind="bars",
            series=[
                {"label": "Real", "field": "real", "color": COLORS["real"]},
                {"label": "Sandbox", "field": "sandbox", "color": COLORS["sandbox"]},
            ],
        ),
        "rate": _chart(
            report.over_time,
            zone=zone,
            bucket=bucket,
            series=[
                {"label": "Real", "field": "rate_real", "color": COLORS["real"], "format": "pct"},
                {"label": "Sandbox", "field": "rate_sandbox", "color": COLORS["sandbox"], "format": "pct"},
            ],
        ),
    }


@staff_required
@require_GET
def staff_analytics(request):
    """The platform's numbers for operators over 7, 30 or 90 days."""
    window = selectors.analytics_window(days=request.GET.get("days"), data=selectors.REAL)
    report = selectors.staff_analytics_report(window=window)
    context = {
        "report": report,
        "window": window,
        "charts": _staff_charts(report),
        "periods": [(days, f"?days={days}") for days in selectors.PERIOD_DAYS],
        "top_trend_posts": max((t.posts for t in report.trends), default=0),
        "active": "analytics",
    }
    if request.htmx:
        return render(request, "analytics/staff_analytics_body.html", context)
    return render(request, "analytics/staff_analytics.html", context)
