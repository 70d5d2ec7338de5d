"""Reads of the media library: a brand's assets, one asset behind the brand access rule."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.brands.models import Brand
from apps.brands.selectors import brand_object_get_for_user

from .models import MediaAsset


def media_asset_list(*, brand: Brand, kind: str = "") -> QuerySet[MediaAsset]:
    assets = MediaAsset.objects.filter(brand=brand).select_related("uploaded_by")
    return assets.filter(kind=kind) if kind else assets


def media_asset_get_for_user(*, user: User, brand_id: int, asset_id: int) -> MediaAsset:
    """One asset of `brand_id` the user may see; another brand's asset (or none) is a 404."""
    return brand_object_get_for_user(
        MediaAsset.objects.select_related("brand"), user=user, pk=asset_id, brand_id=brand_id
    )
