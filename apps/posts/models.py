"""Posts: a brand's content for one trend, with its copy per platform, its graphics, its status
from draft to published, the learning metadata it was made with, and who changed what."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core import vocabulary
from apps.core.models import TimeStampedModel


class PostStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"
    REJECTED = "rejected", "Rejected"


# Which status may follow which. Services enforce it (apps.posts.services.post_transition). From
# scheduled on, the status follows the post's publications (apps.publishing.services).
TRANSITIONS: dict[str, frozenset[str]] = {
    PostStatus.DRAFT: frozenset({PostStatus.APPROVED, PostStatus.REJECTED}),
    PostStatus.APPROVED: frozenset({PostStatus.SCHEDULED, PostStatus.DRAFT, PostStatus.REJECTED}),
    PostStatus.SCHEDULED: frozenset(
        {
            PostStatus.PUBLISHING,
            PostStatus.APPROVED,
            PostStatus.PUBLISHED,
            PostStatus.FAILED,
            PostStatus.EXPIRED,
        }
    ),
    PostStatus.PUBLISHING: frozenset(
        {PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.SCHEDULED, PostStatus.EXPIRED}
    ),
    PostStatus.FAILED: frozenset(
        {PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.APPROVED}
    ),
    PostStatus.EXPIRED: frozenset({PostStatus.SCHEDULED, PostStatus.APPROVED}),
    PostStatus.REJECTED: frozenset({PostStatus.DRAFT}),
    PostStatus.PUBLISHED: frozenset(),
}


class PostFormat(models.TextChoices):
    POST = vocabulary.POST, vocabulary.FORMAT_LABELS[vocabulary.POST]
    THREAD = vocabulary.THREAD, vocabulary.FORMAT_LABELS[vocabulary.THREAD]
    CAROUSEL = vocabulary.CAROUSEL, vocabulary.FORMAT_LABELS[vocabulary.CAROUSEL]


class GenerationState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Generating"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class CopySource(models.TextChoices):
    LLM = "llm", "Written by the AI model"
    ADAPTED = "adapted", "Adapted from a past post"
    TEMPLATE = "template", "From a template (the AI model was unavailable)"


class Post(TimeStampedModel):
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="posts")
    trend = models.ForeignKey(
        "trends.Trend", on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post_format = models.CharField(max_length=10, choices=PostFormat.choices, default=PostFormat.POST)
    tone = models.CharField(max_length=20)
    status = models.CharField(
        max_length=12, choices=PostStatus.choices, default=PostStatus.DRAFT, db_index=True
    )
    # Live progress of the worker that writes the copy and draws the graphics.
    generation_state = models.CharField(
        max_length=10, choices=GenerationState.choices, default=GenerationState.QUEUED
    )
    generation_progress = models.PositiveSmallIntegerField(default=0)
    generation_stage = models.CharField(max_length=120, blank=True)
    generation_error = models.TextField(blank=True)
    # Learning metadata (SPEC section 7): the state the policy saw and the action it chose.
    learning_state = models.JSONField(default=dict, blank=True)
    learning_action = models.JSONField(default=dict, blank=True)
    explored = models.BooleanField(default=False, help_text="The action was an exploration pick.")
    rejected_reason = models.TextField(blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # A/B test (apps.posts.ab): variant B points at the post it is tested against (A).
    ab_parent = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="ab_variant"
    )
    variant_label = models.CharField(
        max_length=1, blank=True, help_text="A or B when the post is in an A/B test."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["brand", "status", "-created_at"], name="post_brand_status")]

    def __str__(self) -> str:
        return f"{self.get_post_format_display()} for {self.brand} ({self.status})"


class PostCopy(TimeStampedModel):
    """A post's copy on one platform: one part for a post, tweets for a thread, slides for a carousel."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="copies")
    platform = models.CharField(max_length=16)
    parts = models.JSONField(default=list)
    caption = models.TextField(blank=True, help_text="A carousel's accompanying text.")
    source = models.CharField(max_length=10, choices=CopySource.choices)
    llm_model = models.CharField(max_length=120, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=1, help_text="LLM calls it took (regenerations).")

    class Meta:
        ordering = ["platform"]
        constraints = [
            models.UniqueConstraint(fields=["post", "platform"], name="post_copy_one_per_platform")
        ]

    def __str__(self) -> str:
        return f"{self.platform} copy of post {self.post_id}"


class PostGraphic(models.Model):
    """One image of a post (a carousel has one per slide), stored with its sized variants."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="graphics")
    kind = models.CharField(max_length=20, help_text="post_card, story or carousel_slide.")
    index = models.PositiveSmallIntegerField(default=0)
    layout = models.CharField(max_length=30)
    source = models.CharField(max_length=12, help_text="template or stability.")
    full = models.CharField(max_length=300)
    medium = models.CharField(max_length=300, blank=True)
    thumbnail = models.CharField(max_length=300, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "index"]

    def __str__(self) -> str:
        return f"{self.kind} {self.index} of post {self.post_id}"


class PostEdit(models.Model):
    """Who changed what on a post, and when: copy edits, regenerations, status changes."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="edits")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    field = models.CharField(max_length=40, help_text="copy, status, graphic …")
    platform = models.CharField(max_length=16, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.field} of post {self.post_id} by {self.user_id}"


class GeneratedCopy(TimeStampedModel):
    """The last copy the LLM wrote for a brand, trend, platform, format and tone: generating the
    same again reuses it without a new call unless the user asks to regenerate."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    trend = models.ForeignKey("trends.Trend", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16)
    post_format = models.CharField(max_length=10, choices=PostFormat.choices)
    tone = models.CharField(max_length=20)
    parts = models.JSONField(default=list)
    caption = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=CopySource.choices)
    llm_model = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "trend", "platform", "post_format", "tone"], name="generated_copy_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.post_format} ({self.tone}) for trend {self.trend_id}"
