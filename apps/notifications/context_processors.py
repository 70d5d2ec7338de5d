"""The notification bell's unread count, on every page of a signed-in user (one query)."""

from django.utils.functional import SimpleLazyObject

from .selectors import notification_unread_count


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: notification_unread_count(user=user))}
