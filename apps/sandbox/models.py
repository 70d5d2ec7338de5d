"""The sandbox network's posts and images, with the inputs of the engagement model frozen at post time."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .engagement import PostInputs


def _media_path(instance: SandboxMedia, filename: str) -> str:
    return f"sandbox/{instance.brand_id}/{filename}"


class SandboxMedia(models.Model):
    """An image uploaded to the sandbox (what `upload_media` returns the id of)."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=40, unique=True)
    file = models.FileField(upload_to=_media_path, max_length=300)
    mime = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bytes = models.PositiveIntegerField()
    alt_text = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "sandbox media"

    def __str__(self) -> str:
        return self.external_id


class SandboxPost(models.Model):
    """One post on the sandbox network: a standalone post, or one part of a thread.

    The engagement model's inputs (audience, tone, format, images, brand-local hour and weekday,
    trend momentum, thread position, noise seed) are copied here when the post is made, so its
    numbers at any moment are a pure function of the row and the time (apps.sandbox.engagement)."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="sandbox_posts")
    connection = models.ForeignKey(
        "brands.SocialConnection", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=40, unique=True)
    text = models.TextField(blank=True)
    reply_to = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # A thread's parts point at its first post; the first post (and a standalone post) has none.
    thread_root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="thread_parts"
    )
    thread_position = models.PositiveSmallIntegerField(default=1, help_text="1 for the first part.")
    # An influencer's repost of this brand's post (a collaboration): made from their own sandbox
    # account (the user, never the brand's), filed under the reposted post's brand so the brand
    # sees it on its timeline; its audience is the influencer's.
    repost_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reposts"
    )
    influencer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sandbox_posts",
    )
    author_handle = models.CharField(max_length=120, blank=True, help_text="The influencer's handle.")
    media = models.ManyToManyField(SandboxMedia, through="SandboxAttachment", related_name="posts")
    meta = models.JSONField(default=dict, blank=True, help_text="What the publisher said about the post.")
    posted_at = models.DateTimeField(db_index=True)

    # The engagement model's inputs, frozen at post time.
    audience = models.PositiveIntegerField(help_text="The sandbox account's followers when posted.")
    tone = models.CharField(max_length=20)
    post_format = models.CharField(max_length=10)
    media_count = models.PositiveSmallIntegerField(default=0)
    local_hour = models.FloatField(help_text="Brand-local time of day in hours, 0 ≤ h < 24.")
    local_weekday = models.PositiveSmallIntegerField(help_text="Brand-local weekday, 0 = Monday.")
    trend_momentum = models.FloatField(default=0.0, help_text="In [-1, 1].")
    noise_seed = models.BigIntegerField()

    class Meta:
        ordering = ["-posted_at", "-id"]
        # find_post narrows by brand and time, then compares the text (long texts do not fit a btree).
        indexes = [models.Index(fields=["brand", "-posted_at"], name="sandbox_post_brand_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trend_momentum__gte=-1, trend_momentum__lte=1),
                name="sandbox_post_momentum_range",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def is_repost(self) -> bool:
        return self.influencer_user_id is not None

    @property
    def author_id(self) -> str:
        """Who made it, as get_post names the author: an influencer's user, else the brand."""
        return f"user:{self.influencer_user_id}" if self.influencer_user_id else f"brand:{self.brand_id}"

    @property
    def is_thread_part(self) -> bool:
        return self.thread_root_id is not None

    @property
    def inputs(self) -> PostInputs:
        return PostInputs(
            audience=self.audience,
            tone=self.tone,
            post_format=self.post_format,
            media_count=self.media_count,
            local_hour=self.local_hour,
            local_weekday=self.local_weekday,
            trend_momentum=self.trend_momentum,
            thread_position=self.thread_position,
            seed=self.noise_seed,
        )

    @property
    def our_post_id(self) -> int | None:
        """The id of our Post this was published from, when the publisher said."""
        value = (self.meta or {}).get("post_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None


class SandboxAttachment(models.Model):
    """An image on a post, in order (an image may be on more than one post, as on X)."""

    post = models.ForeignKey(SandboxPost, on_delete=models.CASCADE, related_name="attachments")
    media = models.ForeignKey(SandboxMedia, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="sandbox_attachment_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.media_id} on {self.post_id}"
