"""Influencer profile actions: the profile and its public handle, follower counts, and a chosen
photo held across a failed save."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import Role, User
from apps.core.images import image_field_replace, image_upload_clean
from apps.core.text import tags_clean
from apps.core.vocabulary import NETWORKS

from ..models import InfluencerHandle, InfluencerProfile

# Where influencers have audiences: the networks the product publishes to, and three more.
PLATFORMS = (*NETWORKS, "instagram", "tiktok", "youtube")
MAX_FOLLOWERS = 2_000_000_000

# --- Handles ----------------------------------------------------------------------------------

HANDLE_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]")
HANDLE_RULES = "Use 3 to 30 letters, digits and hyphens (not at the start or end)."
# Words a handle could pass off as the site's own page.
RESERVED_HANDLES = frozenset(
    {"admin", "api", "help", "influencer", "influencers", "profile", "settings", "social-medai",
     "socialmedai", "staff", "support", "team", "official", "brand", "brands"}
)  # fmt: skip
RANDOM_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no look-alikes (l, o, 0, 1)


def _handle_taken(slug: str, *, profile: InfluencerProfile | None = None) -> bool:
    """Another profile has it, now or before (its old links redirect there)."""
    others = InfluencerProfile.objects.filter(slug=slug)
    past = InfluencerHandle.objects.filter(slug=slug)
    if profile is not None and profile.pk:
        others, past = others.exclude(pk=profile.pk), past.exclude(profile=profile)
    return others.exists() or past.exists()


def influencer_handle_clean(*, handle: str, profile: InfluencerProfile | None = None) -> str:
    """The handle as stored (lower case, no "@"), or a ValidationError saying what to change."""
    slug = (handle or "").strip().lstrip("@").strip().lower()
    if profile is not None and slug == profile.slug:
        return slug
    if not slug:
        raise ValidationError({"handle": "Choose a handle: it is the address of your public page."})
    if not HANDLE_RE.fullmatch(slug):
        raise ValidationError({"handle": HANDLE_RULES})
    if slug in RESERVED_HANDLES:
        raise ValidationError({"handle": f"“{slug}” is reserved. Choose another handle."})
    if _handle_taken(slug, profile=profile):
        raise ValidationError({"handle": f"@{slug} is taken. Choose another handle."})
    return slug


def influencer_handle_default(*, name: str) -> str:
    """A first handle from the name the person chose, else creator-xxxxxx: never from the email."""
    base = slugify(name)[:26].strip("-")
    if len(base) >= 3 and base not in RESERVED_HANDLES:
        slug, n = base, 2
        while _handle_taken(slug):
            slug, n = f"{base}-{n}", n + 1
        return slug
    while True:
        slug = "creator-" + "".join(secrets.choice(RANDOM_ALPHABET) for _ in range(6))
        if not _handle_taken(slug):
            return slug


def influencer_profile_get_or_create(*, user: User) -> InfluencerProfile:
    if user.role != Role.INFLUENCER:
        raise PermissionDenied("Only influencer accounts have an influencer profile.")
    profile = InfluencerProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    try:
        with transaction.atomic():
            # user.display_name, not user.name: the latter falls back to the email's local part.
            return InfluencerProfile.objects.create(
                user=user,
                display_name=user.display_name,
                slug=influencer_handle_default(name=user.display_name),
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
    display_name: str | None = None,
    handle: str | None = None,
) -> InfluencerProfile:
    """Save the profile. `display_name` and `handle` are left as they are when not given; a new
    handle keeps the old one as a redirect to it."""
    bio = (bio or "").strip()
    if len(bio) > 1000:
        raise ValidationError({"bio": "Keep the bio to 1,000 characters."})
    if display_name is not None:
        display_name = " ".join(display_name.split())
        if not display_name:
            raise ValidationError({"display_name": "Give the name brands will see on your page."})
        if len(display_name) > 80:
            raise ValidationError({"display_name": "Keep the name to 80 characters."})
        profile.display_name = display_name
    new_handle = handle is not None and _handle_change(
        profile, influencer_handle_clean(handle=handle, profile=profile)
    )
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
    if not new_handle:
        profile.save()
        return profile
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:  # the handle was taken a moment ago by someone else
        raise ValidationError({"handle": f"@{profile.slug} is taken. Choose another handle."}) from None
    return profile


def _handle_change(profile: InfluencerProfile, slug: str) -> bool:
    """Move the profile to `slug`; the old handle stays its own and redirects. False if unchanged."""
    old = profile.slug
    if slug == old:
        return False
    InfluencerHandle.objects.filter(profile=profile, slug=slug).delete()  # taking an old one back
    InfluencerHandle.objects.get_or_create(slug=old, defaults={"profile": profile})
    profile.slug = slug
    return True


# --- Follower counts --------------------------------------------------------------------------

FOLLOWER_FORMATS = "Enter a number of followers, like 12400, 12,400, 25k or 1.2M."
MULTIPLIERS = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
# Spaces, no-break and thin spaces, apostrophes and underscores people group digits with.
GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009'’_")
THOUSANDS = re.compile(
    r"[0-9]{1,3}([.,])[0-9]{3}(?:\1[0-9]{3})*"
)  # 12,400 · 12.400 · 1,234,567 — one separator kind


def follower_count_parse(value: int | str | None) -> int:
    """A follower count as people type it: 12400, "12,400", "12.400", "12 400", "25k", "25K",
    "1.2M", "1,2M". A separator without a suffix groups thousands (so "12.4" is refused rather
    than read as 12); with a suffix it is the decimal point."""
    if isinstance(value, bool):
        raise ValidationError(FOLLOWER_FORMATS)
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").translate(GROUPING).lower().lstrip("+")
    multiplier = MULTIPLIERS.get(text[-1:], 1)
    if multiplier > 1:
        number = text[:-1]
        if not re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?", number):
            raise ValidationError(FOLLOWER_FORMATS)
        try:
            amount = Decimal(number.replace(",", ".")) * multiplier
        except InvalidOperation:
            raise ValidationError(FOLLOWER_FORMATS) from None
        return int(amount.to_integral_value())
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    if re.fullmatch(r"-[0-9]+", text):
        return -int(text[1:])  # the range check says what is wrong with it
    if THOUSANDS.fullmatch(text):
        return int(re.sub(r"[.,]", "", text))
    raise ValidationError(FOLLOWER_FORMATS)


def influencer_set_follower_count(
    *, profile: InfluencerProfile, platform: str, count: int | str, verified: bool = False
) -> InfluencerProfile:
    """Follower count per platform: read from a linked account (verified) or typed in (unverified)."""
    if platform not in PLATFORMS:
        raise ValidationError({"platform": "Unknown platform."})
    try:
        count = follower_count_parse(count)
    except ValidationError as exc:
        raise ValidationError({"count": exc.messages}) from None
    if count < 0 or count > MAX_FOLLOWERS:
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


# --- A chosen photo, held while the rest of the form is corrected ------------------------------

PHOTO_HOLD_SALT = "collaborations.photo-hold"
PHOTO_HOLD_MAX_AGE = 24 * 3600


def _hold_folder(profile: InfluencerProfile) -> str:
    return f"influencers/{profile.user_id}/pending/"


def influencer_photo_hold(*, profile: InfluencerProfile, photo: ContentFile) -> str:
    """Store a valid photo from a save that failed on another field; returns a signed token for
    the form to carry, so the influencer does not pick the photo again."""
    photo.seek(0)
    storage = profile.photo.storage
    extension = (photo.name or "photo.png").rsplit(".", 1)[-1]
    name = storage.save(f"{_hold_folder(profile)}{secrets.token_hex(8)}.{extension}", photo)
    photo.seek(0)
    return signing.dumps({"p": profile.pk, "n": name}, salt=PHOTO_HOLD_SALT, compress=True)


def _held_name(profile: InfluencerProfile, token: str) -> str | None:
    try:
        data = signing.loads(token, salt=PHOTO_HOLD_SALT, max_age=PHOTO_HOLD_MAX_AGE)
    except signing.BadSignature:
        return None
    name = data.get("n", "") if isinstance(data, dict) else ""
    if data.get("p") != profile.pk or not name.startswith(_hold_folder(profile)) or ".." in name:
        return None
    return name


def influencer_photo_held(*, profile: InfluencerProfile, token: str) -> ContentFile | None:
    """The photo a token holds for this profile, or None (unknown, expired, someone else's)."""
    name = _held_name(profile, token) if token else None
    if name is None:
        return None
    try:
        with profile.photo.storage.open(name, "rb") as file:
            return ContentFile(file.read(), name="photo." + name.rsplit(".", 1)[-1])
    except (FileNotFoundError, OSError):
        return None


def influencer_photo_release(*, profile: InfluencerProfile, token: str) -> None:
    """Delete a held photo once it is saved on the profile (or replaced by another choice)."""
    name = _held_name(profile, token) if token else None
    if name is not None:
        profile.photo.storage.delete(name)
