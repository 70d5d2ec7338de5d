"""Analytics' part in the learning loop's seams: a deleted publication's reward leaves the reward
ledger (analytics writes the ledger; learning cannot see publications), and the Learning page
learns how many posts a brand has published from analytics, which reads publications."""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver

from apps.learning.selectors import published_count_provider_register
from apps.learning.services import reward_record_delete
from apps.publishing.models import Publication

from .selectors.metrics import brand_published_count


@receiver(post_delete, sender=Publication, dispatch_uid="analytics.publication_reward_forget")
def publication_reward_forget(sender, instance: Publication, **kwargs) -> None:
    if instance.reward is not None:
        reward_record_delete(publication_id=instance.pk)


def learning_providers_register() -> None:
    """AnalyticsConfig.ready(): the Learning page's "nothing published yet" asks how many posts
    went out; learning sits below publishing, so analytics tells it."""
    published_count_provider_register(brand_published_count)
