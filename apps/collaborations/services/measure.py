"""Measuring reposts: their numbers every 4 hours, what the collaboration delivered (reach
multiplier, engagement, value and ROI for the brand, audience reaction for the influencer), the
step verified → measured → completed, and the brand's prices for valuing reach and engagement.

The job (`reposts_measure`, every 4 hours, and once right after a repost is verified through
`repost_measure_soon`) reads every verified repost of a collaboration that is verified or measured
through the platform's client (the social interface's `fetch_metrics`): X up to 100 ids a request
per account, LinkedIn one, the sandbox from its own tables. A 429 stops that account's requests
until the reset the platform gave (its reposts wait for the next run), a 401 marks the account as
needing a reconnect; neither stops the other accounts. A repost fetched in the last half hour is
not fetched again (a task delivered twice changes nothing).

What a collaboration delivered (CollaborationResult), from the repost's latest numbers:
- brand post reach = impressions of the brand post's publication on the collaboration's platform;
  when it has none there, the sum over all its platforms. 0 → no reach multiplier (the page says
  the brand post has no impressions yet).
- repost reach = the repost's impressions; reach multiplier = (brand post reach + repost reach) /
  brand post reach.
- engagement delivered = the repost's likes + comments + shares + quotes.
- value = impressions / 1000 × CPM + engagements × CPE, in minor units (the impression part rounded
  half up to a whole minor unit), with the brand's prices (CollaborationSettings) or DEFAULT_PRICES.
  ROI = value / fee. Prices in another currency than the fee's give no value and no ROI: there is
  no currency conversion here, and a guessed rate would make the ROI a guess.
- audience reaction = the repost's engagement rate / the influencer's own average engagement rate
  (InfluencerProfile.engagement_rate); none while they have no average.
- engagement rate = (likes + comments + shares + quotes) / impressions. LinkedIn without post
  analytics gives no impressions and no reshares: those stay 0, the rate and reaction stay empty
  and the value counts engagements only (nothing is estimated for money).

The first numbers move the collaboration verified → measured. At `measure_due_at` the result
becomes final and the collaboration completed (the brand then marks it paid): at the first run
that fetched the repost at or after that time, or, when the platform cannot be asked (deleted
repost, lost sign-in, rate limits), FINAL_GRACE later with the last numbers it has. Then the
influencer's own average takes this repost in (OWN_AVERAGE_WEIGHT, an exponential moving average:
recent collaborations count most, one outlier does not replace the history) and their reputation is
recomputed (services.reputation, through the step to completed).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.accounts.models import User
from apps.brands.models import Brand, BrandMembership
from apps.integrations.http import ServiceError
from apps.integrations.social.base import MetricsAuthError, MetricsRateLimited, PostMetrics, PublishAccount
from apps.integrations.social.registry import publisher_for
from apps.notifications.services import notification_create
from apps.publishing.models import Publication, PublicationStatus

from ..models import (
    Collaboration,
    CollaborationResult,
    CollaborationSettings,
    CollaborationStatus,
    InfluencerAccount,
    InfluencerProfile,
    Repost,
    RepostStatus,
)
from ..money import currency_clean, minor_exponent, money_format
from .accounts import influencer_account_mark_needs_reconnect, influencer_publish_account
from .collaboration import collaboration_paid_if_settled, collaboration_transition
from .offers import brand_member_users, collaboration_url

logger = logging.getLogger(__name__)

# Default prices, in major units of whatever currency they are applied in (the fee's, when the brand
# set none): CPM 8.00 is a typical price of 1,000 impressions of a promoted post on X or LinkedIn,
# CPE 0.30 a typical cost per engagement of a promoted post. A brand sets its own on
# /brand/<id>/collaborations/settings/.
DEFAULT_PRICES = {"cpm": Decimal("8.00"), "cpe": Decimal("0.30")}
REFETCH_AFTER = timedelta(minutes=30)
FINAL_GRACE = timedelta(hours=24)
OWN_AVERAGE_WEIGHT = 0.25
MEASURED_STEPS = (CollaborationStatus.VERIFIED, CollaborationStatus.MEASURED)


# --- Prices --------------------------------------------------------------------------------------


def default_price_minor(name: str, currency: str) -> int:
    """A default price in minor units of `currency` (half up; never below one minor unit)."""
    scaled = DEFAULT_PRICES[name].scaleb(minor_exponent(currency))
    return max(1, int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


@dataclass(frozen=True)
class Prices:
    currency: str
    cpm_minor: int
    cpe_minor: int
    is_default: bool


def prices_for(*, settings_row: CollaborationSettings | None, currency: str) -> Prices:
    """The brand's prices, or the defaults in `currency` (the fee's) when it set none."""
    if settings_row is not None:
        return Prices(settings_row.currency, settings_row.cpm_minor, settings_row.cpe_minor, False)
    return Prices(currency, default_price_minor("cpm", currency), default_price_minor("cpe", currency), True)


def collaboration_settings_save(
    *, brand: Brand, user: User, currency: str, cpm_minor: int, cpe_minor: int
) -> CollaborationSettings:
    """The brand's prices for valuing delivered reach (CPM) and engagement (CPE). Members only;
    prices are whole minor units, zero or more. Results not yet final use them from the next run."""
    if not BrandMembership.objects.filter(brand=brand, user=user).exists():
        raise PermissionDenied("Only the brand's members set its prices.")
    errors: dict[str, str] = {}
    try:
        currency = currency_clean(currency)
    except ValueError as exc:
        errors["currency"] = str(exc)
    for name, value in (("cpm_minor", cpm_minor), ("cpe_minor", cpe_minor)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = "Give the price as a whole number of minor units."
        elif value < 0:
            errors[name] = "A price cannot be negative."
        elif value > 10**12:
            errors[name] = "That price is far too high."
    if errors:
        raise ValidationError(errors)
    row, _ = CollaborationSettings.objects.update_or_create(
        brand=brand, defaults={"currency": currency, "cpm_minor": cpm_minor, "cpe_minor": cpe_minor}
    )
    return row


# --- What a collaboration delivered --------------------------------------------------------------


def engagement_rate_of(repost: Repost) -> float | None:
    if not repost.impressions:
        return None
    return repost.engagements / repost.impressions


def brand_post_reach(*, collaboration: Collaboration) -> int:
    """Impressions of the brand post on the collaboration's platform, else on all its platforms."""
    published = Publication.objects.filter(
        post_id=collaboration.offer.post_id, status=PublicationStatus.PUBLISHED
    ).order_by()
    on_platform = published.filter(platform=collaboration.platform).aggregate(n=Sum("impressions"))["n"]
    if on_platform:
        return int(on_platform)
    return int(published.aggregate(n=Sum("impressions"))["n"] or 0)


