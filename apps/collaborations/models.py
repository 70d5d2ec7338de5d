"""Influencer profiles, and the marketplace: offers, open calls, collaborations and the ledger."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from apps.core.models import TimeStampedModel


def _photo_path(instance, filename: str) -> str:
    return f"influencers/{instance.user_id}/photo/{filename}"


class InfluencerProfile(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="influencer_profile"
    )
    # The public handle (/influencer/@<slug>/), chosen by the influencer; stored in lower case.
    slug = models.SlugField(max_length=80, unique=True, help_text="The address of the public profile page.")
    display_name = models.CharField(
        max_length=80, blank=True, help_text="The name on the public page (never taken from the email)."
    )
    photo = models.ImageField(upload_to=_photo_path, blank=True)
    bio = models.TextField(blank=True, max_length=1000)
    audience_roles = models.JSONField(default=list, blank=True)
    audience_industries = models.JSONField(default=list, blank=True)
    audience_geographies = models.JSONField(default=list, blank=True)
    # {"x": {"count": 1200, "verified": true, "updated_at": "..."}, ...}
    follower_counts = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=True)
    reputation_score = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Empty until collaborations exist."
    )
    # Search columns, kept in step with the fields above by the profile services.
    followers_total = models.BigIntegerField(default=0, help_text="Sum of follower_counts.")
    verified = models.BooleanField(default=False, help_text="At least one follower count is verified.")
    engagement_rate = models.FloatField(
        null=True, blank=True, help_text="Average engagement rate of their own posts (0.034 = 3.4%)."
    )
    rate_minor = models.BigIntegerField(null=True, blank=True, help_text="Usual fee per repost, minor units.")
    rate_currency = models.CharField(max_length=3, blank=True)
    # all-MiniLM-L6-v2 of bio + audience (float32 bytes), written by the worker; the hash says what
    # text it was made from, so an unchanged profile is not embedded again.
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    embedding_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("slug"), name="influencer_slug_ci_unique")]
        indexes = [
            models.Index(fields=["-followers_total"], name="influencer_reach"),
            models.Index(fields=["-reputation_score"], name="influencer_reputation"),
        ]

    def __str__(self) -> str:
        return f"{self.public_name} (@{self.slug})"

    @property
    def public_name(self) -> str:
        """What the public page calls the influencer: their chosen name, else their handle."""
        return self.display_name or f"@{self.slug}"

    @property
    def total_followers(self) -> int:
        return sum(int(v.get("count") or 0) for v in self.follower_counts.values())

    def save(self, *args, **kwargs):
        # The search columns follow follower_counts wherever it is written (forms, admin, seeds).
        self.followers_total = self.total_followers
        self.verified = any(v.get("verified") for v in self.follower_counts.values())
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "follower_counts" in update_fields:
            kwargs["update_fields"] = {*update_fields, "followers_total", "verified"}
        super().save(*args, **kwargs)


class InfluencerHandle(TimeStampedModel):
    """A handle a profile used before: its old address redirects (301) to the current one, and no
    one else may take it, so an old link never lands on another person."""

    profile = models.ForeignKey(InfluencerProfile, on_delete=models.CASCADE, related_name="past_handles")
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("slug"), name="influencer_past_handle_ci_unique")]

    def __str__(self) -> str:
        return f"@{self.slug} → profile {self.profile_id}"


# --- The marketplace: offers, open calls, collaborations, the ledger ---------------------------


class OfferKind(models.TextChoices):
    DIRECT = "direct", "Direct offer"
    OPEN_CALL = "open_call", "Open call"


class OfferStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COUNTERED = "countered", "Counter-offer"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"
    FILLED = "filled", "All slots filled"


# An offer in one of these can still be answered (accepted, declined, countered, applied to).
OFFER_OPEN = (OfferStatus.SENT, OfferStatus.COUNTERED)


class Offer(TimeStampedModel):
    """A brand's proposal to repost one of its published posts for a fee: to one influencer
    (direct) or to every influencer matching `criteria`, up to `slots` of them (open call)."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="offers")
    post = models.ForeignKey("posts.Post", on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(max_length=10, choices=OfferKind.choices, default=OfferKind.DIRECT)
    influencer = models.ForeignKey(
        InfluencerProfile, on_delete=models.CASCADE, null=True, blank=True, related_name="offers"
    )
    criteria = models.JSONField(
        default=dict, blank=True, help_text="Open call: roles, industries, geographies, min_followers."
    )
    slots = models.PositiveSmallIntegerField(default=1)
    fee_minor = models.BigIntegerField(help_text="In the currency's minor unit (cents).")
    currency = models.CharField(max_length=3, help_text="ISO 4217.")
    deadline = models.DateTimeField(help_text="The offer expires then.")
    platform = models.CharField(max_length=16)
    tag_brand = models.BooleanField(default=True, help_text="The repost must tag the brand.")
    keep_link = models.BooleanField(default=True, help_text="The repost must keep the post's link.")
    message = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.SENT)
    counter_fee_minor = models.BigIntegerField(null=True, blank=True)
    countered_at = models.DateTimeField(null=True, blank=True)
    counter_declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=1000)
    responded_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="offer_due"),
            models.Index(fields=["brand", "-created_at"], name="offer_brand"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(fee_minor__gt=0), name="offer_fee_positive"),
            models.CheckConstraint(
                condition=models.Q(counter_fee_minor__isnull=True) | models.Q(counter_fee_minor__gt=0),
                name="offer_counter_fee_positive",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="direct") & models.Q(influencer__isnull=False))
                | (models.Q(kind="open_call") & models.Q(influencer__isnull=True)),
                name="offer_direct_has_influencer",
            ),
            models.CheckConstraint(condition=models.Q(slots__gte=1), name="offer_slots_positive"),
            # One live direct offer per influencer per post.
            models.UniqueConstraint(
                fields=["post", "influencer"],
                condition=models.Q(kind="direct", status__in=["sent", "countered", "accepted"]),
                name="offer_one_live_per_influencer",
            ),
        ]

    def __str__(self) -> str:
        who = f"@{self.influencer.slug}" if self.influencer_id else f"open call ({self.slots} slots)"
        return f"{self.get_kind_display()} from {self.brand} to {who} ({self.status})"

    @property
    def is_open_call(self) -> bool:
        return self.kind == OfferKind.OPEN_CALL


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    PICKED = "picked", "Picked"
    NOT_PICKED = "not_picked", "Not picked"


