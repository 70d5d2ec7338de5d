"""Read side of what collaborations delivered: the brand's collaboration ROI, the influencer's
analytics (reposts, engagement delivered, earnings, reputation history) and the public profile's
reputation history and delivered reach. Each function's query count does not grow with the data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet

from apps.brands.models import Brand
from apps.core import zones

from ..models import (
    Collaboration,
    CollaborationSettings,
    CollaborationStatus,
    InfluencerProfile,
    LedgerStatus,
    Repost,
    RepostStatus,
    ReputationEvent,
)
from ..money import money_format
from ..services.measure import Prices, prices_for
from .marketplace import ledger_balances_for_influencer, ledger_entries_for_influencer

DELIVERED = (CollaborationStatus.COMPLETED, CollaborationStatus.PAID)
COLLABORATION_URL = "/influencer/collaborations/{}/"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def brand_prices(*, brand: Brand, currency: str) -> Prices:
    """The brand's prices, or the defaults in `currency` until it sets its own (one query)."""
    return prices_for(
        settings_row=CollaborationSettings.objects.filter(brand=brand).first(), currency=currency
    )


# --- The brand: collaboration ROI -------------------------------------------------------------------


@dataclass(frozen=True)
class RoiRow:
    collaboration: Collaboration
    url: str
    fee: str
    value: str  # "" when not computed
    roi: float | None
    roi_note: str  # why there is no ROI
    reach_multiplier: float | None
    multiplier_note: str
    brand_post_reach: int
    repost_reach: int
    engagement_delivered: int
    final: bool
    measured_on: date | None


@dataclass(frozen=True)
class RoiPoint:
    start: date
    roi: float | None
    collaborations: int


@dataclass(frozen=True)
class RoiReport:
    rows: list[RoiRow]
    over_time: list[RoiPoint]
    prices_currency: str | None  # the brand's prices' currency; None: the defaults (fee's currency)
    mean_roi: float | None
    waiting: int  # collaborations under way, not measured yet


def _roi_note(collaboration: Collaboration, settings_row: CollaborationSettings | None) -> str:
    prices = prices_for(settings_row=settings_row, currency=collaboration.currency)
    if prices.currency != collaboration.currency:
        return (
            f"Not computed: your prices are in {prices.currency} and this fee is in "
            f"{collaboration.currency} (no currency conversion)."
        )
    return ""


def brand_collaboration_roi(*, brand: Brand) -> RoiReport:
    """Every measured collaboration of the brand (newest first) with its numbers, and the mean ROI
    of those measured each day, in the brand's time zone (three queries)."""
    zone = zones.zone(brand.timezone)
    settings_row = CollaborationSettings.objects.filter(brand=brand).first()
    collaborations = list(
        Collaboration.objects.filter(brand=brand, result__isnull=False)
        .select_related("influencer", "result")
        .order_by("-measured_at", "-pk")
    )
    waiting = (
        Collaboration.objects.filter(
            brand=brand,
            status__in=(
                CollaborationStatus.ACCEPTED,
                CollaborationStatus.REPOSTED,
                CollaborationStatus.VERIFIED,
            ),
        )
        .order_by()
        .count()
    )
    rows, by_day = [], defaultdict(list)
    for c in collaborations:
        result = c.result
        measured_on = c.measured_at.astimezone(zone).date() if c.measured_at else None
        rows.append(
            RoiRow(
                collaboration=c,
                url=COLLABORATION_URL.format(c.pk),
                fee=money_format(c.fee_minor, c.currency),
                value=money_format(result.value_minor, c.currency) if result.roi is not None else "",
                roi=result.roi,
                roi_note="" if result.roi is not None else _roi_note(c, settings_row),
                reach_multiplier=result.reach_multiplier,
                multiplier_note=""
                if result.reach_multiplier is not None
                else "Not computed: the brand post has no impressions yet.",
                brand_post_reach=result.brand_post_reach,
                repost_reach=result.repost_reach,
                engagement_delivered=result.engagement_delivered,
                final=result.final,
                measured_on=measured_on,
            )
        )
        if result.roi is not None and measured_on is not None:
            by_day[measured_on].append(result.roi)
    over_time = [
        RoiPoint(start=day, roi=sum(values) / len(values), collaborations=len(values))
        for day, values in sorted(by_day.items())
    ]
    rois = [r.roi for r in rows if r.roi is not None]
    return RoiReport(
        rows=rows,
        over_time=over_time,
        prices_currency=settings_row.currency if settings_row else None,
        mean_roi=sum(rois) / len(rois) if rois else None,
        waiting=waiting,
    )


# --- The influencer: reposts, engagement, earnings, reputation ------------------------------------


@dataclass(frozen=True)
class RepostRow:
    repost: Repost
    collaboration: Collaboration
    url: str
    audience_reaction: float | None
    final: bool


@dataclass(frozen=True)
class WeekPoint:
    start: date
    engagements: int
    impressions: int


@dataclass(frozen=True)
class EarningsPoint:
    start: date
    amounts: dict[str, int]  # currency -> minor units received that week


@dataclass(frozen=True)
class Earnings:
    currency: str
    received: str  # paid to them and not refunded
    owed: str  # still pending
    received_minor: int
    owed_minor: int


@dataclass(frozen=True)
class InfluencerReport:
    reposts: list[RepostRow]
    engagement_weeks: list[WeekPoint]
    engagement_total: int
    impressions_total: int
    earnings: list[Earnings]
    earnings_weeks: list[EarningsPoint]
    earnings_currencies: list[str]
    reputation: list[ReputationEvent]


def influencer_report(*, profile: InfluencerProfile, zone_name: str = "UTC") -> InfluencerReport:
    """Their reposts with numbers (newest first), engagement delivered per week (by the repost's
    time), money received and owed per currency with the weeks it was received in, and their
    reputation history (four queries)."""
    zone = zones.zone(zone_name)
    reposts = list(
        Repost.objects.filter(collaboration__influencer=profile)
        .select_related("collaboration__brand", "collaboration__result")
        .order_by("-created_at", "-pk")
    )
    rows, weeks = [], defaultdict(lambda: [0, 0])
    for repost in reposts:
        collaboration = repost.collaboration
        result = getattr(collaboration, "result", None)
        rows.append(
            RepostRow(
                repost=repost,
                collaboration=collaboration,
                url=COLLABORATION_URL.format(collaboration.pk),
                audience_reaction=result.audience_reaction if result else None,
                final=bool(result and result.final),
            )
        )
        if repost.status == RepostStatus.VERIFIED and repost.metrics_fetched_at:
            at = repost.posted_at or repost.verified_at or repost.created_at
            week = weeks[week_start(at.astimezone(zone).date())]
            week[0] += repost.engagements
            week[1] += repost.impressions
    engagement_weeks = [WeekPoint(start, e, i) for start, (e, i) in sorted(weeks.items())]

    # Money, from the ledger: balances per currency, and the weeks paid entries (not refunded) came in.
    earnings = [
        Earnings(
            currency=b.currency,
            received=money_format(b.paid_minor, b.currency),
            owed=money_format(b.pending_minor, b.currency),
            received_minor=b.paid_minor,
            owed_minor=b.pending_minor,
        )
        for b in ledger_balances_for_influencer(profile=profile)
    ]
    paid = ledger_entries_for_influencer(profile=profile).filter(
        status=LedgerStatus.PAID, reversed_by__isnull=True
    )
    paid_weeks: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in paid.order_by("created_at", "pk"):
        paid_weeks[week_start(entry.created_at.astimezone(zone).date())][entry.currency] += entry.amount_minor
    return InfluencerReport(
        reposts=rows,
        engagement_weeks=engagement_weeks,
        engagement_total=sum(w.engagements for w in engagement_weeks),
        impressions_total=sum(w.impressions for w in engagement_weeks),
        earnings=earnings,
        earnings_weeks=[EarningsPoint(start, dict(amounts)) for start, amounts in sorted(paid_weeks.items())],
        earnings_currencies=sorted({c for amounts in paid_weeks.values() for c in amounts}),
        reputation=list(reputation_history(profile=profile)),
    )


def reputation_history(*, profile: InfluencerProfile) -> QuerySet[ReputationEvent]:
    """The profile's reputation recomputations, oldest first (one query)."""
    return ReputationEvent.objects.filter(profile=profile).order_by("created_at", "pk")


# --- The public profile -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    on: datetime
    platform: str
    repost_reach: int
    engagement_delivered: int
    reach_multiplier: float | None


def delivered_collaborations(*, profile: InfluencerProfile, limit: int = 12) -> list[Delivered]:
    """Their completed collaborations' final reach, newest first, without the brands' names (who an
    influencer worked for is not the public's business) (one query)."""
    done = (
        Collaboration.objects.filter(influencer=profile, status__in=DELIVERED, result__final=True)
        .select_related("result")
        .order_by("-completed_at", "-pk")[:limit]
    )
    return [
        Delivered(
            on=c.completed_at,
            platform=c.platform,
            repost_reach=c.result.repost_reach,
            engagement_delivered=c.result.engagement_delivered,
            reach_multiplier=c.result.reach_multiplier,
        )
        for c in done
    ]
