"""The brand's side of the marketplace: find influencers and shortlist them, send an offer or an
open call for a published post, and follow its offers (withdraw, answer a counter-offer, pick an
open call's applicants). Members of the brand only: another brand's pages and objects are a 404."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.access import brand_user_required
from apps.brands.selectors import brand_get_for_user
from apps.core import zones

from .charts import COLORS, uplot_chart
from .forms_brand import InfluencerSearchForm, OfferForm
from .forms_prices import PricesForm
from .models import Application, InfluencerProfile, Offer
from .money import money_format
from .selectors.analytics import brand_collaboration_roi, brand_prices
from .selectors.brand import (
    InfluencerResults,
    brand_has_fits,
    brand_usual_currency,
    influencer_cards,
    offer_influencer_choices,
    offer_list_for_brand_page,
    offerable_posts,
)
from .services.measure import collaboration_settings_save
from .services.offers import (
    counter_accept,
    counter_decline,
    offer_send,
    offer_withdraw,
    open_call_create,
    open_call_pick,
)
from .services.shortlist import shortlist_toggle

PER_PAGE = 24
OFFERS_PER_PAGE = 30
DEFAULT_DEADLINE = timedelta(days=7)
# The shared collaboration page lives in the influencer portal (both sides open it there).
COLLABORATION_URL = "/influencer/collaborations/{}/"


def _page(request, items, per_page: int):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@brand_user_required
@require_GET
def influencers_current(request):
    """The nav's "Influencers": the search of the brand this session works on."""
    if not request.brand:
        return redirect("brands:dashboard")
    return redirect("collaborations_brand:influencers", brand_id=request.brand.pk)


@brand_user_required
@require_GET
def influencers(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    has_fits = brand_has_fits(brand=brand)
    form = InfluencerSearchForm(
        request.GET or None,
        currency=brand_usual_currency(brand=brand),
        default_sort="fit" if has_fits else "reach",
    )
    query = form.query()
    results = InfluencerResults(
        brand=brand, query=query, has_fits=has_fits, page=request.GET.get("page"), per_page=PER_PAGE
    )
    page = _page(request, results, PER_PAGE)
    profiles = list(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "brand": brand,
        "form": form,
        "page": page,
        "profiles": profiles,
        "cards": [_card(c) for c in influencer_cards(profiles)],
        "has_fits": has_fits,
        "sort": query.sort,
        "filter_query": params.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "active": "influencers",
    }
    return render(request, "collaborations/brand/influencers.html", context)


SPARK_WIDTH, SPARK_HEIGHT = 64, 18


def _sparkline(scores: list[float]) -> str:
    """SVG polyline points of reputation scores (0-100, oldest first) in a 64 × 18 box."""
    if not scores:
        return ""
    if len(scores) == 1:
        scores = scores * 2  # one score: a level line
    step = SPARK_WIDTH / (len(scores) - 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 1 - min(max(s, 0), 100) / 100 * (SPARK_HEIGHT - 2):.1f}"
        for i, s in enumerate(scores)
    )


def _card(card) -> dict:
    profile = card.profile
    return {
        "profile": profile,
        "sparkline": _sparkline(card.reputation_history),
        "history": card.reputation_history,
        "delivered_reach": card.delivered_reach,
        "fee": money_format(profile.rate_minor, profile.rate_currency)
        if profile.rate_minor and profile.rate_currency
        else "",
        "engagement": f"{profile.engagement_rate * 100:.1f}%" if profile.engagement_rate is not None else "",
        "fit": round(profile.fit * 100) if profile.fit is not None else None,
    }


