"""Meme templates (shipped, imported or uploaded and approved by staff), the memes made from them,
and the votes and emoji reactions on those memes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from apps.core.models import TimeStampedModel

# Emoji a meme can be reacted with; a short allow-list keeps the counts meaningful and the
# column small.
REACTIONS = {
    "laugh": "😂",
    "fire": "🔥",
    "heart": "❤️",
    "skull": "💀",
    "clap": "👏",
    "thinking": "🤔",
}


def normalize_tags(tags) -> str:
    """Tags stored as ",tag-one,tag-two," (slugs between commas): a tag search is then a plain
    ``tags__contains=",tag,"`` that works the same on PostgreSQL and SQLite (JSON containment
    lookups are not supported on SQLite)."""
    if isinstance(tags, str):
        tags = tags.split(",")
    slugs = []
    for tag in tags or ():
        slug = slugify(str(tag))
        if slug and slug not in slugs:
            slugs.append(slug)
    return f",{','.join(slugs)}," if slugs else ""


class MemeTemplateQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=MemeTemplate.Status.APPROVED)

    def with_tag(self, tag: str):
        slug = slugify(tag)
        return self.filter(tags__contains=f",{slug},") if slug else self.none()


def _template_path(instance, filename: str) -> str:
    return f"memes/templates/{filename}"


class MemeTemplate(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    tags = models.CharField(
        max_length=500,
        blank=True,
        help_text="Comma-separated slugs, stored with a comma on each side (see normalize_tags).",
    )
    image = models.FileField(upload_to=_template_path, max_length=255)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    frame_count = models.PositiveIntegerField(default=1)
    is_animated = models.BooleanField(default=False)
    default_boxes = models.JSONField(
        default=list,
        blank=True,
        help_text="Caption boxes as fractions of the image: [{x, y, w, h, align, valign, uppercase}].",
    )
    source = models.CharField(
        max_length=500, blank=True, help_text="Where the image comes from (URL or note)."
    )
    licence = models.CharField(max_length=200, blank=True, help_text='e.g. "CC0-1.0" or "own work, CC0".')
    author = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meme_templates",
    )
    use_count = models.PositiveIntegerField(default=0)
    image_hash = models.CharField(
        max_length=64, blank=True, help_text="sha256 of the image file (part of every meme's cache key)."
    )
    review_note = models.CharField(max_length=300, blank=True, help_text="Why staff rejected an upload.")

    objects = MemeTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "-use_count"], name="memes_template_popular")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_usable_publicly(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]

    def set_tags(self, tags) -> None:
        self.tags = normalize_tags(tags)

    def text_boxes(self):
        """The default boxes as ``render.TextBox`` objects (top/bottom when none are set)."""
        from apps.memes.render import BOTTOM, TOP, TextBox

        if not self.default_boxes:
            return [TOP, BOTTOM]
        fields = TextBox.__dataclass_fields__
        return [TextBox(**{k: v for k, v in box.items() if k in fields}) for box in self.default_boxes]


class Meme(models.Model):
    class Moderation(models.TextChoices):
        VISIBLE = "visible", "Visible"
        FLAGGED = "flagged", "Flagged (waiting for staff)"
        HIDDEN = "hidden", "Hidden"

    template = models.ForeignKey(MemeTemplate, on_delete=models.PROTECT, related_name="memes")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memes")
    texts = models.JSONField(default=list, blank=True)
    boxes = models.JSONField(default=list, blank=True, help_text="Custom boxes; empty: the template's.")
    style = models.JSONField(default=dict, blank=True)
    filters = models.JSONField(default=list, blank=True)
    size = models.CharField(max_length=16, default="full")
    format = models.CharField(max_length=8, default="jpeg")
    cache_key = models.CharField(
        max_length=64, db_index=True, help_text="sha256 of everything that decides the pixels."
    )
    images = models.JSONField(default=dict, blank=True, help_text="Stored file name per size.")
    is_public = models.BooleanField(default=False)
    moderation = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.VISIBLE)
    moderation_reason = models.CharField(max_length=300, blank=True)
    score = models.IntegerField(default=0)
    up_votes = models.PositiveIntegerField(default=0)
    down_votes = models.PositiveIntegerField(default=0)
    reactions = models.JSONField(default=dict, blank=True, help_text="Count per reaction key.")
    hot = models.FloatField(
        default=0.0, help_text="Trending rank (see apps.memes.trending); mirrored in a Redis sorted set."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["is_public", "moderation", "-created_at"], name="memes_meme_feed"),
            models.Index(fields=["is_public", "moderation", "-hot"], name="memes_meme_hot"),
            models.Index(fields=["owner", "-created_at"], name="memes_meme_owner"),
        ]

    def __str__(self) -> str:
        caption = " / ".join(t for t in self.texts if t)[:60] if isinstance(self.texts, list) else ""
        return f"{self.template} — {caption}" if caption else f"{self.template} #{self.pk}"


class MemeVote(models.Model):
    UP, DOWN = 1, -1

    meme = models.ForeignKey(Meme, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meme_votes")
    value = models.SmallIntegerField(choices=[(UP, "Up"), (DOWN, "Down")])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meme", "user"], name="memes_vote_one_per_user"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="memes_vote_value_is_up_or_down"),
        ]

    def __str__(self) -> str:
        return f"{'+1' if self.value > 0 else '-1'} by {self.user_id} on meme {self.meme_id}"


class MemeReaction(models.Model):
    Emoji = models.TextChoices("Emoji", [(key, f"{glyph} {key}") for key, glyph in REACTIONS.items()])

    meme = models.ForeignKey(Meme, on_delete=models.CASCADE, related_name="reaction_set")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meme_reactions"
    )
    emoji = models.CharField(max_length=16, choices=Emoji.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meme", "user", "emoji"], name="memes_reaction_once_per_emoji"),
            models.CheckConstraint(
                condition=Q(emoji__in=list(REACTIONS)), name="memes_reaction_emoji_allowed"
            ),
        ]

    def __str__(self) -> str:
        return f"{REACTIONS.get(self.emoji, self.emoji)} by {self.user_id} on meme {self.meme_id}"
