from django.contrib import admin

from .models import Brand, BrandMembership


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
