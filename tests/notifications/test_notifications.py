"""Notifications: stored, emailed once, listed, marked read, pushed live; other users' are 404."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.notifications import services
from apps.notifications.models import Notification
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_a_notification_is_stored_and_emailed_after_commit(brand_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = services.notification_create(user=brand_user, title="Post published", url="/brand/")
        assert mail.outbox == []  # nothing leaves before the write is committed
    assert len(callbacks) == 2  # live push + email task
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[social-medAI] Post published"
    assert mail.outbox[0].to == [brand_user.email]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_email_is_sent_once_even_if_the_task_runs_twice(brand_user):
    notification = NotificationFactory(user=brand_user)
    assert services.notification_email_send(notification_id=notification.pk) is True
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_no_email_when_the_user_turned_emails_off(brand_user, django_capture_on_commit_callbacks):
    brand_user.email_notifications = False
    brand_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_create(user=brand_user, title="quiet")
    assert mail.outbox == []


def test_nothing_is_sent_for_a_rolled_back_notification(brand_user, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.notification_create(user=brand_user, title="never")
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists()


def test_list_page_shows_only_my_notifications(client, brand_user, django_assert_max_num_queries):
    NotificationFactory.create_batch(5, user=brand_user, title="mine")
    NotificationFactory(title="someone else's")
    client.force_login(brand_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notifications:list"))
    assert response.content.count(b"mine") == 5
    assert b"someone else" not in response.content


def test_empty_list_says_what_to_do(client, influencer):
    client.force_login(influencer)
    assert b"No notifications yet" in client.get(reverse("notifications:list")).content


def test_mark_read_with_htmx_returns_the_item_and_the_new_count(client, brand_user):
    notification = NotificationFactory(user=brand_user)
    NotificationFactory(user=brand_user)
    client.force_login(brand_user)
    response = client.post(reverse("notifications:read", args=[notification.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'id="unread-count"' in response.content
    assert b'data-count="1"' in response.content
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_another_users_notification_is_404(client, brand_user):
    theirs = NotificationFactory()
    client.force_login(brand_user)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(client, brand_user):
    NotificationFactory.create_batch(3, user=brand_user)
    client.force_login(brand_user)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(user=brand_user, read_at__isnull=True).exists()


def test_bell_count_is_on_every_page(client, brand_user):
    NotificationFactory.create_batch(2, user=brand_user)
    client.force_login(brand_user)
    assert b'data-count="2"' in client.get(reverse("accounts:settings")).content


def test_purge_deletes_old_read_notifications_only(brand_user):
    old = timezone.now() - timezone.timedelta(days=120)
    old_read = NotificationFactory(user=brand_user, read_at=old)
    old_unread = NotificationFactory(user=brand_user)
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]).update(created_at=old)
    assert services.notification_purge_read() == 1
    assert list(Notification.objects.all()) == [old_unread]


def test_admin_created_notification_goes_through_the_service(client, staff, brand_user):
    client.force_login(staff)
    response = client.post(
        reverse("admin:notifications_notification_add"),
        {"user": brand_user.pk, "level": "info", "title": "From ops", "body": "", "url": ""},
    )
    assert response.status_code == 302
    assert Notification.objects.get(title="From ops").user == brand_user
