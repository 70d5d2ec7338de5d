"""Users (email login, one role each) and their personal API tokens."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from apps.core.models import TimeStampedModel


class Role(models.TextChoices):
    BRAND = "brand", "Brand"
    INFLUENCER = "influencer", "Influencer"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("role", "")
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address.

    Brand users and influencers have exactly one role; staff (operators) have none and use
    the admin and operations pages.
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, blank=True, db_index=True)
    email_notifications = models.BooleanField(
        default=True, help_text="Send an email for each notification, besides showing it in the app."
    )
    # Brand users see times in their brand's zone; influencers and staff in this one.
    timezone = models.CharField(max_length=64, default="UTC", help_text="Times are shown in this zone.")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=Q(role__in=[Role.BRAND, Role.INFLUENCER]) | Q(role="", is_staff=True),
                name="user_has_role_unless_staff",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    @property
    def is_brand(self) -> bool:
        return self.role == Role.BRAND

    @property
    def is_influencer(self) -> bool:
        return self.role == Role.INFLUENCER


class ApiToken(TimeStampedModel):
    """A personal token for the JSON API. Only a SHA-256 of it is stored; it is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
