"""Brand reads, and the access rule every brand-owned object goes through.

Another brand's object is *not found* (404) for a user, never *forbidden* (403): a user cannot
learn that it exists.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404

from apps.accounts.models import Role, User

from .models import Brand, BrandMembership, MembershipRole


def brand_list_for_user(*, user: User) -> QuerySet[Brand]:
    if not user.is_authenticated or user.role != Role.BRAND:
        return Brand.objects.none()
    return Brand.objects.filter(memberships__user=user).order_by("name")


def brand_membership_get(*, user: User, brand_id: int) -> BrandMembership:
    membership = None
    if user.is_authenticated and user.role == Role.BRAND:
        memberships = BrandMembership.objects.select_related("brand")
        membership = memberships.filter(user=user, brand_id=brand_id).first()
    if membership is None:
        raise Http404("No such brand.")
    return membership


def brand_get_for_user(*, user: User, brand_id: int, owner_only: bool = False) -> Brand:
    """The brand if `user` is a member (an owner, with owner_only); otherwise 404."""
    membership = brand_membership_get(user=user, brand_id=brand_id)
    if owner_only and membership.role != MembershipRole.OWNER:
        raise Http404("No such brand.")
    return membership.brand


def brand_scoped(queryset: QuerySet, *, user: User, brand_field: str = "brand") -> QuerySet:
    """Narrow any brand-owned queryset to the brands `user` is a member of."""
    if not user.is_authenticated or user.role != Role.BRAND:
        return queryset.none()
    return queryset.filter(**{f"{brand_field}__memberships__user": user})


def brand_object_get_for_user(
    queryset: QuerySet, *, user: User, brand_field: str = "brand", **lookup
) -> Model:
    """One brand-owned object the user may see, else 404 — whether it is missing or another brand's."""
    obj = brand_scoped(queryset, user=user, brand_field=brand_field).filter(**lookup).first()
    if obj is None:
        raise Http404("Not found.")
    return obj


def brand_current_for_user(*, user: User, brand_id: int | None) -> Brand | None:
    """The brand a user is working on: the remembered one if still theirs, else their first."""
    brands = brand_list_for_user(user=user)
    if brand_id is not None:
        brand = brands.filter(pk=brand_id).first()
        if brand is not None:
            return brand
    return brands.first()
