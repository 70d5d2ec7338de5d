"""Analytics' part in keeping the learning loop's reward ledger true: a deleted publication's
reward is no longer learned from (analytics writes the ledger; learning cannot see publications)."""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver

from apps.learning.services import reward_record_delete
from apps.publishing.models import Publication


@receiver(post_delete, sender=Publication, dispatch_uid="analytics.publication_reward_forget")
def publication_reward_forget(sender, instance: Publication, **kwargs) -> None:
    if instance.reward is not None:
        reward_record_delete(publication_id=instance.pk)
