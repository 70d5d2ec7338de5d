"""Brand actions: create and delete, the onboarding steps and settings, members and invitations."""

from __future__ import annotations

import re
import secrets
import zoneinfo
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.core.images import CleanImage, image_field_replace, image_upload_clean
from apps.core.tasks import email_send
from apps.core.text import tags_clean, unique_slug

from .models import (
    Brand,
    BrandInvitation,
    BrandMembership,
    Industry,
    MembershipRole,
    OnboardingStep,
    Platform,
    SocialConnection,
    Tone,
)
from .signals import brand_profile_changed
from .voice import voice_profile_compute

MAX_BRANDS_PER_USER = 50
MAX_PILLARS = 5
MAX_VOICE_SAMPLES = 5
MAX_TAGS = 20
# Topics to keep out: what the brand is not about (trends close to one are held back) and what its
# posts never mention (trends close to one are held back too).
MAX_NEGATIVE_TOPICS = 5
MAX_BANNED_TOPICS = 10
MAX_TOPIC_LENGTH = 120
INVITATION_DAYS = 14
HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
TIME_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$")


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter your brand's name."})
    if len(name) > 120:
        raise ValidationError({"name": "Keep the name to 120 characters or fewer."})
    return name


@transaction.atomic
def brand_create(*, user: User, name: str) -> Brand:
    """Create a brand owned by `user`, with its sandbox account; onboarding goes on at step 2."""
    if user.role != Role.BRAND:
        raise PermissionDenied("Only brand accounts can create brands.")
    name = _clean_name(name)
    if BrandMembership.objects.filter(user=user).count() >= MAX_BRANDS_PER_USER:
        raise ValidationError({"name": f"You can be part of at most {MAX_BRANDS_PER_USER} brands."})
    brand = Brand.objects.create(
        name=name, slug=unique_slug(Brand, name, max_length=120, fallback="brand"), created_by=user
    )
    BrandMembership.objects.create(brand=brand, user=user, role=MembershipRole.OWNER)
    SocialConnection.objects.create(
        brand=brand, platform=Platform.SANDBOX, handle=brand.slug, display_name=f"{brand.name} (sandbox)"
    )
    return brand


def _require_owner(*, brand: Brand, user: User) -> None:
    if not BrandMembership.objects.filter(brand=brand, user=user, role=MembershipRole.OWNER).exists():
        raise PermissionDenied("Only an owner of the brand can do this.")


@transaction.atomic
def brand_delete(*, brand: Brand, user: User) -> None:
    _require_owner(brand=brand, user=user)
    logo, storage = (brand.logo.name, brand.logo.storage) if brand.logo else ("", None)
    brand.delete()
    if logo:
        transaction.on_commit(lambda: storage.delete(logo))


def brand_set_posts_need_approval(*, brand: Brand, user: User, required: bool) -> Brand:
    """Turn the approval step on or off (owners only). Turning it off leaves pending drafts as
    drafts that any member may approve, as before."""
    _require_owner(brand=brand, user=user)
    brand.posts_need_approval = bool(required)
    brand.save(update_fields=["posts_need_approval", "updated_at"])
    return brand


# --- Onboarding steps and settings ------------------------------------------------------------
# Each step validates everything before it writes anything: bad input saves nothing half-way.


def _advance(brand: Brand, step: int) -> None:
    """After saving `step`, the wizard resumes at the next one (never goes back by itself)."""
    if not brand.is_onboarded:
        brand.onboarding_step = max(brand.onboarding_step, min(step + 1, OnboardingStep.PREFERENCES))


def _profile_changed(brand: Brand) -> None:
    """Industry, pillars or audience changed: the trends app re-embeds the brand and rescores it
    in the worker, so its recommendations follow the new profile without waiting 6 hours."""
    brand_profile_changed.send(sender=Brand, brand=brand)


def brand_set_name(*, brand: Brand, name: str) -> Brand:
    brand.name = _clean_name(name)
    _advance(brand, OnboardingStep.NAME)
    brand.save(update_fields=["name", "onboarding_step", "updated_at"])
    return brand


MAX_INDUSTRY_DESCRIPTION = 300


