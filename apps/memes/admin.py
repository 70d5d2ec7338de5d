"""Admin for meme templates, memes, votes and reactions. Moderation actions go through the services,
so a meme hidden here leaves every open feed live and an uploader hears about their template."""

from django.contrib import admin, messages

from . import services
from .models import Meme, MemeReaction, MemeTemplate, MemeVote


@admin.register(MemeTemplate)
class MemeTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "status",
        "is_animated",
        "width",
        "height",
        "use_count",
        "licence",
        "created_at",
    ]
    list_filter = ["status", "is_animated"]
    search_fields = ["name", "slug", "tags", "author", "source"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [
        "width",
        "height",
        "frame_count",
        "is_animated",
        "use_count",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["uploaded_by"]
    list_select_related = ["uploaded_by"]
    actions = ["approve", "reject"]

    def _review(self, request, queryset, *, approve: bool) -> None:
        count = 0
        for template in queryset.select_related("uploaded_by"):
            if template.status == (MemeTemplate.Status.APPROVED if approve else MemeTemplate.Status.REJECTED):
                continue
            services.template_review(template=template, user=request.user, approve=approve)
            count += 1
        verb = "approved" if approve else "rejected"
        self.message_user(
            request, f"{count} template(s) {verb}; their uploaders were notified.", messages.SUCCESS
        )

    @admin.action(description="Approve the selected templates")
    def approve(self, request, queryset):
        self._review(request, queryset, approve=True)

    @admin.action(description="Reject the selected templates (the uploader is told)")
    def reject(self, request, queryset):
        self._review(request, queryset, approve=False)


@admin.register(Meme)
class MemeAdmin(admin.ModelAdmin):
    list_display = ["id", "template", "owner", "is_public", "moderation", "score", "created_at"]
    list_filter = ["moderation", "is_public", "format"]
    search_fields = ["texts", "owner__email", "template__name", "cache_key"]
    list_select_related = ["template", "owner"]
    raw_id_fields = ["template", "owner"]
    readonly_fields = ["cache_key", "score", "up_votes", "down_votes", "reactions", "created_at"]
    date_hierarchy = "created_at"
    actions = ["hide", "make_visible"]

    def _moderate(self, request, queryset, action: str) -> int:
        for meme in queryset:
            services.meme_moderate(meme=meme, user=request.user, action=action)
        return len(queryset)

    @admin.action(description="Hide the selected memes (they leave open feeds at once)")
    def hide(self, request, queryset):
        count = self._moderate(request, queryset, "hide")
        self.message_user(request, f"{count} meme(s) hidden.", messages.SUCCESS)

    @admin.action(description="Make the selected memes visible")
    def make_visible(self, request, queryset):
        count = self._moderate(request, queryset, "show")
        self.message_user(request, f"{count} meme(s) visible.", messages.SUCCESS)


@admin.register(MemeVote)
class MemeVoteAdmin(admin.ModelAdmin):
    list_display = ["meme", "user", "value", "created_at"]
    list_filter = ["value"]
    raw_id_fields = ["meme", "user"]
    list_select_related = ["meme__template", "user"]


@admin.register(MemeReaction)
class MemeReactionAdmin(admin.ModelAdmin):
    list_display = ["meme", "user", "emoji", "created_at"]
    list_filter = ["emoji"]
    raw_id_fields = ["meme", "user"]
    list_select_related = ["meme__template", "user"]
