from allauth.socialaccount.models import SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "display_name", "role", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser", "date_joined"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "role", "email_notifications"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "prefix", "user__email"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are issued by their owner, who must see the raw value once

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        from .services import api_token_revoke

        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token)


# OAuth tokens are secrets (stored encrypted); operators see connections, not tokens.
admin.site.unregister(SocialToken)
