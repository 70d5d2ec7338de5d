from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models

from .models import (
    Application,
    Collaboration,
    CollaborationMessage,
    CollaborationResult,
    CollaborationSettings,
    InfluencerAccount,
    InfluencerFit,
    InfluencerHandle,
    InfluencerProfile,
    LedgerEntry,
    Offer,
    Repost,
    ReputationEvent,
)
from .money import currency_clean, money_format
from .services.ledger import ledger_entry_reverse


class InfluencerHandleInline(admin.TabularInline):
    """Handles the profile had before; each redirects to the current one."""

    model = InfluencerHandle
    extra = 0
    fields = ["slug", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(InfluencerProfile)
class InfluencerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "slug", "is_public", "reputation_score", "created_at"]
    list_filter = ["is_public"]
    search_fields = ["slug", "display_name", "past_handles__slug", "user__email", "user__display_name", "bio"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    inlines = [InfluencerHandleInline]


class ApplicationInline(admin.TabularInline):
    model = Application
    extra = 0
    fields = ["influencer", "status", "message", "created_at", "decided_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["pk", "brand", "kind", "influencer", "fee_minor", "currency", "status", "deadline"]
    list_filter = ["kind", "status", "currency", "platform"]
    search_fields = ["brand__name", "influencer__slug", "message"]
    list_select_related = ["brand", "influencer"]
    raw_id_fields = ["brand", "post", "influencer", "created_by"]
    inlines = [ApplicationInline]


class CollaborationMessageInline(admin.TabularInline):
    model = CollaborationMessage
    extra = 0
    fields = ["author", "body", "created"]
    readonly_fields = fields
    can_delete = False


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    fields = ["party", "amount_minor", "currency", "status", "reverses", "created_by", "created_at", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Collaboration)
class CollaborationAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "brand",
        "influencer",
        "fee_minor",
        "currency",
        "status",
        "accepted_at",
        "repost_due_at",
    ]
    list_filter = ["status", "currency", "platform"]
    search_fields = ["brand__name", "influencer__slug"]
    list_select_related = ["brand", "influencer"]
    raw_id_fields = ["offer", "application", "brand", "influencer"]
    inlines = [CollaborationMessageInline, LedgerEntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: entries are written by the services and never changed."""

    list_display = [
        "pk",
        "created_at",
        "collaboration_id",
        "party",
        "brand",
        "influencer",
        "amount",
        "status",
        "reverses_id",
    ]
    list_filter = ["party", "status", "currency"]
    search_fields = ["brand__name", "influencer__slug", "note"]
    list_select_related = ["brand", "influencer"]

    @admin.display(description="Amount", ordering="amount_minor")
    def amount(self, obj: LedgerEntry) -> str:
        return money_format(obj.amount_minor, obj.currency)

    actions = ["reverse_entries"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Reverse the selected entries (cancel pending, refund paid)")
    def reverse_entries(self, request, queryset):
        reversed_count = 0
        for entry in queryset:
            try:
                ledger_entry_reverse(entry=entry, user=request.user)
                reversed_count += 1
            except ValidationError as exc:
                self.message_user(request, f"Entry {entry.pk}: {exc.messages[0]}", messages.WARNING)
        if reversed_count:
            self.message_user(request, f"{reversed_count} reversal entries written.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the product's services write (computed scores, history): shown, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReputationEvent)
class ReputationEventAdmin(ReadOnlyAdmin):
    """Each recomputation of an influencer's reputation, with the parts it came from."""

    list_display = ["pk", "created_at", "profile", "score", "previous", "collaboration", "reason"]
    search_fields = ["profile__slug", "reason"]
    list_select_related = ["profile", "collaboration__brand", "collaboration__influencer"]
    date_hierarchy = "created_at"


@admin.register(InfluencerFit)
class InfluencerFitAdmin(ReadOnlyAdmin):
    """Fit scores the worker computes from embeddings; search sorts by them."""

    list_display = ["pk", "brand", "influencer", "score", "computed_at"]
    search_fields = ["brand__name", "influencer__slug"]
    list_select_related = ["brand", "influencer"]


@admin.register(InfluencerAccount)
class InfluencerAccountAdmin(admin.ModelAdmin):
    list_display = ["pk", "profile", "platform", "handle", "external_user_id", "status", "updated_at"]
    list_filter = ["platform", "status"]
    search_fields = ["profile__slug", "handle", "external_user_id"]
    list_select_related = ["profile"]
    raw_id_fields = ["profile", "social_account"]
    readonly_fields = ["last_error"]


@admin.register(Repost)
class RepostAdmin(admin.ModelAdmin):
    """A repost's publishing bookkeeping (claim, lease, attempts) belongs to the worker: read-only."""

    list_display = ["pk", "collaboration", "method", "platform", "status", "posted_at", "verified_at"]
    list_filter = ["method", "platform", "status"]
    search_fields = ["url", "external_id", "collaboration__influencer__slug", "collaboration__brand__name"]
    list_select_related = ["collaboration__brand", "collaboration__influencer"]
    raw_id_fields = ["collaboration", "account"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        "claim_token",
        "lease_until",
        "needs_reconcile",
        "attempts",
        "last_error",
        "failures",
        "verified_at",
        "impressions",
        "likes",
        "comments",
        "shares",
        "quotes",
        "engagement_rate",
        "metrics_fetched_at",
    ]


@admin.register(CollaborationResult)
class CollaborationResultAdmin(ReadOnlyAdmin):
    """Computed by the metrics job from the repost's numbers."""

    list_display = [
        "pk",
        "collaboration",
        "reach_multiplier",
        "engagement_delivered",
        "value_minor",
        "roi",
        "audience_reaction",
        "final",
    ]
    list_filter = ["final"]
    list_select_related = ["collaboration__brand", "collaboration__influencer"]


class CollaborationSettingsForm(forms.ModelForm):
    class Meta:
        model = CollaborationSettings
        fields = ["brand", "currency", "cpm_minor", "cpe_minor"]

    def clean_currency(self):
        try:
            return currency_clean(self.cleaned_data["currency"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


@admin.register(CollaborationSettings)
class CollaborationSettingsAdmin(admin.ModelAdmin):
    """A brand's CPM / CPE prices (minor units of `currency`) for valuing delivered reach."""

    form = CollaborationSettingsForm
    list_display = ["pk", "brand", "currency", "cpm_minor", "cpe_minor", "updated_at"]
    search_fields = ["brand__name"]
    list_select_related = ["brand"]
    raw_id_fields = ["brand"]
