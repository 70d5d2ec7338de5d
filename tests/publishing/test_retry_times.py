"""A retry time the worker writes for the publish panel is on the brand's clock, with its zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from apps.publishing import services
from apps.publishing.models import Publication, PublicationStatus

from .conftest import approved_post

pytestmark = pytest.mark.django_db

# 7 Dec 2026, 17:00 UTC is 12:00 in New York (EST).
NOON_IN_NEW_YORK = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)


def test_a_rate_limit_retry_time_is_given_on_the_brands_clock(brand, owner, x_account, fake_x, run_due):
    with time_machine.travel(NOON_IN_NEW_YORK, tick=False):
        post = approved_post(brand)
        at = NOON_IN_NEW_YORK + timedelta(minutes=1)
        services.post_schedule(post=post, user=owner, at=at, connection_ids=[x_account.pk])
        fake_x.fail_next("429")
        run_due(at)
    publication = Publication.objects.get(post=post)
    assert publication.status == PublicationStatus.SCHEDULED
    assert publication.last_error.endswith("retrying at 12:16 EST.")  # 17:16 UTC
