"""A brand's media library: images, GIFs and videos uploaded once and attached to posts later."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from apps.core.models import TimeStampedModel


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    GIF = "gif", "GIF"
    VIDEO = "video", "Video"


def _asset_path(instance: MediaAsset, filename: str) -> str:
    # A random name: the stored path says nothing about the file's original name.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"media/{instance.brand_id}/{uuid.uuid4().hex}.{ext}"


def _derived_path(instance: MediaAsset, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"media/{instance.brand_id}/derived/{uuid.uuid4().hex}.{ext}"


class MediaAsset(TimeStampedModel):
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="media_assets")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    file = models.FileField(upload_to=_asset_path, max_length=255)
    original_name = models.CharField(max_length=255)
    mime = models.CharField(max_length=64)
    bytes = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    duration_s = models.FloatField(null=True, blank=True, help_text="Videos and animated GIFs.")
    frames = models.PositiveIntegerField(default=1, help_text="Frames of an animated GIF; 1 otherwise.")
    codec = models.CharField(max_length=32, blank=True, help_text="Video codec, e.g. h264.")
    audio_codec = models.CharField(max_length=32, blank=True)
    fps = models.FloatField(null=True, blank=True)
    alt_text = models.CharField(max_length=1000, blank=True)
    thumbnail = models.ImageField(upload_to=_derived_path, blank=True, max_length=255)
    poster = models.ImageField(
        upload_to=_derived_path, blank=True, max_length=255, help_text="Videos: a frame."
    )
    sha256 = models.CharField(max_length=64)
    cropped_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="crops"
    )
    crop_preset = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same bytes uploaded twice to one brand are one asset (dedupe per brand).
            models.UniqueConstraint(fields=["brand", "sha256"], name="media_asset_unique_per_brand"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["image", "gif", "video"]), name="media_asset_kind"
            ),
        ]
        indexes = [models.Index(fields=["brand", "-created_at"], name="media_asset_brand_recent")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()}, brand {self.brand_id})"

    @property
    def aspect(self) -> float:
        return self.width / self.height if self.height else 0.0
