"""Engagement numbers (SPEC section 7): `MetricsSnapshot` is one fetch of one publication's numbers;
the latest numbers are also kept on the `Publication` row (likes … impressions, reward,
reward_final) so analytics read one table. What the brand's model learns from them lives in
apps.learning (its reward ledger, PolicyModel and TrainingRun)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class MetricsSnapshot(models.Model):
    publication = models.ForeignKey(
        "publishing.Publication", on_delete=models.CASCADE, related_name="snapshots"
    )
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16)
    fetched_at = models.DateTimeField(default=timezone.now)
    age_hours = models.FloatField(help_text="Hours since the publication went live.")
    likes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0, help_text="Comments or replies.")
    shares = models.PositiveIntegerField(default=0, help_text="Shares or reposts.")
    quotes = models.PositiveIntegerField(default=0)
    bookmarks = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0)
    estimated = models.JSONField(
        default=list, blank=True, help_text="Names of the numbers the platform did not give (estimated)."
    )
    engagement_rate = models.FloatField(default=0.0)
    reward = models.FloatField(default=0.0)
    final = models.BooleanField(default=False, help_text="Taken 7 days or more after publishing.")

    class Meta:
        ordering = ["fetched_at"]
        indexes = [
            models.Index(fields=["publication", "fetched_at"], name="snapshot_publication"),
            models.Index(fields=["brand", "fetched_at"], name="snapshot_brand"),
        ]

    def __str__(self) -> str:
        return f"metrics of publication {self.publication_id} at {self.fetched_at:%Y-%m-%d %H:%M}"
