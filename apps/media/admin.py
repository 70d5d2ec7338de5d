from django.contrib import admin

from .models import MediaAsset


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    list_display = ("original_name", "brand", "kind", "mime", "bytes", "width", "height", "created_at")
    list_filter = ("kind",)
    search_fields = ("original_name", "brand__name", "sha256")
    raw_id_fields = ("brand", "uploaded_by", "cropped_from")
    readonly_fields = ("sha256", "created_at", "updated_at")