@brand_user_required
@require_POST
def shortlist_toggle_view(request, brand_id: int, profile_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    profile = get_object_or_404(InfluencerProfile, pk=profile_id, is_public=True)
    try:
        on_list = shortlist_toggle(brand=brand, user=request.user, influencer=profile)
    except PermissionDenied:
        raise Http404("No such brand.") from None
    if request.htmx:
        return render(
            request,
            "collaborations/brand/partials/shortlist_button.html",
            {"brand": brand, "profile": profile, "shortlisted": on_list},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("collaborations_brand:influencers", args=[brand.pk])
    return redirect(back)


def _requested_ids(request) -> list[int]:
    values = request.POST.getlist("influencers") if request.method == "POST" else request.GET.getlist("to")
    return [int(v) for v in values if str(v).isdigit()][:200]


@brand_user_required
@require_http_methods(["GET", "POST"])
def offer_new(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    posts = offerable_posts(brand=brand)
    requested = _requested_ids(request)
    choices = offer_influencer_choices(brand=brand, requested=requested)
    form_kwargs = {"brand": brand, "posts": posts, "influencers": choices}
    if request.method == "POST":
        form = OfferForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            terms = {
                "brand": brand,
                "user": request.user,
                "post": data["post"],
                "fee_minor": data["fee_minor"],
                "currency": data["currency"],
                "deadline": data["deadline"],
                "platform": data["platform"],
                "tag_brand": data["tag_brand"],
                "keep_link": data["keep_link"],
                "message": data["message"],
            }
            try:
                if data["kind"] == OfferForm.OPEN_CALL:
                    open_call_create(criteria=form.criteria(), slots=data["slots"], **terms)
                    messages.success(request, "Open call sent: matching influencers see it in their inbox.")
                else:
                    sent = offer_send(influencers=data["influencers"], **terms)
                    messages.success(
                        request, f"Offer sent to {len(sent)} influencer{'s' * (len(sent) != 1)}."
                    )
            except PermissionDenied:
                raise Http404("No such brand.") from None
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                return redirect("collaborations_brand:offers", brand_id=brand.pk)
    else:
        first_post = request.GET.get("post")
        form = OfferForm(
            initial={
                "currency": brand_usual_currency(brand=brand),
                "influencers": requested,
                "kind": OfferForm.OPEN_CALL
                if request.GET.get("kind") == OfferForm.OPEN_CALL
                else OfferForm.DIRECT,
                "post": int(first_post) if first_post and first_post.isdigit() else None,
                "tag_brand": True,
                "keep_link": True,
                "slots": 1,
                "platform": "x",
                # A week from now, on the hour, as the brand's clock reads it.
                "deadline": (timezone.localtime(timezone=zones.zone(brand.timezone)) + DEFAULT_DEADLINE)
                .replace(minute=0, second=0, microsecond=0)
                .replace(tzinfo=None),
            },
            **form_kwargs,
        )
    context = {
        "brand": brand,
        "form": form,
        "posts": list(posts),
        "active": "influencers",
    }
    return render(request, "collaborations/brand/offer_new.html", context, status=200)


@brand_user_required
@require_GET
def offers(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    page = _page(request, offer_list_for_brand_page(brand=brand), OFFERS_PER_PAGE)
    rows = []
    for offer in page.object_list:
        rows.append(
            {
                "offer": offer,
                "fee": money_format(offer.fee_minor, offer.currency),
                "counter_fee": money_format(offer.counter_fee_minor, offer.currency)
                if offer.counter_fee_minor
                else "",
                "collaborations": [(c, COLLABORATION_URL.format(c.pk)) for c in offer.collaborations.all()],
                "applications": list(offer.applications.all()),
            }
        )
    context = {"brand": brand, "page": page, "rows": rows, "active": "influencers"}
    return render(request, "collaborations/brand/offers.html", context)


def _brand_offer(brand, offer_id: int) -> Offer:
    return get_object_or_404(
        Offer.objects.select_related("brand", "influencer__user"), pk=offer_id, brand=brand
    )


def _offer_action(request, brand_id: int, offer_id: int, action, done: str):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    offer = _brand_offer(brand, offer_id)
    try:
        action(offer=offer, user=request.user)
    except PermissionDenied:
        raise Http404("No such offer.") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(f"{reverse('collaborations_brand:offers', args=[brand.pk])}#offer-{offer.pk}")


@brand_user_required
@require_POST
def offer_withdraw_view(request, brand_id: int, offer_id: int):
    return _offer_action(request, brand_id, offer_id, offer_withdraw, "Offer withdrawn.")


@brand_user_required
@require_POST
def counter_accept_view(request, brand_id: int, offer_id: int):
    return _offer_action(
        request, brand_id, offer_id, counter_accept, "Counter-offer accepted: the collaboration starts."
    )


@brand_user_required
@require_POST
def counter_decline_view(request, brand_id: int, offer_id: int):
    return _offer_action(
        request, brand_id, offer_id, counter_decline, "Counter-offer declined: the offer stands at its fee."
    )


@brand_user_required
@require_POST
def application_pick_view(request, brand_id: int, application_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    application = get_object_or_404(
        Application.objects.select_related("offer", "influencer"), pk=application_id, offer__brand=brand
    )
    try:
        open_call_pick(application=application, user=request.user)
    except PermissionDenied:
        raise Http404("No such application.") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"@{application.influencer.slug} picked: the collaboration starts.")
    return redirect(f"{reverse('collaborations_brand:offers', args=[brand.pk])}#offer-{application.offer_id}")


# --- Collaboration ROI and the prices it is valued with -------------------------------------------


def _roi_chart(report, brand) -> dict:
    zone = zones.zone(brand.timezone)
    return uplot_chart(
        [p.start for p in report.over_time],
        zone=zone,
        bucket="day",
        series=[
            {
                "label": "Mean ROI (value ÷ fee)",
                "color": COLORS["main"],
                "format": "reward",
                "values": [round(p.roi, 4) if p.roi is not None else None for p in report.over_time],
            }
        ],
    )


@brand_user_required
@require_GET
def collaboration_roi(request, brand_id: int):
    """Every measured collaboration with its reach multiplier, engagement, value and ROI, and ROI
    over time. The brand's analytics page loads it as a section (htmx: the section alone)."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    report = brand_collaboration_roi(brand=brand)
    context = {
        "brand": brand,
        "report": report,
        "chart": _roi_chart(report, brand),
        "partial": bool(request.htmx),
        "active": "influencers",
    }
    if request.htmx:
        return render(request, "collaborations/brand/partials/roi_section.html", context)
    return render(request, "collaborations/brand/roi.html", context)


@brand_user_required
@require_http_methods(["GET", "POST"])
def collaboration_prices(request, brand_id: int):
    """The brand's CPM and CPE for valuing delivered reach and engagement (ROI); defaults until set."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    current = brand_prices(brand=brand, currency=brand_usual_currency(brand=brand))
    if request.method == "POST":
        form = PricesForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                collaboration_settings_save(
                    brand=brand,
                    user=request.user,
                    currency=data["currency"],
                    cpm_minor=data["cpm"],
                    cpe_minor=data["cpe"],
                )
            except PermissionDenied:
                raise Http404("No such brand.") from None
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = {"cpm_minor": "cpm", "cpe_minor": "cpe"}.get(field, field)
                    for error in errors:
                        form.add_error(target if target in form.fields else None, error)
            else:
                messages.success(
                    request,
                    "Prices saved: results not yet final are valued with them from the next measurement.",
                )
                return redirect("collaborations_brand:prices", brand_id=brand.pk)
        status = 422 if form.errors else 200
    else:
        form = PricesForm(
            initial=PricesForm.initial_for(
                currency=current.currency, cpm_minor=current.cpm_minor, cpe_minor=current.cpe_minor
            )
        )
        status = 200
    context = {
        "brand": brand,
        "form": form,
        "current": current,
        "current_cpm": money_format(current.cpm_minor, current.currency),
        "current_cpe": money_format(current.cpe_minor, current.currency),
        "active": "influencers",
    }
    return render(request, "collaborations/brand/prices.html", context, status=status)
