"""Admin for publishing: every publication with its attempts (what was sent, when, and what the
platform said), filters by status and platform, and "retry" for failed ones."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import Publication, PublicationStatus, PublishAttempt


class PublishAttemptInline(admin.TabularInline):
    model = PublishAttempt
    extra = 0
    can_delete = False
    fields = [
        "kind",
        "part_index",
        "outcome",
        "external_id",
        "http_status",
        "error",
        "worker",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "post",
        "brand",
        "platform",
        "status",
        "scheduled_for",
        "attempts",
        "published_at",
        "error_kind",
    ]
    list_filter = ["status", "platform", "queued_by", "error_kind"]
    search_fields = ["external_id", "brand__name", "last_error"]
    date_hierarchy = "scheduled_for"
    list_select_related = ["post", "brand"]
    raw_id_fields = ["post", "brand", "connection", "created_by"]
    readonly_fields = [
        "claim_token",
        "lease_until",
        "needs_reconcile",
        "part_ids",
        "media_ids",
        "external_id",
        "external_url",
        "published_at",
        "live_notified",
    ]
    inlines = [PublishAttemptInline]
    actions = ["retry_failed"]

    @admin.action(description="Retry the selected failed publications now")
    def retry_failed(self, request, queryset):
        retried, refused = 0, []
        for publication in queryset.filter(status=PublicationStatus.FAILED):
            try:
                services.publication_retry(publication=publication, user=request.user)
                retried += 1
            except ValidationError as exc:
                refused.append(f"#{publication.pk}: {' '.join(exc.messages)}")
        self.message_user(request, f"{retried} publication(s) will be tried again now.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not retried: " + "; ".join(refused), messages.WARNING)
