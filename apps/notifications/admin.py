from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "level", "created_at", "read_at", "emailed_at"]
    list_filter = [
        "level",
        ("read_at", admin.EmptyFieldListFilter),
        ("emailed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["title", "body", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "emailed_at"]

    def save_model(self, request, obj, form, change):
        # A notification an operator adds goes through the service, so it is pushed and emailed.
        if change:
            return super().save_model(request, obj, form, change)
        from .services import notification_create

        created = notification_create(
            user=obj.user, title=obj.title, body=obj.body, url=obj.url, level=obj.level
        )
        obj.pk = created.pk