def value_minor_of(*, impressions: int, engagements: int, prices: Prices) -> int:
    """impressions / 1000 × CPM (half up to a minor unit) + engagements × CPE."""
    return (impressions * prices.cpm_minor + 500) // 1000 + engagements * prices.cpe_minor


@dataclass(frozen=True)
class Outcome:
    brand_post_reach: int
    repost_reach: int
    reach_multiplier: float | None
    engagement_delivered: int
    value_minor: int
    roi: float | None
    audience_reaction: float | None


def outcome_of(
    *,
    collaboration: Collaboration,
    repost: Repost,
    post_reach: int,
    prices: Prices,
    own_average: float | None,
) -> Outcome:
    """The module docstring's rules, from numbers already read (no query)."""
    reach = repost.impressions
    multiplier = (post_reach + reach) / post_reach if post_reach > 0 else None
    engagements = repost.engagements
    value, roi = 0, None
    if prices.currency == collaboration.currency:
        value = value_minor_of(impressions=reach, engagements=engagements, prices=prices)
        roi = value / collaboration.fee_minor
    rate = engagement_rate_of(repost)
    reaction = rate / own_average if rate is not None and own_average else None
    return Outcome(post_reach, reach, multiplier, engagements, value, roi, reaction)


def collaboration_result_refresh(
    *, collaboration: Collaboration, final: bool = False, now: datetime | None = None
) -> CollaborationResult:
    """Compute the result from the repost's latest numbers and store it (a final one never changes
    again). Moves verified → measured; with `final`, measured → completed."""
    now = now or timezone.now()
    with transaction.atomic():
        collaboration = (
            Collaboration.objects.select_for_update(of=("self",))
            .select_related("brand", "influencer__user", "offer", "repost")
            .get(pk=collaboration.pk)
        )
        existing = CollaborationResult.objects.filter(collaboration=collaboration).first()
        if existing is not None and existing.final:
            return existing
        if collaboration.status not in MEASURED_STEPS:
            raise ValidationError(
                f"A collaboration that is {collaboration.get_status_display().lower()} is not measured."
            )
        repost = collaboration.repost
        profile = collaboration.influencer
        prices = prices_for(
            settings_row=CollaborationSettings.objects.filter(brand_id=collaboration.brand_id).first(),
            currency=collaboration.currency,
        )
        outcome = outcome_of(
            collaboration=collaboration,
            repost=repost,
            post_reach=brand_post_reach(collaboration=collaboration),
            prices=prices,
            own_average=profile.engagement_rate,
        )
        result, _ = CollaborationResult.objects.update_or_create(
            collaboration=collaboration,
            defaults={**outcome.__dict__, "final": final},
        )
        first = collaboration.status == CollaborationStatus.VERIFIED
        if first:
            collaboration_transition(collaboration=collaboration, to=CollaborationStatus.MEASURED)
            _notify_measured(collaboration, result)
        if final:
            _own_average_update(profile, repost)
            # The step to completed recomputes the reputation (services.reputation) in this transaction.
            collaboration_transition(collaboration=collaboration, to=CollaborationStatus.COMPLETED)
            # A provider's payment that came in early settled the fee already: on to paid.
            collaboration_paid_if_settled(collaboration=collaboration)
            _notify_completed(collaboration, result)
    return result


