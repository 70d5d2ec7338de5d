"""Site-wide Celery tasks."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def email_send(
    *, subject: str, body: str, to: list[str], from_email: str | None = None, html: str | None = None
):
    """Send one already-rendered email. Retries only transient SMTP and network errors."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


HEARTBEAT_CACHE_KEY = "core:worker-heartbeat"


@shared_task(name="core.heartbeat", acks_late=True, ignore_result=True)
def heartbeat() -> str:
    """Record that a worker ran a task sent by beat (read by /healthz)."""
    from django.core.cache import cache
    from django.utils import timezone

    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now
