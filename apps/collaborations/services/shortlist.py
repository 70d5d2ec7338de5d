"""A brand's shortlist of influencers: put one aside while searching, or take them off again."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.brands.models import Brand, BrandMembership

from ..models import InfluencerProfile, ShortlistEntry


@transaction.atomic
def shortlist_toggle(*, brand: Brand, user: User, influencer: InfluencerProfile) -> bool:
    """Add the influencer to the brand's shortlist, or remove them if there; True when now on it."""
    if not BrandMembership.objects.filter(user=user, brand=brand).exists():
        raise PermissionDenied("Only the brand's members can do this.")
    deleted, _ = ShortlistEntry.objects.filter(brand=brand, influencer=influencer).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            ShortlistEntry.objects.create(brand=brand, influencer=influencer, added_by=user)
    except IntegrityError:  # another member added them a moment ago: on the list either way
        pass
    return True