class Application(TimeStampedModel):
    """An influencer's answer to an open call; the brand picks among them, one per slot."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="applications")
    influencer = models.ForeignKey(InfluencerProfile, on_delete=models.CASCADE, related_name="applications")
    message = models.TextField(blank=True, max_length=1000)
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "influencer"], name="application_once_per_call")
        ]

    def __str__(self) -> str:
        return f"@{self.influencer.slug} → offer {self.offer_id} ({self.status})"


class CollaborationStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REPOSTED = "reposted", "Reposted"
    VERIFIED = "verified", "Verified"
    MEASURED = "measured", "Measured"
    COMPLETED = "completed", "Completed"
    PAID = "paid", "Paid"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


# The steps in order; missed and cancelled end a collaboration before it is completed.
COLLABORATION_TRANSITIONS: dict[str, frozenset[str]] = {
    CollaborationStatus.ACCEPTED: frozenset(
        {CollaborationStatus.REPOSTED, CollaborationStatus.MISSED, CollaborationStatus.CANCELLED}
    ),
    CollaborationStatus.REPOSTED: frozenset(
        {CollaborationStatus.VERIFIED, CollaborationStatus.MISSED, CollaborationStatus.CANCELLED}
    ),
    CollaborationStatus.VERIFIED: frozenset({CollaborationStatus.MEASURED, CollaborationStatus.CANCELLED}),
    CollaborationStatus.MEASURED: frozenset({CollaborationStatus.COMPLETED, CollaborationStatus.CANCELLED}),
    CollaborationStatus.COMPLETED: frozenset({CollaborationStatus.PAID}),
    CollaborationStatus.PAID: frozenset(),
    CollaborationStatus.MISSED: frozenset(),
    CollaborationStatus.CANCELLED: frozenset(),
}


class Collaboration(TimeStampedModel):
    """An accepted offer: one influencer reposting one brand post for an agreed fee."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="collaborations")
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="collaboration"
    )
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="collaborations")
    influencer = models.ForeignKey(InfluencerProfile, on_delete=models.CASCADE, related_name="collaborations")
    fee_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    platform = models.CharField(max_length=16)
    status = models.CharField(
        max_length=10, choices=CollaborationStatus.choices, default=CollaborationStatus.ACCEPTED
    )
    repost_due_at = models.DateTimeField(help_text="The repost is missed if not made by then.")
    measure_due_at = models.DateTimeField(help_text="When the repost's numbers are final.")
    accepted_at = models.DateTimeField()
    reposted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    measured_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    receipt_confirmed_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(fee_minor__gt=0), name="collaboration_fee_positive"),
            models.UniqueConstraint(fields=["offer", "influencer"], name="collaboration_once_per_offer"),
        ]

    def __str__(self) -> str:
        return f"{self.brand} × @{self.influencer.slug} ({self.status})"


