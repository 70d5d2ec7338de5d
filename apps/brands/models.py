"""Brands and who may work on them."""

from django.conf import settings
from django.db import models

from apps.core.models import TimeStampedModel


class Brand(TimeStampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"


class BrandMembership(TimeStampedModel):
    """A brand user's place in a brand. Owners manage the brand and its members; editors make content."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships"
    )
    role = models.CharField(max_length=16, choices=MembershipRole.choices, default=MembershipRole.EDITOR)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brand", "user"], name="brand_membership_unique")]
        ordering = ["brand__name"]

    def __str__(self) -> str:
        return f"{self.user} — {self.brand} ({self.role})"
