"""Admin for engagement tracking: every metrics fetch, with a "fetch metrics now" action (the same
service as the job). The learned models and training runs are in apps.learning's admin."""

from django.contrib import admin, messages

from .models import MetricsSnapshot


@admin.register(MetricsSnapshot)
class MetricsSnapshotAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "publication",
        "brand",
        "platform",
        "fetched_at",
        "age_hours",
        "impressions",
        "likes",
        "comments",
        "shares",
        "engagement_rate",
        "reward",
        "final",
    ]
    list_filter = ["platform", "final"]
    search_fields = ["brand__name", "publication__external_id"]
    date_hierarchy = "fetched_at"
    list_select_related = ["publication", "brand"]
    raw_id_fields = ["publication", "brand"]
    actions = ["fetch_due_now"]

    @admin.action(description="Fetch the metrics of every due post now (the 4-hourly job)")
    def fetch_due_now(self, request, queryset):
        from .services import metrics_fetch_due

        summary = metrics_fetch_due()
        self.message_user(
            request,
            f"Fetched {summary.fetched} of {summary.due} due posts; {summary.rate_limited} wait for a rate "
            f"limit, {summary.missing} are gone from their platform."
            + (f" Problems: {'; '.join(summary.problems)}" if summary.problems else ""),
            messages.SUCCESS if not summary.problems else messages.WARNING,
        )
