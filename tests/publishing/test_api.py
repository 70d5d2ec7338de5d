"""The publishing API: publish, schedule in the brand's time (DST-correct) or at an instant,
queue, unschedule, retry, batch and calendar; another brand's objects are 404; errors are 4xx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.publishing.models import Publication, PublicationStatus
from tests.factories import BrandFactory

from .conftest import approved_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, owner):
    client.force_login(owner)
    return client


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_schedule_with_a_local_time_is_read_in_the_brands_time_zone(api, brand):
    post = approved_post(brand)
    response = post_json(api, f"/api/v1/posts/{post.pk}/schedule", {"at": "2027-01-12T09:00:00"})
    assert response.status_code == 200, response.content
    (publication,) = response.json()
    assert publication["scheduled_for"].startswith("2027-01-12T14:00:00")  # 09:00 EST is 14:00 UTC
    assert publication["is_sandbox"] and publication["status"] == "scheduled"


def test_schedule_in_summer_time_uses_the_summer_offset(api, brand):
    post = approved_post(brand)
    response = post_json(api, f"/api/v1/posts/{post.pk}/schedule", {"at": "2027-07-13T09:00:00"})
    assert response.json()[0]["scheduled_for"].startswith("2027-07-13T13:00:00")  # EDT is UTC−4


def test_a_local_time_the_clocks_skip_is_refused_in_plain_words(api, brand):
    post = approved_post(brand)
    response = post_json(api, f"/api/v1/posts/{post.pk}/schedule", {"at": "2027-03-14T02:30:00"})
    assert response.status_code == 422
    assert "does not exist" in response.json()["detail"]
    assert not Publication.objects.exists()


def test_schedule_with_an_offset_is_that_instant(api, brand):
    post = approved_post(brand)
    response = post_json(api, f"/api/v1/posts/{post.pk}/schedule", {"at": "2027-01-12T09:00:00+01:00"})
    assert response.json()[0]["scheduled_for"].startswith("2027-01-12T08:00:00")


def test_a_past_time_is_a_422_with_the_reason(api, brand):
    post = approved_post(brand)
    response = post_json(api, f"/api/v1/posts/{post.pk}/schedule", {"at": "2020-01-01T09:00:00Z"})
    assert response.status_code == 422 and "already passed" in response.json()["detail"]


def test_publish_now_answers_202_with_the_publications(api, brand):
    response = post_json(api, f"/api/v1/posts/{approved_post(brand).pk}/publish")
    assert response.status_code == 202
    assert response.json()[0]["queued_by"] == "now"


def test_another_brands_post_is_404_everywhere(api):
    foreign = approved_post(BrandFactory())
    for path in ("publish", "schedule", "queue", "unschedule"):
        response = post_json(api, f"/api/v1/posts/{foreign.pk}/{path}", {"at": "2027-01-12T09:00:00"})
        assert response.status_code == 404, path
    assert api.get(f"/api/v1/posts/{foreign.pk}/publications").status_code == 404


def test_another_brands_publication_cannot_be_retried(api, owner):
    from apps.publishing import services

    other = BrandFactory()
    post = approved_post(other)
    (publication,) = services.post_schedule(post=post, user=owner, at=timezone.now() + timedelta(hours=1))
    Publication.objects.filter(pk=publication.pk).update(status=PublicationStatus.FAILED)
    assert post_json(api, f"/api/v1/publications/{publication.pk}/retry").status_code == 404


def test_another_brands_calendar_and_batch_are_404(api):
    other = BrandFactory()
    assert api.get(f"/api/v1/brands/{other.pk}/calendar?start=2027-01-01&end=2027-01-08").status_code == 404
    response = post_json(
        api, f"/api/v1/brands/{other.pk}/posts/batch", {"action": "publish", "post_ids": [1]}
    )
    assert response.status_code == 404


def test_batch_queues_many_posts_and_says_why_one_could_not(api, brand):
    good = [approved_post(brand), approved_post(brand)]
    rejected = approved_post(brand)
    rejected.status = "rejected"
    rejected.save()
    response = post_json(
        api,
        f"/api/v1/brands/{brand.pk}/posts/batch",
        {"action": "queue", "post_ids": [p.pk for p in good] + [rejected.pk]},
    )
    body = response.json()
    assert response.status_code == 200
    assert sorted(body["done"]) == sorted(p.pk for p in good)
    assert body["failed"][0]["post_id"] == rejected.pk and "cannot be scheduled" in body["failed"][0]["error"]
    assert "2 posts added to the queue" in body["summary"]
    times = list(Publication.objects.order_by("scheduled_for").values_list("scheduled_for", flat=True))
    assert len(times) == 2 and times[0] != times[1]  # each takes its own slot


def test_batch_approves_drafts_on_the_way_to_publishing(api, brand):
    draft = approved_post(brand)
    draft.status = "draft"
    draft.save()
    response = post_json(
        api,
        f"/api/v1/brands/{brand.pk}/posts/batch",
        {"action": "schedule", "post_ids": [draft.pk], "at": "2027-02-02T10:00:00"},
    )
    assert response.json()["done"] == [draft.pk]
    draft.refresh_from_db()
    assert draft.status == "scheduled" and draft.approved_by is not None


def test_an_unknown_batch_action_is_a_422(api, brand):
    response = post_json(api, f"/api/v1/brands/{brand.pk}/posts/batch", {"action": "delete", "post_ids": [1]})
    assert (
        response.status_code == 422
        and "approve, reject, schedule, queue or publish" in response.json()["detail"]
    )


def test_the_calendar_lists_publications_in_the_range(api, brand, owner):
    from apps.publishing import services

    post = approved_post(brand)
    services.post_schedule(post=post, user=owner, at=timezone.now() + timedelta(days=2))
    start = timezone.now().date().isoformat()
    end = (timezone.now() + timedelta(days=7)).date().isoformat()
    response = api.get(f"/api/v1/brands/{brand.pk}/calendar?start={start}&end={end}")
    assert response.status_code == 200 and [p["post_id"] for p in response.json()] == [post.pk]


def test_a_calendar_range_over_92_days_is_refused(api, brand):
    response = api.get(f"/api/v1/brands/{brand.pk}/calendar?start=2027-01-01&end=2027-12-31")
    assert response.status_code == 422