def brand_set_industry(
    *, brand: Brand, industry_id: int | str | None, description: str | None = None
) -> Brand:
    """The brand's industry from the list and, when `description` is given, its own words for it
    ("" clears them; None keeps them): trend matching uses those instead of the list's description."""
    industry = Industry.objects.filter(pk=industry_id, is_active=True).first() if industry_id else None
    if industry is None:
        raise ValidationError({"industry": "Choose your industry."})
    if description is not None:
        description = " ".join(description.split())
        if len(description) > MAX_INDUSTRY_DESCRIPTION:
            raise ValidationError(
                {"industry_description": f"Keep it under {MAX_INDUSTRY_DESCRIPTION} characters."}
            )
        brand.industry_description = description
    brand.industry = industry
    _advance(brand, OnboardingStep.INDUSTRY)
    brand.save(update_fields=["industry", "industry_description", "onboarding_step", "updated_at"])
    _profile_changed(brand)
    return brand


def _clean_color(value: str, field: str) -> str:
    value = (value or "").strip()
    if not HEX_COLOR.match(value):
        raise ValidationError({field: "Use a colour like #4F46E5."})
    return value.upper()


@transaction.atomic
def brand_set_identity(
    *, brand: Brand, primary_color: str, secondary_color: str, logo=None, remove_logo: bool = False
) -> Brand:
    """Logo (PNG, JPEG or WebP, re-encoded) and the two brand colours."""
    primary = _clean_color(primary_color, "primary_color")
    secondary = _clean_color(secondary_color, "secondary_color")
    clean = image_upload_clean(logo, field="logo", name="logo")
    brand.primary_color, brand.secondary_color = primary, secondary
    image_field_replace(brand, "logo", clean, remove=remove_logo)
    _advance(brand, OnboardingStep.IDENTITY)
    brand.save(update_fields=["logo", "primary_color", "secondary_color", "onboarding_step", "updated_at"])
    return brand


# A logo picked in the identity step is uploaded once: the colour-suggestion request keeps the
# cleaned file here under a token, and saving the step sends the token instead of the file again.
LOGO_STASH_SECONDS = 60 * 60


def _logo_stash_key(brand_id: int, token: str) -> str:
    return f"brand-logo-stash:{brand_id}:{token}"


def brand_logo_stash(*, brand: Brand, clean: CleanImage) -> str:
    """Keep a cleaned logo for LOGO_STASH_SECONDS; returns the token that stands for it."""
    token = secrets.token_urlsafe(24)
    cache.set(
        _logo_stash_key(brand.pk, token),
        {"name": clean.content.name, "data": clean.content.read()},
        LOGO_STASH_SECONDS,
    )
    return token


def brand_logo_stashed(*, brand: Brand, token: str) -> ContentFile | None:
    """The logo kept under `token` for this brand (another brand's token finds nothing), or None."""
    if not token:
        return None
    kept = cache.get(_logo_stash_key(brand.pk, token))
    return ContentFile(kept["data"], name=kept["name"]) if kept else None


def brand_logo_stash_drop(*, brand: Brand, token: str) -> None:
    if token:
        cache.delete(_logo_stash_key(brand.pk, token))


def _clean_list(values, *, field: str, max_items: int, max_length: int, what: str) -> list[str]:
    try:
        return tags_clean(values, max_items=max_items, max_length=max_length, what=what)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def brand_set_pillars(
    *,
    brand: Brand,
    pillars: list[str],
    negative_topics: list[str] | None = None,
    banned_topics: list[str] | None = None,
) -> Brand:
    """The messaging pillars and, when given, the topics to keep out (None keeps them as they are):
    `negative_topics`, what the brand is not about, and `banned_topics`, what its posts never
    mention. Trends close to either are held back from its recommendations, so a change rescores."""
    cleaned = _clean_list(pillars, field="pillars", max_items=MAX_PILLARS, max_length=200, what="pillar")
    if not cleaned:
        raise ValidationError({"pillars": "Write at least one messaging pillar."})
    topics = {}
    for field, values, max_items in (
        ("negative_topics", negative_topics, MAX_NEGATIVE_TOPICS),
        ("banned_topics", banned_topics, MAX_BANNED_TOPICS),
    ):
        if values is not None:
            topics[field] = _clean_list(
                values, field=field, max_items=max_items, max_length=MAX_TOPIC_LENGTH, what="topic"
            )
    brand.pillars = cleaned
    for field, values in topics.items():
        setattr(brand, field, values)
    _advance(brand, OnboardingStep.PILLARS)
    brand.save(update_fields=["pillars", *topics, "onboarding_step", "updated_at"])
    _profile_changed(brand)
    return brand


def brand_set_audience(
    *, brand: Brand, roles: list[str], geographies: list[str], company_sizes: list[str]
) -> Brand:
    options = {"max_items": MAX_TAGS, "max_length": 60, "what": "tag"}
    roles = _clean_list(roles, field="roles", **options)
    geographies = _clean_list(geographies, field="geographies", **options)
    company_sizes = _clean_list(company_sizes, field="company_sizes", **options)
    if not roles:
        raise ValidationError({"roles": "Add at least one role you want to reach (e.g. CFO, founders)."})
    brand.audience_roles, brand.audience_geographies, brand.audience_company_sizes = (
        roles,
        geographies,
        company_sizes,
    )
    _advance(brand, OnboardingStep.AUDIENCE)
    brand.save(
        update_fields=[
            "audience_roles",
            "audience_geographies",
            "audience_company_sizes",
            "onboarding_step",
            "updated_at",
        ]
    )
    _profile_changed(brand)
    return brand


def brand_skip_accounts(*, brand: Brand) -> Brand:
    """Connecting X or LinkedIn is optional: the sandbox account is always there."""
    _advance(brand, OnboardingStep.ACCOUNTS)
    brand.save(update_fields=["onboarding_step", "updated_at"])
    return brand


def brand_set_voice_samples(*, brand: Brand, samples: list[str]) -> Brand:
    cleaned = [s.strip() for s in samples or [] if s and s.strip()]
    if len(cleaned) > MAX_VOICE_SAMPLES:
        raise ValidationError(
            {"samples": f"At most {MAX_VOICE_SAMPLES} past posts; you gave {len(cleaned)}."}
        )
    for sample in cleaned:
        if len(sample) > 3000:
            raise ValidationError({"samples": "Each past post can be at most 3,000 characters."})
    brand.voice_samples = cleaned
    brand.voice_profile = voice_profile_compute(cleaned)
    _advance(brand, OnboardingStep.VOICE)
    brand.save(update_fields=["voice_samples", "voice_profile", "onboarding_step", "updated_at"])
    return brand


def _clean_time_windows(windows: list[str]) -> list[str]:
    cleaned = []
    for window in windows or []:
        window = (window or "").replace(" ", "")
        if not window:
            continue
        match = TIME_WINDOW.match(window)
        if not match or window.split("-")[0] >= window.split("-")[1]:
            raise ValidationError(
                {"time_windows": f"“{window}” is not a window like 09:00-11:00 (start before end)."}
            )
        cleaned.append(window)
    if not cleaned:
        raise ValidationError({"time_windows": "Add at least one time window, like 09:00-11:00."})
    return sorted(set(cleaned))


def brand_set_preferences(
    *,
    brand: Brand,
    posts_per_week: int,
    preferred_days: list[int | str],
    time_windows: list[str],
    timezone_name: str,
    default_tone: str,
) -> Brand:
    """The last step: saving it completes onboarding, once the required steps are done."""
    try:
        posts_per_week = int(posts_per_week)
    except (TypeError, ValueError):
        raise ValidationError({"posts_per_week": "Enter a number of posts per week."}) from None
    if not 1 <= posts_per_week <= 28:
        raise ValidationError({"posts_per_week": "Between 1 and 28 posts a week."})
    try:
        days = sorted({int(d) for d in preferred_days or []})
    except (TypeError, ValueError):
        raise ValidationError({"preferred_days": "Pick days of the week."}) from None
    if not days or any(d < 0 or d > 6 for d in days):
        raise ValidationError({"preferred_days": "Pick at least one day of the week."})
    windows = _clean_time_windows(time_windows)
    if timezone_name not in zoneinfo.available_timezones():
        raise ValidationError(
            {"timezone": f"“{timezone_name}” is not a known time zone (e.g. Europe/Berlin)."}
        )
    if default_tone not in Tone.values:
        raise ValidationError({"default_tone": "Choose a tone."})
    missing = [
        label
        for label, done in (
            ("industry", brand.industry_id),
            ("messaging pillars", brand.pillars),
            ("target audience", brand.audience_roles),
        )
        if not done
    ]
    if missing:
        raise ValidationError(f"Finish the earlier steps first: {', '.join(missing)}.")
    brand.posts_per_week, brand.preferred_days, brand.preferred_time_windows = posts_per_week, days, windows
    brand.timezone, brand.default_tone = timezone_name, default_tone
    brand.onboarding_step = OnboardingStep.PREFERENCES
    if brand.onboarding_completed_at is None:
        brand.onboarding_completed_at = timezone.now()
    brand.save()
    return brand


