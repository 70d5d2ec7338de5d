"""The Learning page of a brand (/brand/<id>/learning/): what the model learned, in words, a chart
of each action's performance score over time, and a "Train now" button that runs the weekly
training at once."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.access import brand_user_required
from apps.brands.selectors import brand_get_for_user
from apps.core import zones

from . import selectors, training

# One colour per charted action (CHART_ACTIONS of them): the analytics pages' indigo, teal, pink
# and amber, then a slate.
ACTION_COLORS = ["#4f46e5", "#0d9488", "#db2777", "#d97706", "#475569"]


def _scores_chart(page: selectors.LearningPage) -> dict:
    """The chart of static/js/analytics-charts.js: per day with posts, each action's mean score."""
    zone = zones.zone(page.brand.timezone)
    return {
        "x": [int(datetime.combine(day, time(), tzinfo=zone).timestamp()) for day, _ in page.chart],
        "tz": zone.key,
        "bucket": "day",
        "kind": "line",
        "series": [
            {
                "label": result.label,
                "color": ACTION_COLORS[i % len(ACTION_COLORS)],
                "format": "reward",
                "values": [
                    round(scores[result.action.key], 2) if result.action.key in scores else None
                    for _, scores in page.chart
                ],
            }
            for i, result in enumerate(page.chart_actions)
        ],
    }


@brand_user_required
def learning(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    page = selectors.learning_page_get(brand=brand)
    return render(
        request,
        "learning/learning.html",
        {"brand": brand, "page": page, "scores_chart": _scores_chart(page), "active": "learning"},
    )


@brand_user_required
@require_POST
def learning_train(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    run = training.policy_train(brand=brand)
    if run.status == "trained":
        messages.success(request, f"Trained on {run.posts_used} posts. The next posts use what it learned.")
    else:
        messages.info(request, f"Training skipped. {run.reason}")
    return redirect("learning:page", brand_id=brand.pk)


@brand_user_required
def learning_current(request):
    """The nav's "Learning": the Learning page of the brand this session works on."""
    if not request.brand:
        return redirect("brands:dashboard")
    return redirect("learning:page", brand_id=request.brand.pk)
