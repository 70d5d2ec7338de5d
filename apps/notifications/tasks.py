"""Notification background work."""

import smtplib

from celery import shared_task

from .services import notification_email_send


@shared_task(
    name="notifications.email",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def notification_email_task(notification_id: int) -> bool:
    return notification_email_send(notification_id=notification_id)


@shared_task(name="notifications.purge_read", acks_late=True)
def notification_purge_read_task() -> int:
    from .services import notification_purge_read

    return notification_purge_read()
