"""Notification reads."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.accounts.models import User

from .models import Notification


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_get(*, user: User, notification_id: int) -> Notification:
    """One of the user's notifications; anybody else's is not found."""
    return get_object_or_404(Notification, pk=notification_id, user=user)
