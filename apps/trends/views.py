"""Trend pages: a brand's recommendations section (on the dashboard), "Not for us" and undo, a
trend's own page, and the staff operations page with the refresh button and live progress."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.access import brand_user_required, staff_required
from apps.brands import selectors as brand_selectors
from apps.brands.models import Brand

from . import progress, selectors, services
from .explain import trend_fit
from .models import Decision, TrendRefreshRun
from .scoring import (
    RECOMMEND_ABOVE,
    RELEVANCE_GATE,
    SKIP_OPPORTUNITY_AT_OR_BELOW,
    SKIP_RELEVANCE_AT_OR_BELOW,
)

RECOMMENDATIONS_TEMPLATE = "trends/partials/recommendations.html"
RECOMMENDATIONS_PAGE_TEMPLATE = "trends/recommendations.html"
DRAFTS_HINT_TEMPLATE = "trends/partials/drafts_hint.html"
BRAND_SCORE_TEMPLATE = "trends/partials/brand_score.html"
TREND_FIT_TEMPLATE = "trends/partials/trend_fit.html"


def brand_or_staff_required(view):
    """Trends are for brands and staff; influencers get the role page (403), anonymous users log in."""
    brand_only = brand_user_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff:
            return view(request, *args, **kwargs)
        return brand_only(request, *args, **kwargs)

    return wrapper


def _brand_for_request(request, brand_id: str | int | None) -> Brand | None:
    """The brand a request is about: the one named (a member's only, else 404) or the session's."""
    if request.user.role != "brand":
        return None
    if brand_id not in (None, ""):
        try:
            brand_id = int(brand_id)
        except (TypeError, ValueError):
            raise Http404("No such brand.") from None
        return brand_selectors.brand_get_for_user(user=request.user, brand_id=brand_id)
    return request.brand or None


def recommendations_context(*, brand: Brand | None, undo=None) -> dict:
    """What trends/partials/recommendations.html needs; the dashboard includes the same section."""
    ready = brand is not None and brand.is_onboarded
    found = selectors.brand_recommendations(brand=brand) if ready else None
    cards = [*found["top"], *found["watchlist"]] if found else []
    # No cards while the brand's first scoring runs: its progress, not "No trends yet".
    scoring = progress.progress_get(brand.pk) if ready and not cards else None
    return {
        "brand": brand,
        "trends_ready": ready,
        "recommendations": found,
        "scored_at": cards[0]["scored_at"] if cards else None,
        "scoring": scoring if scoring is not None and scoring.running else None,
        "undo": undo,
    }


@brand_user_required
def recommendations(request):
    """The dashboard's trends section alone: the dashboard fetches it on load (htmx) and it
    re-renders itself; without JavaScript (the dashboard's link), a page of its own."""
    brand = _brand_for_request(request, request.GET.get("brand"))
    context = recommendations_context(brand=brand)
    if request.htmx:
        return render(request, RECOMMENDATIONS_TEMPLATE, context)
    return render(request, RECOMMENDATIONS_PAGE_TEMPLATE, {**context, "active": "dashboard"})


@brand_user_required
def drafts_hint(request):
    """The dashboard's drafts card while it has no drafts: what to do next, by what the trends
    section shows (fetched by the dashboard on load)."""
    brand = _brand_for_request(request, request.GET.get("brand"))
    return render(request, DRAFTS_HINT_TEMPLATE, recommendations_context(brand=brand))


def _brand_score_context(*, trend, brand: Brand, detail: dict | None = None) -> dict:
    """This brand's score for the trend with its parts and why-line (None when it was skipped), and
    why it is or is not recommended (the "Why" card)."""
    detail = detail if detail is not None else selectors.trend_detail(trend=trend)
    score = selectors.trend_score_for_brand(trend=trend, brand=brand)
    dismissed = selectors.trend_is_dismissed(trend=trend, brand=brand)
    parts, why = {}, ""
    if score is not None:
        parts = {
            "relevance": score.relevance,
            "opportunity": score.opportunity,
            "format_fit": score.format_fit,
            "reward": score.reward,
        }
        why = selectors.trend_why(score=score, trend=trend, detail=detail)
    return {
        "trend": trend,
        "brand": brand,
        "score": score,
        "parts": parts,
        "why": why,
        "dismissed": dismissed,
        "fit": trend_fit(brand, trend, score=score),
        "recommended": score is not None and score.decision == Decision.RECOMMEND and not dismissed,
        "gate": RELEVANCE_GATE,
        "skip_relevance": SKIP_RELEVANCE_AT_OR_BELOW,
        "skip_opportunity": SKIP_OPPORTUNITY_AT_OR_BELOW,
        "recommend_above": RECOMMEND_ABOVE,
    }


def _after_dismissal(request, *, brand: Brand, trend, dismissed: bool):
    """Re-render what the button sat in (the dashboard section or the trend page's panel)."""
    if request.POST.get("panel") == "trend":
        if request.htmx:
            context = _brand_score_context(trend=trend, brand=brand)
            # The "Why" card beside it changes too ("Not for us" is a reason): out of band.
            panel = render_to_string(BRAND_SCORE_TEMPLATE, context, request=request)
            fit = render_to_string(TREND_FIT_TEMPLATE, {**context, "fit_oob": True}, request=request)
            return HttpResponse(panel + fit)
        return redirect(f"{reverse('trends:detail', args=[trend.pk])}?brand={brand.pk}")
    if request.htmx:
        return render(
            request,
            RECOMMENDATIONS_TEMPLATE,
            recommendations_context(brand=brand, undo=trend if dismissed else None),
        )
    if dismissed:
        messages.info(request, f"“{trend.title}” is hidden from {brand.name}'s trends.")
    return redirect("brands:dashboard")


@brand_user_required
@require_POST
def trend_dismiss(request, trend_id: int):
    brand = _brand_for_request(request, request.POST.get("brand"))
    if brand is None:
        raise Http404("No such brand.")
    trend = selectors.trend_get(trend_id=trend_id)
    services.trend_dismiss(brand=brand, trend=trend, user=request.user)
    return _after_dismissal(request, brand=brand, trend=trend, dismissed=True)


@brand_user_required
@require_POST
def trend_undismiss(request, trend_id: int):
    brand = _brand_for_request(request, request.POST.get("brand"))
    if brand is None:
        raise Http404("No such brand.")
    trend = selectors.trend_get(trend_id=trend_id)
    services.trend_undismiss(brand=brand, trend=trend)
    return _after_dismissal(request, brand=brand, trend=trend, dismissed=False)


@brand_or_staff_required
def trend_detail(request, trend_id: int):
    trend = selectors.trend_get(trend_id=trend_id)
    brand = _brand_for_request(request, request.GET.get("brand"))
    detail = selectors.trend_detail(trend=trend)
    context = {
        **detail,
        "brand": brand,
        "brand_scores": list(selectors.trend_brand_scores(trend=trend)) if request.user.is_staff else None,
        "active": "dashboard" if brand is not None else "trends",
    }
    if brand is not None:
        context.update(_brand_score_context(trend=trend, brand=brand, detail=detail))
    return render(request, "trends/trend_detail.html", context)


# --- Staff operations ---------------------------------------------------------------------------


@staff_required
def operations(request):
    runs = selectors.refresh_runs(limit=10)
    context = {
        "current_run": runs[0] if runs else None,
        "runs": runs,
        "sources": selectors.source_statuses(),
        "active": "trends",
    }
    if request.htmx and request.GET.get("part") == "tables":
        return render(request, "trends/partials/operations_tables.html", context)
    return render(request, "trends/operations.html", context)


@staff_required
@require_POST
def refresh(request):
    latest = selectors.refresh_runs(limit=1)
    run = services.trend_refresh_request(user=request.user, trigger=TrendRefreshRun.Trigger.MANUAL)
    joined = bool(latest) and latest[0].pk == run.pk
    # Read it again: with an eager queue (no Redis) the job has already run by now.
    run = selectors.refresh_run_get(run_id=run.pk)
    if joined:
        notice = f"Refresh #{run.pk} is already {run.get_status_display().lower()}; showing its progress."
    else:
        notice = f"Refresh #{run.pk} requested. Its progress shows below as the worker goes."
    if request.htmx:
        # The run card, and the tables out of band so the new run is listed at once.
        context = {
            "current_run": run,
            "notice": notice,
            "joined": joined,
            "runs": selectors.refresh_runs(limit=10),
            "sources": selectors.source_statuses(),
            "tables_oob": True,
        }
        return render(request, "trends/partials/current_run.html", context)
    (messages.info if joined else messages.success)(request, notice)
    return redirect("trends:operations")
