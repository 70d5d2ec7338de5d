"""Engagement numbers and what the brand's model learned from them (SPEC section 7).

`MetricsSnapshot` is one fetch of one publication's numbers; the latest numbers are also kept on
the `Publication` row (likes … impressions, reward, reward_final) so analytics read one table.
`PolicyModel` is the per-brand learned model; `TrainingRun` records every weekly run, trained or
skipped, with its reason in words."""

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


class PolicyMode(models.TextChoices):
    NONE = "none", "Not trained yet"
    BANDIT = "bandit", "Epsilon-greedy bandit (little data)"
    Q = "q", "Q-learning"


class PolicyModel(models.Model):
    """The brand's learned model. Keys are strings so the JSON stays readable:
    a state key is "industry|category|format|tone", an action key is "tone|platform|format"."""

    brand = models.OneToOneField("brands.Brand", on_delete=models.CASCADE, related_name="policy_model")
    mode = models.CharField(max_length=8, choices=PolicyMode.choices, default=PolicyMode.NONE)
    q_values = models.JSONField(default=dict, blank=True, help_text="{state: {action: Q}}")
    visits = models.JSONField(default=dict, blank=True, help_text="{state: {action: count}}")
    bandit = models.JSONField(default=dict, blank=True, help_text="{action: {n, mean}}")
    alpha = models.FloatField(default=0.1)
    epsilon = models.FloatField(default=0.15)
    posts_used = models.PositiveIntegerField(default=0)
    trained_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"model of brand {self.brand_id} ({self.mode})"


class TrainingStatus(models.TextChoices):
    TRAINED = "trained", "Trained"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class TrainingRun(models.Model):
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="training_runs")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=TrainingStatus.choices)
    mode = models.CharField(max_length=8, choices=PolicyMode.choices, default=PolicyMode.NONE)
    reason = models.TextField(blank=True, help_text="Why it skipped or failed, in words.")
    posts_used = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["brand", "-started_at"], name="training_run_brand")]

    def __str__(self) -> str:
        return f"training of brand {self.brand_id} at {self.started_at:%Y-%m-%d %H:%M}: {self.status}"
