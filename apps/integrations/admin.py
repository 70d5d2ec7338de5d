"""Admin for the outside-service call log (read-only: rows are written by the clients)."""

from django.contrib import admin

from .models import ApiCall


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "provider",
        "endpoint",
        "purpose",
        "model",
        "status",
        "http_status",
        "attempt",
        "latency_ms",
        "prompt_tokens",
        "completion_tokens",
        "brand",
    ]
    list_filter = ["provider", "status", "purpose", "http_status"]
    search_fields = ["endpoint", "purpose", "model", "error", "brand__name"]
    date_hierarchy = "created_at"
    list_select_related = ["brand"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
