"""The Prometheus endpoint keeps the per-view request series (apps/core/metrics.py)."""

import re

import pytest


@pytest.mark.django_db
def test_per_view_series_are_recorded(client, settings):
    settings.METRICS_TOKEN = ""

    def count(text: str) -> float:
        pattern = (
            r'django_http_responses_total_by_status_view_method_total\{method="GET",'
            r'status="\d+",view="healthz"\} ([0-9.e+]+)'
        )
        return sum(float(n) for n in re.findall(pattern, text))

    before = count(client.get("/metrics").content.decode())
    for _ in range(3):
        client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert count(text) - before == 3
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="healthz"}' in text
    # The coarse duplicates are left out.
    assert "django_http_requests_total_by_transport_total{" not in text
