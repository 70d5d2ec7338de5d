from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from .models import (
    Application,
    Collaboration,
    CollaborationMessage,
    InfluencerHandle,
    InfluencerProfile,
    LedgerEntry,
    Offer,
)
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
        "collaboration",
        "party",
        "brand",
        "influencer",
        "amount_minor",
        "currency",
        "status",
        "reverses",
    ]
    list_filter = ["party", "status", "currency"]
    search_fields = ["brand__name", "influencer__slug", "note"]
    list_select_related = ["brand", "influencer"]
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
