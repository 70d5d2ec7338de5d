"""API: a brand's recommended trends, a trend's detail, and "not for us"."""

from ninja import Router, Status
from ninja.errors import HttpError

from apps.accounts.access import api_require_role
from apps.accounts.models import Role, User
from apps.brands.selectors import brand_get_for_user

from . import selectors, services
from .schemas import DismissOut, RecommendationsOut, TrendOut

router = Router(tags=["trends"])


@router.get("/brands/{brand_id}/recommendations", response=RecommendationsOut)
def recommendations(request, brand_id: int):
    """The brand's top 5 recommended trends with their score parts, and its watchlist."""
    user = api_require_role(request, Role.BRAND)
    brand = brand_get_for_user(user=user, brand_id=brand_id)
    return selectors.brand_recommendations(brand=brand)


def _score_out(score) -> dict:
    return {
        "brand_id": score.brand_id,
        **{
            f: getattr(score, f)
            for f in (
                "relevance",
                "opportunity",
                "format_fit",
                "reward",
                "final",
                "decision",
                "platform",
                "post_format",
                "matched_pillar",
                "scored_at",
            )
        },
    }


@router.get("/trends/{trend_id}", response=TrendOut)
def trend_detail(request, trend_id: int, brand_id: int | None = None):
    """A trend with its snapshots and sources; with `brand_id`, that brand's score for it (brand
    users); staff get every brand's score."""
    user = request.auth if isinstance(request.auth, User) else request.user
    if not user.is_staff and user.role != Role.BRAND:
        raise HttpError(403, "This endpoint is for brand accounts.")
    trend = selectors.trend_get(trend_id=trend_id)
    detail = selectors.trend_detail(trend=trend)
    out = {
        **{
            f: getattr(trend, f)
            for f in (
                "id",
                "title",
                "summary",
                "category",
                "industries",
                "first_seen_at",
                "last_seen_at",
                "expires_at",
                "volume",
                "momentum",
                "sentiment_label",
                "sentiment_score",
            )
        },
        "snapshots": detail["snapshots"],
        "mentions": detail["mentions"],
    }
    if brand_id is not None:
        brand = brand_get_for_user(user=user, brand_id=brand_id)
        score = selectors.trend_score_for_brand(trend=trend, brand=brand)
        out["brand_score"] = _score_out(score) if score else None
        out["dismissed"] = selectors.trend_is_dismissed(trend=trend, brand=brand)
    if user.is_staff:
        out["brand_scores"] = [_score_out(s) for s in selectors.trend_brand_scores(trend=trend)]
    return out


@router.post("/brands/{brand_id}/trends/{trend_id}/dismiss", response=DismissOut)
def trend_dismiss(request, brand_id: int, trend_id: int):
    """ "Not for us": hide the trend from this brand's recommendations (kept for learning)."""
    user = api_require_role(request, Role.BRAND)
    brand = brand_get_for_user(user=user, brand_id=brand_id)
    trend = selectors.trend_get(trend_id=trend_id)
    services.trend_dismiss(brand=brand, trend=trend, user=user)
    return {"trend_id": trend.pk, "brand_id": brand.pk, "dismissed": True}


@router.delete("/brands/{brand_id}/trends/{trend_id}/dismiss", response={204: None})
def trend_undismiss(request, brand_id: int, trend_id: int):
    """Undo "not for us"."""
    user = api_require_role(request, Role.BRAND)
    brand = brand_get_for_user(user=user, brand_id=brand_id)
    trend = selectors.trend_get(trend_id=trend_id)
    services.trend_undismiss(brand=brand, trend=trend)
    return Status(204, None)
