"""Admin for trends: browse trends with their snapshots and mentions, brand scores, dismissals,
refresh runs (with "re-run the trend job") and each source's health."""

from django.contrib import admin, messages

from . import services
from .models import (
    BrandEmbedding,
    BrandTrendScore,
    Trend,
    TrendDismissal,
    TrendMention,
    TrendRefreshRun,
    TrendSnapshot,
    TrendSourceStatus,
)


class TrendSnapshotInline(admin.TabularInline):
    model = TrendSnapshot
    extra = 0
    can_delete = False
    fields = [
        "taken_at",
        "volume",
        "mention_count",
        "source_count",
        "momentum",
        "sentiment_label",
        "sentiment_score",
    ]
    readonly_fields = fields
    ordering = ["-taken_at"]


class TrendMentionInline(admin.TabularInline):
    model = TrendMention
    extra = 0
    can_delete = False
    fields = ["source", "source_name", "title", "url", "volume", "last_seen_at"]
    readonly_fields = fields


@admin.register(Trend)
class TrendAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "category",
        "volume",
        "momentum",
        "sentiment_label",
        "last_seen_at",
        "expires_at",
    ]
    list_filter = ["category", "sentiment_label"]
    search_fields = ["title", "summary"]
    date_hierarchy = "last_seen_at"
    exclude = ["embedding"]
    readonly_fields = [
        "first_seen_at",
        "last_seen_at",
        "volume",
        "momentum",
        "sentiment_label",
        "sentiment_score",
    ]
    inlines = [TrendSnapshotInline, TrendMentionInline]


@admin.register(BrandTrendScore)
class BrandTrendScoreAdmin(admin.ModelAdmin):
    list_display = ["trend", "brand", "final", "relevance", "opportunity", "format_fit", "reward", "decision"]
    list_filter = ["decision", "platform", "post_format"]
    search_fields = ["trend__title", "brand__name"]
    list_select_related = ["trend", "brand"]
    raw_id_fields = ["trend", "brand"]


@admin.register(TrendDismissal)
class TrendDismissalAdmin(admin.ModelAdmin):
    list_display = ["trend", "brand", "dismissed_by", "final_at_dismissal", "created_at"]
    search_fields = ["trend__title", "brand__name"]
    list_select_related = ["trend", "brand", "dismissed_by"]
    raw_id_fields = ["trend", "brand", "dismissed_by"]


@admin.register(TrendRefreshRun)
class TrendRefreshRunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "status",
        "trigger",
        "triggered_by",
        "started_at",
        "finished_at",
        "items_fetched",
        "trends_created",
        "trends_updated",
        "brands_scored",
        "recommendations",
    ]
    list_filter = ["status", "trigger"]
    readonly_fields = [f.name for f in TrendRefreshRun._meta.fields]
    actions = ["rerun"]

    @admin.action(description="Re-run the trend job now")
    def rerun(self, request, queryset):
        run = services.trend_refresh_request(user=request.user)
        self.message_user(
            request, f"Trend refresh #{run.pk} is {run.get_status_display().lower()}.", messages.SUCCESS
        )

    def has_add_permission(self, request):
        return False


@admin.register(TrendSourceStatus)
class TrendSourceStatusAdmin(admin.ModelAdmin):
    list_display = ["label", "name", "last_success_at", "last_item_count", "last_error_at", "skipped_reason"]
    readonly_fields = [f.name for f in TrendSourceStatus._meta.fields]


@admin.register(BrandEmbedding)
class BrandEmbeddingAdmin(admin.ModelAdmin):
    list_display = ["brand", "computed_at"]
    exclude = ["vector", "pillar_vectors"]
    readonly_fields = ["brand", "pillars", "text_digest", "computed_at"]