# --- Members and invitations ------------------------------------------------------------------


@transaction.atomic
def brand_invite(*, brand: Brand, inviter: User, email: str, role: str) -> BrandInvitation:
    """Invite someone by email (owners only); the email goes out after commit."""

    _require_owner(brand=brand, user=inviter)
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise ValidationError({"email": "Enter an email address."})
    if role not in MembershipRole.values:
        raise ValidationError({"role": "Choose owner, approver or editor."})
    if BrandMembership.objects.filter(brand=brand, user__email__iexact=email).exists():
        raise ValidationError({"email": "This person is already a member of the brand."})
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invitation = BrandInvitation.objects.create(
                brand=brand,
                email=email,
                role=role,
                token=token,
                invited_by=inviter,
                expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError:
        raise ValidationError({"email": "An invitation to this address is already open."}) from None
    from django.conf import settings
    from django.urls import reverse

    link = settings.SITE_URL + reverse("brands:invitation", args=[token])
    body = (
        f"{inviter.name} invited you to work on {brand.name} in social-medAI as {invitation.get_role_display().lower()}.\n\n"
        f"Accept: {link}\n\nIf you have no account yet, sign up as a brand with this email address first; "
        f"the link then adds you. The invitation expires in {INVITATION_DAYS} days."
    )
    transaction.on_commit(
        lambda: email_send.delay(subject=f"[social-medAI] Join {brand.name}", body=body, to=[email])
    )
    return invitation


@transaction.atomic
def brand_invitation_accept(*, token: str, user: User) -> BrandMembership:
    invitation = (
        BrandInvitation.objects.select_for_update().select_related("brand").filter(token=token).first()
    )
    if invitation is None or invitation.revoked_at or invitation.expires_at < timezone.now():
        raise ValidationError("This invitation is no longer valid. Ask the brand owner for a new one.")
    if invitation.accepted_at:
        raise ValidationError("This invitation was already accepted.")
    if user.role != Role.BRAND:
        raise ValidationError(
            "Invitations are for brand accounts; you are signed in as another kind of account."
        )
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(f"This invitation was sent to {invitation.email}; sign in with that address.")
    membership, _ = BrandMembership.objects.get_or_create(
        brand=invitation.brand, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


def brand_invitation_revoke(*, invitation: BrandInvitation, user: User) -> BrandInvitation:
    _require_owner(brand=invitation.brand, user=user)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


@transaction.atomic
def brand_member_set_role(*, membership: BrandMembership, user: User, role: str) -> BrandMembership:
    _require_owner(brand=membership.brand, user=user)
    if role not in MembershipRole.values:
        raise ValidationError({"role": "Choose owner, approver or editor."})
    if membership.role == MembershipRole.OWNER and role != MembershipRole.OWNER:
        _require_another_owner(membership)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def brand_member_remove(*, membership: BrandMembership, user: User) -> None:
    _require_owner(brand=membership.brand, user=user)
    if membership.role == MembershipRole.OWNER:
        _require_another_owner(membership)
    membership.delete()


def _require_another_owner(membership: BrandMembership) -> None:
    owners = BrandMembership.objects.select_for_update().filter(
        brand=membership.brand, role=MembershipRole.OWNER
    )
    if owners.exclude(pk=membership.pk).count() == 0:
        raise ValidationError("A brand needs at least one owner. Make someone else owner first.")
