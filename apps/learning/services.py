"""The reward ledger's writes: analytics reports each publication's reward here when it computes
or finalizes it (one writer per table: only these services change RewardRecord rows)."""

from __future__ import annotations

from datetime import datetime

from .models import RewardRecord


def reward_record_upsert(
    *,
    brand_id: int,
    publication_id: int,
    post_id: int,
    trend_id: int | None,
    tone: str,
    platform: str,
    post_format: str,
    state: dict | None,
    reward: float,
    final: bool,
    published_at: datetime | None,
) -> RewardRecord:
    """Record (or update) one publication's reward and what its post did: `platform` is the one
    whose copy was published, `state` the post's learning state as generation stored it."""
    record, _ = RewardRecord.objects.update_or_create(
        publication_id=publication_id,
        defaults={
            "brand_id": brand_id,
            "post_id": post_id,
            "trend_id": trend_id,
            "tone": tone,
            "platform": platform,
            "post_format": post_format,
            "state": state or {},
            "reward": reward,
            "final": final,
            "published_at": published_at,
        },
    )
    return record


def reward_record_delete(*, publication_id: int) -> None:
    """Forget a publication's reward (the publication is gone, so learning no longer counts it)."""
    RewardRecord.objects.filter(publication_id=publication_id).delete()
