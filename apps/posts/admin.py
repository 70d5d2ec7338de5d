"""Admin for posts: look a post up by brand, status or words, read its copy, graphics and history,
fix a typo in its copy (recorded in its history like an edit in the app), send it back to draft."""

from django.contrib import admin, messages

from .models import Post, PostCopy, PostEdit, PostGraphic, PostStatus
from .services import TransitionError, post_transition


class PostCopyInline(admin.StackedInline):
    model = PostCopy
    verbose_name, verbose_name_plural = "copy", "Copy, per platform"
    extra = 0
    can_delete = False
    fields = [
        "platform",
        "parts",
        "caption",
        "source",
        "llm_model",
        "attempts",
        "prompt_tokens",
        "completion_tokens",
    ]
    readonly_fields = ["platform", "source", "llm_model", "attempts", "prompt_tokens", "completion_tokens"]

    def has_add_permission(self, request, obj=None):
        return False  # copy is written by generation, one per platform


class PostGraphicInline(admin.TabularInline):
    # No preview: graphics are served to members of the post's brand only, not to staff.
    model = PostGraphic
    verbose_name_plural = "Graphics"
    extra = 0
    can_delete = False
    fields = ["kind", "index", "layout", "source", "width", "height", "full", "alt_text", "created_at"]
    readonly_fields = ["kind", "index", "layout", "source", "width", "height", "full", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False  # graphics are drawn by generation


class PostEditInline(admin.TabularInline):
    """The post's history: read-only, as an audit trail must be."""

    model = PostEdit
    verbose_name_plural = "History (who changed what)"
    extra = 0
    can_delete = False
    fields = ["created_at", "user", "field", "platform", "before", "after", "note"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "brand",
        "trend_title",
        "post_format",
        "tone",
        "origin",
        "status",
        "variant_label",
        "generation_state",
        "created_at",
        "published_at",
    ]
    list_filter = [
        "status",
        ("brand", admin.RelatedOnlyFieldListFilter),
        "origin",
        "post_format",
        "generation_state",
        "explored",
        "created_at",
    ]
    search_fields = [
        "=id",
        "brand__name",
        "brand__slug",
        "trend__title",
        "copies__caption",
        "rejected_reason",
    ]
    list_select_related = ["brand", "trend"]
    date_hierarchy = "created_at"
    raw_id_fields = ["brand", "trend", "ab_parent"]
    # Status follows the state machine (the action below, or the app); who and when are audit.
    readonly_fields = [
        "status",
        "created_by",
        "created_at",
        "updated_at",
        "approved_by",
        "approved_at",
        "approval_state",
        "submitted_by",
        "submitted_at",
        "scheduled_for",
        "published_at",
        "generation_state",
        "generation_progress",
        "generation_stage",
        "learning_state",
        "learning_action",
        "explored",
    ]
    fieldsets = [
        (None, {"fields": ["brand", "trend", "post_format", "tone", "status", "rejected_reason"]}),
        ("A/B test", {"fields": ["ab_parent", "variant_label"], "classes": ["collapse"]}),
        (
            "Generation",
            {"fields": ["generation_state", "generation_progress", "generation_stage", "generation_error"]},
        ),
        ("Learning", {"fields": ["learning_state", "learning_action", "explored"], "classes": ["collapse"]}),
        (
            "Audit",
            {
                "fields": [
                    "created_by",
                    "created_at",
                    "updated_at",
                    "approved_by",
                    "approved_at",
                    "approval_state",
                    "submitted_by",
                    "submitted_at",
                    "scheduled_for",
                    "published_at",
                ]
            },
        ),
    ]
    inlines = [PostCopyInline, PostGraphicInline, PostEditInline]
    actions = ["return_to_draft"]

    @admin.display(description="Trend", ordering="trend__title")
    def trend_title(self, post: Post) -> str:
        return post.trend.title if post.trend_id else "—"

    def has_add_permission(self, request):
        return False  # posts are generated for a brand and a trend, not typed in

    def save_formset(self, request, form, formset, change):
        """A copy fixed here goes in the post's history, like an edit made in the app."""
        if formset.model is not PostCopy:
            return super().save_formset(request, form, formset, change)
        before = {
            f.instance.pk: {"parts": f.initial.get("parts"), "caption": f.initial.get("caption")}
            for f in formset.forms
            if f.instance.pk and f.has_changed()
        }
        super().save_formset(request, form, formset, change)
        for copy, _fields in formset.changed_objects:
            PostEdit.objects.create(
                post=copy.post,
                user=request.user,
                field="copy",
                platform=copy.platform,
                before=before.get(copy.pk),
                after={"parts": copy.parts, "caption": copy.caption},
                note="Changed by staff in the admin",
            )

    @admin.action(description="Return to draft (for another review)")
    def return_to_draft(self, request, queryset):
        moved = 0
        for post in queryset:
            try:
                post_transition(
                    post=post, to=PostStatus.DRAFT, user=request.user, note="returned to draft by staff"
                )
            except TransitionError as exc:
                messages.warning(request, f"Post {post.pk}: {' '.join(exc.messages)}")
            else:
                moved += 1
        if moved:
            messages.success(request, f"{moved} post(s) returned to draft.")
