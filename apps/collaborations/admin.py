from django.contrib import admin

from .models import InfluencerProfile


@admin.register(InfluencerProfile)
class InfluencerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "slug", "is_public", "reputation_score", "created_at"]
    list_filter = ["is_public"]
    search_fields = ["slug", "user__email", "user__display_name", "bio"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
