"""Influencer profiles (and, later, offers and collaborations)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from apps.core.models import TimeStampedModel


def _photo_path(instance, filename: str) -> str:
    return f"influencers/{instance.user_id}/photo/{filename}"


class InfluencerProfile(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="influencer_profile"
    )
    # The public handle (/influencer/@<slug>/), chosen by the influencer; stored in lower case.
    slug = models.SlugField(max_length=80, unique=True, help_text="The address of the public profile page.")
    display_name = models.CharField(
        max_length=80, blank=True, help_text="The name on the public page (never taken from the email)."
    )
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

    class Meta:
        constraints = [models.UniqueConstraint(Lower("slug"), name="influencer_slug_ci_unique")]

    def __str__(self) -> str:
        return f"{self.public_name} (@{self.slug})"

    @property
    def public_name(self) -> str:
        """What the public page calls the influencer: their chosen name, else their handle."""
        return self.display_name or f"@{self.slug}"

    @property
    def total_followers(self) -> int:
        return sum(int(v.get("count") or 0) for v in self.follower_counts.values())


class InfluencerHandle(TimeStampedModel):
    """A handle a profile used before: its old address redirects (301) to the current one, and no
    one else may take it, so an old link never lands on another person."""

    profile = models.ForeignKey(InfluencerProfile, on_delete=models.CASCADE, related_name="past_handles")
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("slug"), name="influencer_past_handle_ci_unique")]

    def __str__(self) -> str:
        return f"@{self.slug} → profile {self.profile_id}"
