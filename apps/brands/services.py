"""Brand actions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from apps.accounts.models import Role, User

from .models import Brand, BrandMembership, MembershipRole

MAX_BRANDS_PER_USER = 50


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "brand"
    slug, n = base, 2
    while Brand.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def brand_create(*, user: User, name: str) -> Brand:
    """Create a brand owned by `user`."""
    if user.role != Role.BRAND:
        raise PermissionDenied("Only brand accounts can create brands.")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter your brand's name."})
    if len(name) > 120:
        raise ValidationError({"name": "Keep the name to 120 characters or fewer."})
    if BrandMembership.objects.filter(user=user).count() >= MAX_BRANDS_PER_USER:
        raise ValidationError({"name": f"You can be part of at most {MAX_BRANDS_PER_USER} brands."})
    brand = Brand.objects.create(name=name, slug=_unique_slug(name), created_by=user)
    BrandMembership.objects.create(brand=brand, user=user, role=MembershipRole.OWNER)
    return brand
