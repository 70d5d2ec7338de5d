"""seed_demo's back-dated history: no "just published" notification for it, and no INFO line per
replayed metrics fetch on the console of `make run`."""

import logging

import pytest
from django.core.management import call_command

from apps.brands.models import Brand
from apps.notifications.models import Notification
from apps.publishing.models import Publication
from apps.publishing.services import publications_notify_live_execute

pytestmark = pytest.mark.django_db


def test_the_back_dated_history_is_never_announced_as_just_published():
    call_command("seed_demo")
    brand = Brand.objects.get()
    publications_notify_live_execute(brand_id=brand.pk)  # the digest the first live post starts
    titles = list(Notification.objects.values_list("title", flat=True))
    # At most the two demo posts published now may be announced, never the weeks before them.
    assert not [t for t in titles if "posts are live" in t and int(t.split()[0]) > 2], titles
    assert not Publication.objects.filter(queued_by="time", live_notified=False).exists()


def test_the_replayed_metrics_fetches_log_no_line_each(caplog):
    with caplog.at_level(logging.INFO):
        call_command("seed_demo")
    assert not [r for r in caplog.records if r.getMessage().startswith("metrics fetch")]
    assert logging.getLogger("apps.analytics.services").level == logging.NOTSET  # put back
