from django.contrib import admin

from .models import Brand, BrandInvitation, BrandMembership, Industry, SocialConnection


class MembershipInline(admin.TabularInline):
    model = BrandMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_by", "created_at"]
    search_fields = ["name", "slug", "memberships__user__email"]
    list_filter = ["created_at"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["created_by"]
    inlines = [MembershipInline]


@admin.register(BrandMembership)
class BrandMembershipAdmin(admin.ModelAdmin):
    list_display = ["brand", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["brand__name", "user__email"]
    list_select_related = ["brand", "user"]
    raw_id_fields = ["brand", "user"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    """Operators add industries here; brands pick from the active ones."""

    list_display = ["name", "slug", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(BrandInvitation)
class BrandInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "brand", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = [
        "role",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "brand__name"]
    list_select_related = ["brand"]
    raw_id_fields = ["brand", "invited_by", "accepted_by"]
    exclude = ["token"]


@admin.register(SocialConnection)
class SocialConnectionAdmin(admin.ModelAdmin):
    list_display = [
        "brand",
        "platform",
        "handle",
        "status",
        "token_expires_at",
        "last_used_at",
        "last_refreshed_at",
    ]
    list_filter = ["platform", "status"]
    search_fields = ["handle", "display_name", "brand__name"]
    list_select_related = ["brand"]
    raw_id_fields = ["brand", "social_account", "connected_by"]
    readonly_fields = ["last_used_at", "last_refreshed_at", "last_error", "expiry_warned_at"]
