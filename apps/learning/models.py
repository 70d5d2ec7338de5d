"""What the learning loop owns (SPEC section 7): the reward ledger it learns from, each brand's
learned model and every weekly training run.

`RewardRecord` is one published publication's reward, written by analytics through
`apps.learning.services.reward_record_upsert` whenever it computes or finalizes one: learning
reads its own ledger and never the posts or publications above it. `PolicyModel` is the per-brand
learned model; `TrainingRun` records every weekly run, trained or skipped, with its reason in words.
The two came from analytics and keep its tables (`db_table`), so no row moved."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RewardRecord(models.Model):
    """One published publication's reward and what the post it carries did: the action (tone, the
    platform whose copy went out, the post's format) and the post's learning state. The post and
    publication are plain ids because they live in apps above learning; the trend is a key (trends
    is below) so training reads its category and the trend scorer its embedding."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    publication_id = models.PositiveBigIntegerField(unique=True)
    post_id = models.PositiveBigIntegerField()
    trend = models.ForeignKey(
        "trends.Trend", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tone = models.CharField(max_length=20, blank=True)
    platform = models.CharField(max_length=16, help_text="Whose copy was published (x or linkedin).")
    post_format = models.CharField(max_length=10, blank=True, help_text="The post's format as written.")
    state = models.JSONField(
        default=dict, blank=True, help_text="The post's learning state (industry, category, format, tone)."
    )
    reward = models.FloatField()
    final = models.BooleanField(default=False, help_text="7 days after publishing the reward is final.")
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["published_at", "publication_id"]
        indexes = [models.Index(fields=["brand", "published_at"], name="reward_record_brand")]

    def __str__(self) -> str:
        return f"reward {self.reward:.2f} of publication {self.publication_id}"


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

    class Meta:
        db_table = "analytics_policymodel"  # moved from analytics with its rows

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
        db_table = "analytics_trainingrun"  # moved from analytics with its rows
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["brand", "-started_at"], name="training_run_brand")]

    def __str__(self) -> str:
        return f"training of brand {self.brand_id} at {self.started_at:%Y-%m-%d %H:%M}: {self.status}"
