"""An influencer's reputation: recomputed whenever one of their collaborations ends, each
recomputation kept as a ReputationEvent (the history the profile charts).

Score, 0–100, from the collaborations that ended on the influencer's side:
- delivered = completed or paid; missed = not reposted by repost_due_at. A collaboration the brand
  cancelled is not the influencer's doing and counts for nothing.
- delivery rate  D = (delivered + K·0.8) / (delivered + missed + K)
- on-time rate   T = (delivered on time + K·0.9) / (delivered + K), on time = the platform's time of
  the repost (or, without one, when it was recorded) at or before repost_due_at
- performance    P = (Σ min(reaction, 2) / 2 + K·0.5) / (delivered with a reaction + K), where
  reaction = the repost's engagement rate / the influencer's own average (1 = as usual → 0.5,
  twice as good or better → 1)
- score = 100 × (0.45·D + 0.20·T + 0.35·P) − MISSED_PENALTY per missed (at most MISSED_PENALTY_CAP),
  kept within 0–100.

Each rate is Bayesian-smoothed: it starts from a prior (a reliable, on-time, average influencer) worth
K = 2 collaborations, so one collaboration moves the score but does not decide it, and a long record
outweighs the prior. The explicit penalty makes a miss cost more than the lower delivery rate alone.

"New" until the first delivered collaboration: reputation_score stays empty until then (a miss
before it is still kept as an event, and counts once the score appears).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from apps.notifications.services import notification_create

from ..models import Collaboration, CollaborationStatus, InfluencerProfile, ReputationEvent

K = 2.0
PRIOR = {"delivery": 0.8, "on_time": 0.9, "performance": 0.5}
WEIGHTS = {"delivery": 0.45, "on_time": 0.20, "performance": 0.35}
REACTION_CAP = 2.0
MISSED_PENALTY = 5.0
MISSED_PENALTY_CAP = 30.0
DELIVERED = (CollaborationStatus.COMPLETED, CollaborationStatus.PAID)
# The steps that end a collaboration on the influencer's side, and so recompute the reputation.
ENDING_STEPS = frozenset({CollaborationStatus.COMPLETED, CollaborationStatus.MISSED})


def _on_time(collaboration: Collaboration) -> bool:
    repost = getattr(collaboration, "repost", None)
    at = (repost.posted_at if repost is not None else None) or collaboration.reposted_at
    return at is not None and at <= collaboration.repost_due_at


def reputation_components(*, profile: InfluencerProfile) -> dict:
    """The formula's parts from the profile's ended collaborations (two queries)."""
    ended = list(
        Collaboration.objects.filter(influencer=profile)
        .filter(Q(status__in=DELIVERED) | Q(status=CollaborationStatus.MISSED))
        .select_related("repost", "result")
        .order_by()
    )
    delivered = [c for c in ended if c.status in DELIVERED]
    missed = len(ended) - len(delivered)
    on_time = sum(1 for c in delivered if _on_time(c))
    reactions = []
    for c in delivered:
        result = getattr(c, "result", None)
        if result is not None and result.audience_reaction is not None:
            reactions.append(min(result.audience_reaction, REACTION_CAP) / REACTION_CAP)
    delivery = (len(delivered) + K * PRIOR["delivery"]) / (len(delivered) + missed + K)
    timely = (on_time + K * PRIOR["on_time"]) / (len(delivered) + K)
    performance = (sum(reactions) + K * PRIOR["performance"]) / (len(reactions) + K)
    penalty = min(MISSED_PENALTY * missed, MISSED_PENALTY_CAP)
    raw = 100 * (
        WEIGHTS["delivery"] * delivery + WEIGHTS["on_time"] * timely + WEIGHTS["performance"] * performance
    )
    score = max(0.0, min(100.0, raw - penalty))
    return {
        "delivered": len(delivered),
        "missed": missed,
        "on_time": on_time,
        "with_reaction": len(reactions),
        "delivery_rate": round(delivery, 4),
        "on_time_rate": round(timely, 4),
        "performance": round(performance, 4),
        "penalty": penalty,
        "score": round(score, 2),
    }


def _decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def reputation_recompute(*, collaboration: Collaboration, reason: str = "") -> ReputationEvent:
    """After a collaboration ended (completed or missed), in the transaction that ended it: the new
    score on the profile (still empty while nothing was delivered), an event with the previous score
    and the parts, and a notification when the shown score changed."""
    profile = (
        InfluencerProfile.objects.select_for_update()
        .select_related("user")
        .get(pk=collaboration.influencer_id)
    )
    parts = reputation_components(profile=profile)
    score = _decimal(parts["score"])
    previous = profile.reputation_score
    shown = score if parts["delivered"] else None
    status = CollaborationStatus(collaboration.status).label.lower()
    event = ReputationEvent.objects.create(
        profile=profile,
        collaboration=collaboration,
        score=score,
        previous=previous,
        components={**parts, "ended": collaboration.status},
        reason=(reason or f"Collaboration with {collaboration.brand.name} {status}")[:200],
    )
    if shown != previous:
        profile.reputation_score = shown
        profile.save(update_fields=["reputation_score", "updated_at"])
        if shown is not None:
            was = f" (was {previous})" if previous is not None else ""
            notification_create(
                user=profile.user,
                title=f"Your reputation is now {shown}{was}",
                body=f"Recomputed after your collaboration with {collaboration.brand.name} was {status}: "
                f"{parts['delivered']} delivered, {parts['on_time']} on time, {parts['missed']} missed.",
                url=f"/influencer/@{profile.slug}/",
            )
    return event