def _own_average_update(profile: InfluencerProfile, repost: Repost) -> None:
    rate = engagement_rate_of(repost)
    if rate is None:
        return
    old = profile.engagement_rate
    profile.engagement_rate = (
        rate if old is None else (1 - OWN_AVERAGE_WEIGHT) * old + OWN_AVERAGE_WEIGHT * rate
    )
    profile.save(update_fields=["engagement_rate", "updated_at"])


def _numbers(result: CollaborationResult) -> str:
    return f"{result.repost_reach:,} impressions, {result.engagement_delivered:,} engagements"


def _brand_summary(collaboration: Collaboration, result: CollaborationResult) -> str:
    parts = [_numbers(result)]
    if result.reach_multiplier is not None:
        parts.append(f"reach ×{result.reach_multiplier:.2f}")
    if result.roi is not None:
        parts.append(f"ROI {result.roi:.2f}× ({money_format(result.value_minor, collaboration.currency)})")
    return "; ".join(parts) + "."


def _notify_measured(collaboration: Collaboration, result: CollaborationResult) -> None:
    url = collaboration_url(collaboration=collaboration)
    notification_create(
        user=collaboration.influencer.user,
        title=f"Your repost for {collaboration.brand.name} is measured",
        body=f"So far: {_numbers(result)}. The numbers are final on {collaboration.measure_due_at:%d %b %Y}.",
        url=url,
    )
    for user in brand_member_users(brand_id=collaboration.brand_id):
        notification_create(
            user=user,
            title=f"@{collaboration.influencer.slug}'s repost is measured",
            body=f"So far: {_brand_summary(collaboration, result)}",
            url=url,
        )


def _notify_completed(collaboration: Collaboration, result: CollaborationResult) -> None:
    url = collaboration_url(collaboration=collaboration)
    fee = money_format(collaboration.fee_minor, collaboration.currency)
    paid = collaboration.status == CollaborationStatus.PAID  # paid before it completed
    notification_create(
        user=collaboration.influencer.user,
        title=f"Collaboration with {collaboration.brand.name} completed",
        body=f"Final: {_numbers(result)}. "
        + (
            f"The fee of {fee} is already paid."
            if paid
            else f"{collaboration.brand.name} now pays the fee of {fee}."
        ),
        url=url,
    )
    for user in brand_member_users(brand_id=collaboration.brand_id):
        notification_create(
            user=user,
            title=f"Collaboration with @{collaboration.influencer.slug} completed",
            body=f"Final: {_brand_summary(collaboration, result)} "
            + ("The fee is already paid." if paid else "Mark the fee paid when you have paid it."),
            url=url,
        )


# --- The job -------------------------------------------------------------------------------------


