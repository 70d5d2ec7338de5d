"""Brands, their profile (industry, identity, pillars, audience, voice, preferences), who may
work on them, invitations, and the social accounts that publish for them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core import vocabulary
from apps.core.models import TimeStampedModel


class Industry(models.Model):
    """An industry a brand can pick (seeded by migrations 0003 and 0005). Operators add more in the
    admin. "other" is the placeholder for brands that describe their own industry."""

    OTHER = "other"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(
        blank=True, help_text="What the industry covers; used to match trends to it."
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "industries"

    def __str__(self) -> str:
        return self.name


class Tone(models.TextChoices):
    PROFESSIONAL = "professional", "Professional"
    FRIENDLY = "friendly", "Friendly"
    WITTY = "witty", "Witty"
    BOLD = "bold", "Bold"
    EDUCATIONAL = "educational", "Educational"
    INSPIRATIONAL = "inspirational", "Inspirational"


class OnboardingStep(models.IntegerChoices):
    NAME = 1, "Brand name"
    INDUSTRY = 2, "Industry"
    IDENTITY = 3, "Logo and colours"
    PILLARS = 4, "Messaging pillars"
    AUDIENCE = 5, "Target audience"
    ACCOUNTS = 6, "Social accounts"
    VOICE = 7, "Voice samples"
    PREFERENCES = 8, "Preferences"


def _logo_path(instance, filename: str) -> str:
    return f"brands/{instance.pk or 'new'}/logo/{filename}"


class Brand(TimeStampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    # Profile, filled by the onboarding wizard and editable in the brand settings.
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, null=True, blank=True, related_name="brands"
    )
    industry_description = models.CharField(
        max_length=300,
        blank=True,
        help_text="The brand's industry in its own words; trend matching uses it instead of the "
        "industry's description.",
    )
    logo = models.ImageField(upload_to=_logo_path, blank=True)
    primary_color = models.CharField(max_length=7, default="#4F46E5")
    secondary_color = models.CharField(max_length=7, default="#0EA5E9")
    pillars = models.JSONField(default=list, blank=True, help_text="1 to 5 short messaging statements.")
    audience_roles = models.JSONField(default=list, blank=True)
    audience_geographies = models.JSONField(default=list, blank=True)
    audience_company_sizes = models.JSONField(default=list, blank=True)
    voice_samples = models.JSONField(default=list, blank=True, help_text="Up to 5 past posts.")
    voice_profile = models.JSONField(default=dict, blank=True)
    posts_per_week = models.PositiveSmallIntegerField(default=3)
    preferred_days = models.JSONField(default=list, blank=True, help_text="Weekdays, 0 = Monday.")
    preferred_time_windows = models.JSONField(default=list, blank=True, help_text='e.g. ["09:00-11:00"]')
    timezone = models.CharField(max_length=64, default="UTC")
    default_tone = models.CharField(max_length=20, choices=Tone.choices, default=Tone.PROFESSIONAL)
    banned_topics = models.JSONField(
        default=list, blank=True, help_text="Words and phrases the brand's posts must never mention."
    )
    negative_topics = models.JSONField(
        default=list,
        blank=True,
        help_text="Topics the brand is not about, in a few words each (a payroll brand: "
        '"sports team payrolls"); trends close to one are held back from its recommendations.',
    )

    posts_need_approval = models.BooleanField(
        default=False,
        help_text="Editors submit posts for approval; an owner or approver approves them before "
        "they can be scheduled.",
    )

    onboarding_step = models.PositiveSmallIntegerField(
        choices=OnboardingStep.choices, default=OnboardingStep.INDUSTRY
    )
    onboarding_completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_onboarded(self) -> bool:
        return self.onboarding_completed_at is not None


class MembershipRole(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    APPROVER = "approver", "Approver"


# Roles that may approve posts when the brand's posts need approval (owners always do).
APPROVING_ROLES = (MembershipRole.OWNER, MembershipRole.APPROVER)


class BrandMembership(TimeStampedModel):
    """A brand user's place in a brand. Owners manage the brand and its members; editors make
    content; approvers make content and approve posts when the brand's posts need approval."""

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


class BrandInvitation(TimeStampedModel):
    """An owner's invitation to join a brand, sent by email and accepted after sign-up or login."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=MembershipRole.choices, default=MembershipRole.EDITOR)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="brand_invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.brand}"


class Platform(models.TextChoices):
    X = vocabulary.X, vocabulary.PLATFORM_LABELS[vocabulary.X]
    LINKEDIN = vocabulary.LINKEDIN, vocabulary.PLATFORM_LABELS[vocabulary.LINKEDIN]
    SANDBOX = vocabulary.SANDBOX, vocabulary.PLATFORM_LABELS[vocabulary.SANDBOX]


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"
    DISCONNECTED = "disconnected", "Disconnected"


class SocialConnection(TimeStampedModel):
    """Which linked account publishes for which brand. The sandbox account needs no OAuth."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="connections")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    social_account = models.ForeignKey(
        "socialaccount.SocialAccount", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handle = models.CharField(max_length=120)
    display_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED
    )
    token_expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "platform"], condition=Q(platform="sandbox"), name="one_sandbox_per_brand"
            ),
            models.UniqueConstraint(
                fields=["brand", "social_account"],
                condition=Q(social_account__isnull=False),
                name="social_account_once_per_brand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} @{self.handle} for {self.brand}"

    @property
    def is_sandbox(self) -> bool:
        return self.platform == Platform.SANDBOX
