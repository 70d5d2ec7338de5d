"""Admin for engagement tracking and learning: every metrics fetch, each brand's model and every
training run, with "fetch metrics now" and "train now" actions (the same services as the jobs)."""

from django.contrib import admin, messages

from .models import MetricsSnapshot, PolicyModel, TrainingRun


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


@admin.register(PolicyModel)
class PolicyModelAdmin(admin.ModelAdmin):
    list_display = ["brand", "mode", "posts_used", "trained_at", "alpha", "epsilon", "updated_at"]
    list_filter = ["mode"]
    search_fields = ["brand__name"]
    list_select_related = ["brand"]
    raw_id_fields = ["brand"]
    readonly_fields = ["q_values", "visits", "bandit", "posts_used", "trained_at", "updated_at"]
    actions = ["train_now"]

    @admin.action(description="Train the selected brands' models now")
    def train_now(self, request, queryset):
        from .training import policy_train

        done = [policy_train(brand=model.brand) for model in queryset.select_related("brand")]
        trained = sum(1 for run in done if run.status == "trained")
        self.message_user(
            request,
            f"{trained} trained, {len(done) - trained} skipped or failed (see Training runs for why).",
            messages.SUCCESS,
        )


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = ["id", "brand", "started_at", "status", "mode", "posts_used", "short_reason"]
    list_filter = ["status", "mode"]
    search_fields = ["brand__name", "reason"]
    date_hierarchy = "started_at"
    list_select_related = ["brand"]
    raw_id_fields = ["brand"]
    readonly_fields = [
        "brand",
        "started_at",
        "finished_at",
        "status",
        "mode",
        "reason",
        "posts_used",
        "summary",
    ]

    @admin.display(description="Why")
    def short_reason(self, obj: TrainingRun) -> str:
        return obj.reason[:120]
