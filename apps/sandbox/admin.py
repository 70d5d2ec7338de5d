"""Sandbox posts and images in the admin, read-mostly: they are made by publishing."""

from django.contrib import admin

from .models import SandboxAttachment, SandboxMedia, SandboxPost


class AttachmentInline(admin.TabularInline):
    model = SandboxAttachment
    extra = 0
    raw_id_fields = ["media"]


@admin.register(SandboxPost)
class SandboxPostAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "brand",
        "short_text",
        "thread_position",
        "tone",
        "post_format",
        "posted_at",
    ]
    list_filter = ["tone", "post_format"]
    list_select_related = ["brand"]
    search_fields = ["external_id", "text", "brand__name"]
    raw_id_fields = ["brand", "connection", "reply_to", "thread_root"]
    date_hierarchy = "posted_at"
    inlines = [AttachmentInline]

    @admin.display(description="Text")
    def short_text(self, obj: SandboxPost) -> str:
        return obj.text[:80] + ("…" if len(obj.text) > 80 else "")


@admin.register(SandboxMedia)
class SandboxMediaAdmin(admin.ModelAdmin):
    list_display = ["external_id", "brand", "mime", "width", "height", "created_at"]
    list_select_related = ["brand"]
    search_fields = ["external_id", "brand__name"]
    raw_id_fields = ["brand"]
