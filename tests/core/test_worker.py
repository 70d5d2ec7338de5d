"""A real Celery worker (on Redis in CI) runs the notification email task."""

import time

import pytest
from django.core import mail

from apps.notifications.services import notification_create
from tests.factories import BrandUserFactory


@pytest.mark.worker
def test_notification_email_is_sent_by_a_worker_not_the_request(real_worker):
    user = BrandUserFactory()
    notification_create(user=user, title="Sent by the worker")
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting on another thread's real work; nothing here to freeze
    assert [m.subject for m in mail.outbox] == ["[social-medAI] Sent by the worker"]
