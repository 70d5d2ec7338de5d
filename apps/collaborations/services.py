"""Influencer profile actions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.core.images import image_field_replace, image_upload_clean
from apps.core.text import tags_clean, unique_slug

from .models import InfluencerProfile

PLATFORMS = ("x", "linkedin", "instagram", "tiktok", "youtube")


def influencer_profile_get_or_create(*, user: User) -> InfluencerProfile:
    if user.role != Role.INFLUENCER:
        raise PermissionDenied("Only influencer accounts have an influencer profile.")
    profile = InfluencerProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    try:
        with transaction.atomic():
            return InfluencerProfile.objects.create(
                user=user,
                slug=unique_slug(InfluencerProfile, user.name, max_length=60, fallback="influencer"),
            )
    except IntegrityError:  # created meanwhile by another request
        return InfluencerProfile.objects.get(user=user)


def _tags(values, field: str) -> list[str]:
    try:
        return tags_clean(values)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


@transaction.atomic
def influencer_profile_update(
    *,
    profile: InfluencerProfile,
    bio: str,
    audience_roles: list[str],
    audience_industries: list[str],
    audience_geographies: list[str],
    is_public: bool,
    photo=None,
    remove_photo: bool = False,
) -> InfluencerProfile:
    bio = (bio or "").strip()
    if len(bio) > 1000:
        raise ValidationError({"bio": "Keep the bio to 1,000 characters."})
    roles = _tags(audience_roles, "audience_roles")
    industries = _tags(audience_industries, "audience_industries")
    geographies = _tags(audience_geographies, "audience_geographies")
    clean = image_upload_clean(photo, field="photo", name="photo")
    profile.bio, profile.is_public = bio, is_public
    profile.audience_roles, profile.audience_industries, profile.audience_geographies = (
        roles,
        industries,
        geographies,
    )
    image_field_replace(profile, "photo", clean, remove=remove_photo)
    profile.save()
    return profile


def influencer_set_follower_count(
    *, profile: InfluencerProfile, platform: str, count: int | str, verified: bool = False
) -> InfluencerProfile:
    """Follower count per platform: read from a linked account (verified) or typed in (unverified)."""
    if platform not in PLATFORMS:
        raise ValidationError({"platform": "Unknown platform."})
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise ValidationError({"count": "Enter a whole number of followers."}) from None
    if count < 0 or count > 2_000_000_000:
        raise ValidationError({"count": "Enter a follower count between 0 and 2 billion."})
    current = profile.follower_counts.get(platform, {})
    if current.get("verified") and not verified:
        raise ValidationError(
            {"count": "This count is read from your linked account and cannot be typed over."}
        )
    profile.follower_counts = {
        **profile.follower_counts,
        platform: {"count": count, "verified": verified, "updated_at": timezone.now().isoformat()},
    }
    profile.save(update_fields=["follower_counts", "updated_at"])
    return profile


def influencer_record_connected_account(*, user: User, social_account) -> InfluencerProfile | None:
    """A linked account's follower count is verified: copy it to the profile when the API gives it."""
    if user.role != Role.INFLUENCER:
        return None
    profile = influencer_profile_get_or_create(user=user)
    if social_account.provider == "twitter_oauth2":
        metrics = (social_account.extra_data or {}).get("public_metrics") or {}
        if "followers_count" in metrics:
            return influencer_set_follower_count(
                profile=profile, platform="x", count=metrics["followers_count"], verified=True
            )
    return profile