@dataclass
class MeasureSummary:
    due: int = 0
    fetched: int = 0
    measured: int = 0  # results computed or refreshed
    completed: int = 0
    missing: int = 0  # the platform no longer has the repost
    rate_limited: int = 0
    skipped: int = 0  # accounts we could not ask
    requests: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _blocked_key(platform: str, account_id: int | None) -> str:
    return f"collaborations:repost-metrics-blocked:{platform}:{account_id}"


def reposts_blocked_until(*, platform: str, account_id: int | None, now: datetime) -> datetime | None:
    until = cache.get(_blocked_key(platform, account_id))
    return until if until and until > now else None


def _block(platform: str, account_id: int | None, until: datetime | None, now: datetime) -> None:
    if until is None or until <= now:  # no reset given: the next run simply tries again
        return
    cache.set(_blocked_key(platform, account_id), until, timeout=int((until - now).total_seconds()) + 1)


def reposts_due(*, now: datetime, repost_ids: list[int] | None = None) -> list[Repost]:
    """Verified reposts of collaborations being measured, not fetched in the last half hour."""
    reposts = Repost.objects.filter(
        status=RepostStatus.VERIFIED, collaboration__status__in=MEASURED_STEPS
    ).exclude(external_id="")
    if repost_ids is not None:
        reposts = reposts.filter(pk__in=repost_ids)
    return list(
        reposts.exclude(metrics_fetched_at__gt=now - REFETCH_AFTER)
        .select_related("account__social_account", "collaboration")
        .order_by("pk")
    )


def _account_for(repost: Repost) -> PublishAccount:
    """Who asks the platform: the influencer's linked account, its X token refreshed when about to
    expire (services.accounts); the sandbox needs none."""
    if repost.platform == "sandbox":
        return PublishAccount(access_token="", user_id="")
    if repost.account is None:
        raise ValidationError("The account the repost was made from is no longer linked.")
    return influencer_publish_account(account=repost.account)


def _store(repost: Repost, metrics: PostMetrics, now: datetime) -> None:
    repost.likes, repost.comments = metrics.likes, metrics.comments
    repost.shares, repost.quotes = metrics.shares, metrics.quotes
    repost.impressions = metrics.impressions
    repost.engagement_rate = engagement_rate_of(repost)
    repost.metrics_fetched_at = now
    repost.last_error = ""
    repost.save(
        update_fields=[
            "likes",
            "comments",
            "shares",
            "quotes",
            "impressions",
            "engagement_rate",
            "metrics_fetched_at",
            "last_error",
            "updated_at",
        ]
    )


def _mark_reconnect(account_id: int | None, message: str) -> None:
    account = InfluencerAccount.objects.select_related("profile__user").filter(pk=account_id).first()
    if account is not None:
        influencer_account_mark_needs_reconnect(account=account, reason=message)


def _fetch_group(
    platform: str, account_id: int | None, reposts: list[Repost], now: datetime, summary: MeasureSummary
) -> list[Repost]:
    """One account's reposts through the platform's client; returns those whose numbers were stored."""
    client = publisher_for(platform)
    account = _account_for(reposts[0])
    per_request = client.metrics_ids_per_request
    size = per_request or len(reposts)
    batches = [reposts[i : i + size] for i in range(0, len(reposts), size)]
    memo: dict = {}
    stored: list[Repost] = []
    for index, batch in enumerate(batches):
        if per_request is not None:
            summary.requests += 1
        try:
            answer = client.fetch_metrics(
                account=account, ids=[r.external_id for r in batch], at=now, memo=memo
            )
        except MetricsRateLimited as exc:
            left = sum(len(b) for b in batches[index:])
            _block(platform, account_id, exc.reset_at, now)
            summary.rate_limited += left
            summary.problems.append(
                f"{platform} account {account_id}: {exc} {left} reposts wait for the next run."
            )
            return stored
        for repost in batch:
            metrics = answer.metrics.get(repost.external_id)
            if metrics is None:
                summary.missing += 1
                reason = answer.missing.get(repost.external_id) or "The platform did not return this repost."
                Repost.objects.filter(pk=repost.pk).update(
                    last_error=reason[:1000], updated_at=timezone.now()
                )
                continue
            _store(repost, metrics, now)
            summary.fetched += 1
            stored.append(repost)
        if answer.rate.remaining == 0 and index + 1 < len(batches):
            left = sum(len(b) for b in batches[index + 1 :])
            _block(platform, account_id, answer.rate.reset_at, now)
            summary.rate_limited += left
            summary.problems.append(
                f"{platform} account {account_id}: no requests left in this window; {left} wait."
            )
            return stored
    return stored