class CollaborationMessage(models.Model):
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} on collaboration {self.collaboration_id}"


class LedgerParty(models.TextChoices):
    BRAND = "brand", "Brand"
    INFLUENCER = "influencer", "Influencer"


class LedgerStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class AppendOnlyError(Exception):
    """A ledger entry was about to be changed or deleted."""


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Ledger entries are never changed: write a reversal entry.")

    def delete(self):
        raise AppendOnlyError("Ledger entries are never deleted: write a reversal entry.")


class LedgerEntry(models.Model):
    """One money movement on one party's account, never changed once written. A payment, a
    cancellation or a refund is a new entry that `reverses` the one it settles (at most once: the
    one-to-one makes a second settlement of the same entry fail in the database).

    Amounts are signed from the party's side: the brand's entries are negative (money out), the
    influencer's positive (money in). A balance is the sum of the entries of one status that no
    later entry reverses."""

    collaboration = models.ForeignKey(Collaboration, on_delete=models.PROTECT, related_name="ledger_entries")
    party = models.CharField(max_length=10, choices=LedgerParty.choices)
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="ledger_entries")
    influencer = models.ForeignKey(InfluencerProfile, on_delete=models.PROTECT, related_name="ledger_entries")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=LedgerStatus.choices)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount_minor=0), name="ledger_amount_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.amount_minor} {self.currency} ({self.status})"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("Ledger entries are never changed: write a reversal entry.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries are never deleted: write a reversal entry.")


class ShortlistEntry(models.Model):
    """An influencer a brand put aside while searching, to send offers to later."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="shortlist")
    influencer = models.ForeignKey(
        InfluencerProfile, on_delete=models.CASCADE, related_name="shortlist_entries"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "shortlist entries"
        constraints = [
            models.UniqueConstraint(fields=["brand", "influencer"], name="shortlist_once_per_brand")
        ]

    def __str__(self) -> str:
        return f"{self.brand_id} shortlisted @{self.influencer_id}"


# --- Linked accounts, reposts, measurement, fit and reputation ---------------------------------


class InfluencerAccountStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"
    DISCONNECTED = "disconnected", "Disconnected"


class InfluencerAccount(TimeStampedModel):
    """An account the influencer reposts from: a linked X or LinkedIn account (through allauth)
    or their Sandbox account (no OAuth). A repost's ownership is checked against `external_user_id`."""

    profile = models.ForeignKey(InfluencerProfile, on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField(max_length=16)
    social_account = models.ForeignKey(
        "socialaccount.SocialAccount", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handle = models.CharField(max_length=120)
    external_user_id = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        max_length=20, choices=InfluencerAccountStatus.choices, default=InfluencerAccountStatus.CONNECTED
    )
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "platform"], name="influencer_account_once_per_platform"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} @{self.handle} of influencer {self.profile_id}"

    @property
    def is_sandbox(self) -> bool:
        return self.platform == "sandbox"


class RepostMethod(models.TextChoices):
    PIPELINE = "pipeline", "Through a linked account"
    URL = "url", "By link"


class RepostStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Publishing"
    VERIFYING = "verifying", "Being checked"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Check failed"


class Repost(TimeStampedModel):
    """The influencer's repost for a collaboration: published through their linked account
    (exactly once, with a claim and reconcile-before-resend like publications) or submitted as
    the URL of a post they made themselves; either way the worker verifies it through the
    platform client, then the metrics job measures it like any post."""

    collaboration = models.OneToOneField(Collaboration, on_delete=models.CASCADE, related_name="repost")
    method = models.CharField(max_length=10, choices=RepostMethod.choices)
    account = models.ForeignKey(
        InfluencerAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="reposts"
    )
    platform = models.CharField(max_length=16)
    status = models.CharField(max_length=10, choices=RepostStatus.choices, default=RepostStatus.QUEUED)
    text = models.TextField(blank=True, max_length=4000, help_text="The influencer's words on the repost.")
    url = models.URLField(max_length=500, blank=True)
    external_id = models.CharField(max_length=120, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True, help_text="When the platform says it was made.")
    # exactly-once bookkeeping for the pipeline method
    claim_token = models.CharField(max_length=36, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    needs_reconcile = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failures = models.JSONField(
        default=list, blank=True, help_text="What the verification found missing, in plain words."
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # the latest numbers (the 4-hour metrics job)
    impressions = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    quotes = models.PositiveIntegerField(default=0)
    engagement_rate = models.FloatField(null=True, blank=True)
    metrics_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "lease_until"], name="repost_status_lease")]

    def __str__(self) -> str:
        return f"repost for collaboration {self.collaboration_id} ({self.status})"

    @property
    def engagements(self) -> int:
        return self.likes + self.comments + self.shares + self.quotes


