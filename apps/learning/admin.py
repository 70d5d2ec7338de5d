"""Admin for the learning loop: the reward ledger (read only: analytics writes it), each brand's
model with a "train now" action (the same service as the weekly job), and every training run."""

from django.contrib import admin, messages

from .models import PolicyModel, RewardRecord, TrainingRun
from .training import policy_train


@admin.register(RewardRecord)
class RewardRecordAdmin(admin.ModelAdmin):
    list_display = [
        "publication_id",
        "brand",
        "post_id",
        "tone",
        "platform",
        "post_format",
        "reward",
        "final",
    ]
    list_filter = ["final", "platform"]
    search_fields = ["brand__name"]
    date_hierarchy = "published_at"
    list_select_related = ["brand"]
    raw_id_fields = ["brand", "trend"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
