"""Publications in the admin, with their attempts, and the retry action."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.publishing import services
from apps.publishing.models import Publication, PublicationStatus, PublishAttempt

from .conftest import approved_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(brand, owner):
    (publication,) = services.post_schedule(
        post=approved_post(brand), user=owner, at=timezone.now() + timedelta(hours=1)
    )
    PublishAttempt.objects.create(
        publication=publication, outcome="network", error="X did not answer", started_at=timezone.now()
    )
    Publication.objects.filter(pk=publication.pk).update(
        status=PublicationStatus.FAILED, last_error="X did not answer"
    )
    return publication


def test_staff_see_publications_and_their_attempts(client, staff, failed):
    client.force_login(staff)
    assert client.get(reverse("admin:publishing_publication_changelist")).status_code == 200
    page = client.get(reverse("admin:publishing_publication_change", args=[failed.pk]))
    assert page.status_code == 200 and b"X did not answer" in page.content


def test_the_retry_action_puts_failed_publications_back_on_the_schedule(client, staff, failed):
    client.force_login(staff)
    client.post(
        reverse("admin:publishing_publication_changelist"),
        {"action": "retry_failed", "_selected_action": [failed.pk]},
    )
    failed.refresh_from_db()
    assert failed.status == PublicationStatus.SCHEDULED and failed.due_at <= timezone.now()