class CollaborationResult(TimeStampedModel):
    """What a collaboration delivered, computed when it is measured (and refreshed by the metrics
    job until it completes): reach multiplier, engagement delivered, ROI and audience reaction."""

    collaboration = models.OneToOneField(Collaboration, on_delete=models.CASCADE, related_name="result")
    brand_post_reach = models.PositiveIntegerField(default=0)
    repost_reach = models.PositiveIntegerField(default=0)
    reach_multiplier = models.FloatField(null=True, blank=True)
    engagement_delivered = models.PositiveIntegerField(default=0)
    value_minor = models.BigIntegerField(default=0, help_text="Estimated value, in the fee's currency.")
    roi = models.FloatField(null=True, blank=True, help_text="value / fee.")
    audience_reaction = models.FloatField(
        null=True, blank=True, help_text="Repost engagement rate / the influencer's own average."
    )
    final = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"result of collaboration {self.collaboration_id}"


class CollaborationSettings(TimeStampedModel):
    """A brand's prices for valuing delivered reach and engagement (ROI); defaults documented in
    apps.collaborations.services.measure."""

    brand = models.OneToOneField(
        "brands.Brand", on_delete=models.CASCADE, related_name="collaboration_settings"
    )
    currency = models.CharField(max_length=3, default="USD")
    cpm_minor = models.BigIntegerField(help_text="Value of 1,000 impressions, in minor units.")
    cpe_minor = models.BigIntegerField(help_text="Value of one engagement, in minor units.")

    class Meta:
        verbose_name_plural = "collaboration settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(cpm_minor__gte=0), name="collab_cpm_nonnegative"),
            models.CheckConstraint(condition=models.Q(cpe_minor__gte=0), name="collab_cpe_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"collaboration prices for brand {self.brand_id}"


class InfluencerFit(models.Model):
    """How well an influencer's audience and bio fit a brand's profile and pillars (cosine, computed
    by the worker from embeddings); search sorts by it.

    A brand's 100,000 scores are rewritten at each refresh, so the table carries as few indexes as
    it can: the unique (brand, influencer) one serves the search's join and the brand's lookups,
    and no index holds `score`, so a rewrite is a heap-only (HOT) update in pages kept half
    empty (fillfactor 50, migration 0007)."""

    # No foreign-key constraints in the database (db_constraint=False, migration 0008): checking
    # 100,000 inserted rows against their brand and profiles took longer than ranking them. Django's
    # on_delete=CASCADE still deletes a brand's or a profile's scores (one DELETE by the unique
    # index or the influencer index); see the refresh in apps.collaborations.services.fit for the
    # locking that stands in for the constraints.
    brand = models.ForeignKey(
        "brands.Brand",
        on_delete=models.CASCADE,
        related_name="influencer_fits",
        db_index=False,
        db_constraint=False,
    )
    influencer = models.ForeignKey(
        InfluencerProfile, on_delete=models.CASCADE, related_name="fits", db_constraint=False
    )
    score = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brand", "influencer"], name="influencer_fit_once")]

    def __str__(self) -> str:
        return f"fit {self.score:.3f} of @{self.influencer_id} for brand {self.brand_id}"


class ReputationEvent(models.Model):
    """One recomputation of an influencer's reputation (when a collaboration ends): the score and
    the parts it came from, kept so the profile can chart its history."""

    profile = models.ForeignKey(InfluencerProfile, on_delete=models.CASCADE, related_name="reputation_events")
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.SET_NULL, null=True, blank=True, related_name="reputation_events"
    )
    score = models.DecimalField(max_digits=5, decimal_places=2)
    previous = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    components = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"reputation {self.score} for influencer {self.profile_id}"
