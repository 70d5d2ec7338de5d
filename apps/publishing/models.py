"""Publications: one post going out on one account at a time, as a database row the dispatcher
claims when it is due, with every attempt recorded before the platform is called."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel


class PublicationStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"  # waits for due_at (its time, or its next retry)
    QUEUED = "queued", "Queued"  # claimed by the dispatcher, a worker task was sent
    SENDING = "sending", "Publishing"  # a worker is talking to the platform
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"  # more than 24 hours past its time: not published late
    CANCELLED = "cancelled", "Cancelled"


PENDING = (PublicationStatus.SCHEDULED, PublicationStatus.QUEUED, PublicationStatus.SENDING)
FINAL = (
    PublicationStatus.PUBLISHED,
    PublicationStatus.FAILED,
    PublicationStatus.EXPIRED,
    PublicationStatus.CANCELLED,
)


class Publication(TimeStampedModel):
    """A post on one account. Exactly-once rests on three things: a worker may only work on the
    row while it holds the current `claim_token` (compare-and-set updates); `needs_reconcile` is
    set before every platform call and cleared when its outcome is recorded, so a row that comes
    back with it set is looked up on the platform before anything is sent again; and the ids of
    the parts already published (`part_ids`) are never sent twice."""

    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="publications")
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="publications")
    connection = models.ForeignKey(
        "brands.SocialConnection", on_delete=models.SET_NULL, null=True, related_name="publications"
    )
    platform = models.CharField(max_length=16)
    copy_platform = models.CharField(max_length=16, help_text="Whose copy is published (x or linkedin).")
    status = models.CharField(
        max_length=10, choices=PublicationStatus.choices, default=PublicationStatus.SCHEDULED
    )
    scheduled_for = models.DateTimeField(help_text="When the brand asked for it to go out.")
    due_at = models.DateTimeField(help_text="When the dispatcher picks it next (its time or a retry).")
    queued_by = models.CharField(max_length=10, default="time", help_text="now, time or queue.")
    claim_token = models.CharField(max_length=36, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    needs_reconcile = models.BooleanField(
        default=False, help_text="A platform call's outcome is unknown: look the post up before sending."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    rate_limited = models.PositiveSmallIntegerField(default=0, help_text="429 answers so far.")
    network_failures = models.PositiveSmallIntegerField(default=0)
    media_ids = models.JSONField(default=list, blank=True)
    part_ids = models.JSONField(default=list, blank=True, help_text="Platform ids of the parts sent.")
    external_id = models.CharField(max_length=120, blank=True)
    external_url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Why it failed or is retried, in plain words.")
    error_kind = models.CharField(max_length=16, blank=True)
    live_notified = models.BooleanField(default=False, help_text="The brand was told it went live.")
    engagement_rate = models.FloatField(
        null=True, blank=True, help_text="Latest engagement rate (engagement tracking fills it)."
    )
    # The latest metrics (apps.analytics keeps every fetch as a MetricsSnapshot).
    likes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0, help_text="Comments or replies.")
    shares = models.PositiveIntegerField(default=0, help_text="Shares or reposts.")
    quotes = models.PositiveIntegerField(default=0)
    bookmarks = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0)
    metrics_estimated = models.JSONField(
        default=list, blank=True, help_text="Names of the latest numbers that were estimated."
    )
    metrics_fetched_at = models.DateTimeField(null=True, blank=True)
    reward = models.FloatField(null=True, blank=True, help_text="min(R·100, 5) with R as in SPEC section 7.")
    reward_final = models.BooleanField(
        default=False, help_text="7 days after publishing the reward is final."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["scheduled_for"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="publication_due"),
            models.Index(fields=["status", "lease_until"], name="publication_lease"),
            models.Index(fields=["brand", "scheduled_for"], name="publication_calendar"),
            models.Index(fields=["status", "published_at"], name="publication_published"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "connection"],
                condition=~Q(status="cancelled"),
                name="publication_once_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"post {self.post_id} on {self.platform} ({self.status})"

    @property
    def is_sandbox(self) -> bool:
        return self.platform == "sandbox"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING


class AttemptOutcome(models.TextChoices):
    IN_FLIGHT = "in_flight", "In flight"  # recorded before the call; stays so if the worker died
    SUCCEEDED = "succeeded", "Succeeded"
    FOUND = "found", "Found on the platform"  # reconciled: it had gone out
    NOT_FOUND = "not_found", "Not on the platform"  # reconciled: safe to send again
    RATE_LIMITED = "rate_limited", "Rate-limited"
    NETWORK = "network", "Network error"
    UNKNOWN = "unknown", "Outcome unknown"
    AUTH = "auth", "Token refused"
    DUPLICATE = "duplicate", "Refused as duplicate"
    REJECTED = "rejected", "Refused"


class PublishAttempt(models.Model):
    """One call to the platform for a publication (a send or a reconciling lookup)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attempts_log")
    kind = models.CharField(max_length=10, default="send", help_text="send, lookup or media.")
    part_index = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(
        max_length=12, choices=AttemptOutcome.choices, default=AttemptOutcome.IN_FLIGHT
    )
    external_id = models.CharField(max_length=120, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=120, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.part_index} of publication {self.publication_id}: {self.outcome}"


class CalendarFeedToken(TimeStampedModel):
    """The secret in a user's iCal feed URL (/calendar/feed/<token>.ics): whoever has the URL sees
    the scheduled and published posts of the user's brands, so it can be regenerated, which makes
    the old URL a 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    token = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"
