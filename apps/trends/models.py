"""Trends seen across sources, their snapshots over time, each brand's score for each trend,
what a brand dismissed, the refresh runs and each source's health."""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.models import TimeStampedModel

from .categories import TrendCategory

EMBEDDING_DIM = 384  # all-MiniLM-L6-v2


def vector_to_bytes(vector) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def vector_from_bytes(data: bytes | memoryview | None) -> np.ndarray | None:
    if not data:
        return None
    return np.frombuffer(bytes(data), dtype=np.float32)


class SentimentLabel(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class TrendQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())


class Trend(TimeStampedModel):
    """One story or topic, however many sources mentioned it. Expires 30 days after first seen."""

    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=TrendCategory.choices, default=TrendCategory.BREAKING)
    industries = models.JSONField(default=list, blank=True, help_text="Industry slugs the trend belongs to.")
    embedding = models.BinaryField(help_text="float32 × 384, L2-normalised (all-MiniLM-L6-v2).")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField(db_index=True)
    # The latest snapshot's figures, kept on the trend so scoring reads one table.
    volume = models.PositiveIntegerField(default=0)
    momentum = models.FloatField(default=0.0)
    sentiment_label = models.CharField(
        max_length=10, choices=SentimentLabel.choices, default=SentimentLabel.NEUTRAL
    )
    sentiment_score = models.FloatField(default=0.0)

    objects = TrendQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def vector(self) -> np.ndarray | None:
        return vector_from_bytes(self.embedding)

    @property
    def momentum_label(self) -> str:
        if self.momentum >= 0.15:
            return "rising"
        if self.momentum <= -0.15:
            return "falling"
        return "steady"


class TrendMention(models.Model):
    """One source item that was merged into a trend: where it came from and its link."""

    trend = models.ForeignKey(Trend, on_delete=models.CASCADE, related_name="mentions")
    source = models.CharField(max_length=20, db_index=True)
    source_name = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=1000, blank=True)
    canonical_url = models.CharField(max_length=1000, blank=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    volume = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-volume", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["trend", "source", "canonical_url", "title"], name="trend_mention_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.title}"


class TrendSnapshot(models.Model):
    """A trend's figures at one refresh."""

    trend = models.ForeignKey(Trend, on_delete=models.CASCADE, related_name="snapshots")
    run = models.ForeignKey("TrendRefreshRun", on_delete=models.SET_NULL, null=True, blank=True)
    taken_at = models.DateTimeField()
    volume = models.PositiveIntegerField()
    mention_count = models.PositiveIntegerField(default=0)
    source_count = models.PositiveSmallIntegerField(default=0)
    momentum = models.FloatField(help_text="In [-1, 1], against the previous snapshots.")
    sentiment_label = models.CharField(max_length=10, choices=SentimentLabel.choices)
    sentiment_score = models.FloatField(help_text="VADER compound score in [-1, 1].")

    class Meta:
        ordering = ["trend", "taken_at"]
        indexes = [models.Index(fields=["trend", "-taken_at"], name="trend_snapshot_latest")]

    def __str__(self) -> str:
        return f"{self.trend_id} @ {self.taken_at:%Y-%m-%d %H:%M}: {self.volume}"


class BrandEmbedding(models.Model):
    """A brand's profile (pillars + audience) as an embedding, and each pillar's, for scoring."""

    brand = models.OneToOneField("brands.Brand", on_delete=models.CASCADE, related_name="embedding")
    vector = models.BinaryField()
    pillar_vectors = models.BinaryField(help_text="float32 × 384 per pillar, in the pillars' order.")
    pillars = models.JSONField(default=list)
    industry_vector = models.BinaryField(
        default=b"",
        blank=True,
        help_text="float32 × 384: the brand's industry in its own words (empty: none).",
    )
    negative_vectors = models.BinaryField(
        default=b"",
        blank=True,
        help_text="float32 × 384 per negative topic and banned topic, in `negatives`' order.",
    )
    negatives = models.JSONField(default=list, blank=True)
    text_digest = models.CharField(max_length=64, help_text="What was embedded; a change means recompute.")
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"embedding of {self.brand}"


class Decision(models.TextChoices):
    RECOMMEND = "recommend", "Recommended"
    WATCHLIST = "watchlist", "Watchlist"


class BrandTrendScore(models.Model):
    """A trend's score for a brand, with its four parts. Skipped pairs are not stored."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="trend_scores")
    trend = models.ForeignKey(Trend, on_delete=models.CASCADE, related_name="brand_scores")
    relevance = models.FloatField()
    opportunity = models.FloatField()
    format_fit = models.FloatField()
    reward = models.FloatField()
    final = models.FloatField(db_index=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    platform = models.CharField(max_length=16, help_text="The platform the format fit chose.")
    post_format = models.CharField(max_length=16, help_text="post, thread or carousel.")
    matched_pillar = models.CharField(max_length=300, blank=True)
    scored_at = models.DateTimeField()

    class Meta:
        ordering = ["-final"]
        constraints = [models.UniqueConstraint(fields=["brand", "trend"], name="brand_trend_score_unique")]
        indexes = [models.Index(fields=["brand", "decision", "-final"], name="brand_trend_score_rank")]

    def __str__(self) -> str:
        return f"{self.brand_id}/{self.trend_id}: {self.final:.2f} ({self.decision})"


class TrendDismissal(TimeStampedModel):
    """ "Not for us": the brand hid this trend. Kept for learning."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="trend_dismissals")
    trend = models.ForeignKey(Trend, on_delete=models.CASCADE, related_name="dismissals")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    final_at_dismissal = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brand", "trend"], name="trend_dismissal_unique")]

    def __str__(self) -> str:
        return f"{self.brand_id} dismissed {self.trend_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    # Finished, but some sources failed (or none answered and the offline set stood in).
    PARTIAL = "partial", "Partly succeeded"
    FAILED = "failed", "Failed"


class TrendRefreshRun(TimeStampedModel):
    """One run of the trend job, with its live progress and what each source did."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Staff"
        DEMO = "demo", "Demo data"

    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=120, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent.")
    items_fetched = models.PositiveIntegerField(default=0)
    trends_created = models.PositiveIntegerField(default=0)
    trends_updated = models.PositiveIntegerField(default=0)
    brands_scored = models.PositiveIntegerField(default=0)
    recommendations = models.PositiveIntegerField(default=0)
    source_results = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"trend refresh #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)


class TrendSourceStatus(models.Model):
    """Each source's last success and last error, shown to staff."""

    name = models.CharField(max_length=20, unique=True)
    label = models.CharField(max_length=80)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_item_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    skipped_reason = models.CharField(max_length=300, blank=True)
    rate_limit_remaining = models.IntegerField(null=True, blank=True)
    rate_limit_reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "trend source statuses"

    def __str__(self) -> str:
        return self.label or self.name
