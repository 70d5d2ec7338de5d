"""Notification actions: create (then push live and email after commit), mark read, email once."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import User

from . import events
from .models import Level, Notification


def notification_create(
    *, user: User, title: str, body: str = "", url: str = "", level: str = Level.INFO
) -> Notification:
    """Store a notification; after commit, push it to open pages and queue its email."""
    from .tasks import notification_email_task

    notification = Notification.objects.create(
        user=user, title=title[:200], body=body, url=url[:500], level=level
    )
    transaction.on_commit(lambda: events.notification_push(notification))
    if user.email_notifications and user.email:
        transaction.on_commit(lambda: notification_email_task.delay(notification.pk))
    return notification


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now()
    )


@transaction.atomic
def notification_email_send(*, notification_id: int) -> bool:
    """Email a notification once. Safe to run twice: the row lock and emailed_at say if it went."""
    notification = (
        Notification.objects.select_for_update().select_related("user").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    user = notification.user
    if not (user.is_active and user.email and user.email_notifications):
        return False
    context = {"notification": notification, "user": user, "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=f"[social-medAI] {notification.title}",
        body=render_to_string("notifications/email/notification.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    message.send()
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at", "updated_at"])
    return True


READ_RETENTION_DAYS = 90


def notification_purge_read(*, older_than_days: int = READ_RETENTION_DAYS) -> int:
    """Delete read notifications older than the retention period; unread ones are kept."""
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted
