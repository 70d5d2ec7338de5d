"""Influencer profiles (and, later, offers and collaborations)."""

from django.conf import settings
from django.db import models

from apps.core.models import TimeStampedModel


def _photo_path(instance, filename: str) -> str:
    return f"influencers/{instance.user_id}/photo/{filename}"


class InfluencerProfile(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="influencer_profile"
    )
    slug = models.SlugField(max_length=80, unique=True, help_text="The address of the public profile page.")
    photo = models.ImageField(upload_to=_photo_path, blank=True)
    bio = models.TextField(blank=True, max_length=1000)
    audience_roles = models.JSONField(default=list, blank=True)
    audience_industries = models.JSONField(default=list, blank=True)
    audience_geographies = models.JSONField(default=list, blank=True)
    # {"x": {"count": 1200, "verified": true, "updated_at": "..."}, ...}
    follower_counts = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=True)
    reputation_score = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Empty until collaborations exist."
    )

    def __str__(self) -> str:
        return f"{self.user.name} (@{self.slug})"

    @property
    def total_followers(self) -> int:
        return sum(int(v.get("count") or 0) for v in self.follower_counts.values())
