from django.contrib import admin

from .models import InfluencerHandle, InfluencerProfile


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