def _finalizable(collaboration: Collaboration, repost: Repost, now: datetime) -> bool:
    if now < collaboration.measure_due_at:
        return False
    fetched = repost.metrics_fetched_at
    if fetched is not None and fetched >= collaboration.measure_due_at:
        return True
    return now >= collaboration.measure_due_at + FINAL_GRACE


def reposts_measure(*, now: datetime | None = None, repost_ids: list[int] | None = None) -> MeasureSummary:
    """Fetch the numbers of the due reposts (all, or `repost_ids`), refresh their collaborations'
    results, and complete those whose measuring time is over (module docstring). Safe to run twice."""
    now = now or timezone.now()
    summary = MeasureSummary()
    groups: dict[tuple[str, int | None], list[Repost]] = defaultdict(list)
    for repost in reposts_due(now=now, repost_ids=repost_ids):
        groups[(repost.platform, repost.account_id if repost.platform != "sandbox" else None)].append(repost)
        summary.due += 1
    for (platform, account_id), reposts in groups.items():
        if platform not in settings.SOCIAL_PUBLISHERS:
            summary.skipped += len(reposts)
            summary.problems.append(f"{platform}: no client is configured; {len(reposts)} reposts skipped.")
            continue
        blocked = reposts_blocked_until(platform=platform, account_id=account_id, now=now)
        if blocked:
            summary.rate_limited += len(reposts)
            summary.problems.append(
                f"{platform} account {account_id}: rate limited until {blocked:%Y-%m-%d %H:%M} UTC; "
                f"{len(reposts)} reposts wait for the next run."
            )
            continue
        fetched_before = summary.fetched + summary.missing
        try:
            _fetch_group(platform, account_id, reposts, now, summary)
        except (ValidationError, MetricsAuthError, ServiceError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            if isinstance(exc, MetricsAuthError):
                _mark_reconnect(account_id, message)
            logger.warning("repost metrics: %s account %s skipped: %s", platform, account_id, message)
            summary.problems.append(f"{platform} account {account_id}: {message}")
            summary.skipped += len(reposts) - (summary.fetched + summary.missing - fetched_before)
    _results_refresh(now=now, summary=summary, repost_ids=repost_ids)
    if summary.due or summary.completed:
        logger.info("repost metrics: %s", summary.as_dict())
    return summary


def _results_refresh(*, now: datetime, summary: MeasureSummary, repost_ids: list[int] | None) -> None:
    """Every collaboration being measured whose repost has numbers: its result refreshed, and
    completed when its time is over (also when this run could not fetch it: FINAL_GRACE)."""
    collaborations = Collaboration.objects.filter(
        status__in=MEASURED_STEPS,
        repost__status=RepostStatus.VERIFIED,
        repost__metrics_fetched_at__isnull=False,
    ).select_related("repost")
    if repost_ids is not None:
        collaborations = collaborations.filter(repost__pk__in=repost_ids)
    for collaboration in collaborations.order_by("pk"):
        repost = collaboration.repost
        final = _finalizable(collaboration, repost, now)
        if (
            not final
            and repost.metrics_fetched_at != now
            and collaboration.status == CollaborationStatus.MEASURED
        ):
            continue  # nothing new since the last refresh
        try:
            collaboration_result_refresh(collaboration=collaboration, final=final, now=now)
        except ValidationError as exc:  # moved on meanwhile (cancelled)
            summary.problems.append(f"collaboration {collaboration.pk}: {' '.join(exc.messages)}")
            continue
        summary.measured += 1
        summary.completed += int(final)


def repost_measure_soon(repost_id: int) -> None:
    """Queue the first measurement of a repost that was just verified (after the commit that
    verified it), so its collaboration does not wait up to 4 hours to show numbers."""
    from ..tasks import repost_measure_task  # tasks import the services; this is the one way back

    transaction.on_commit(lambda: repost_measure_task.delay(repost_id))
