"""The brand's analytics and learning over the API: the page's numbers as JSON, 422 for a bad
period or dataset, 404 for another brand, and Train now."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from tests.analytics.analytics_data import NOW, published, trend
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory
from tests.learning.learning_factories import learning_brand
from tests.learning.learning_factories import published as rewarded

pytestmark = pytest.mark.django_db


def member_of(brand) -> Client:
    user = BrandUserFactory()
    MembershipFactory(brand=brand, user=user)
    client = Client()
    client.force_login(user)
    return client


def test_analytics_json_has_the_pages_numbers():
    brand = BrandFactory(timezone="Europe/Berlin")
    phone = trend("Phone ships")
    with time_machine.travel(NOW, tick=False):
        published(
            brand, at=NOW - timedelta(days=2), rate=0.04, reward=2.0, likes=20, impressions=500, topic=phone
        )
        published(
            brand, at=NOW - timedelta(days=3), rate=0.02, reward=1.0, likes=10, impressions=500, topic=phone
        )
        published(
            brand, at=NOW - timedelta(days=3), platform="sandbox", rate=0.09, reward=4.5, impressions=100
        )
        body = member_of(brand).get(f"/api/v1/brands/{brand.pk}/analytics?days=7&data=real").json()
    assert (body["days"], body["data"], body["bucket"], body["time_zone"]) == (
        7,
        "real",
        "day",
        "Europe/Berlin",
    )
    assert body["totals"]["posts"] == 2 and body["totals"]["impressions"] == 1000
    assert body["totals"]["engagement_rate"] == pytest.approx(0.03)
    assert body["totals"]["reward"] == pytest.approx(1.5)  # the sandbox post is not mixed in
    assert [p["platform"] for p in body["platforms"]] == ["x", "linkedin", "sandbox"]
    assert body["trends"][0]["label"] == "Phone ships" and body["trends"][0]["posts"] == 2
    assert sum(day["posts"] for day in body["over_time"]) == 2
    assert {h["platform"] for h in body["best_hours"]} == {"x", "linkedin"}
    x_hours = next(h for h in body["best_hours"] if h["platform"] == "x")
    assert sum(slot["posts"] for slot in x_hours["slots"]) == 2 and x_hours["suggestions"]
    assert body["frequency"]["trend"] in {"rising", "falling", "steady", "unknown"}


@pytest.mark.parametrize(
    ("query", "message"),
    [("days=5", "days: use one of 7, 30, 90."), ("data=fake", "data: use one of real, sandbox.")],
)
def test_a_bad_period_or_dataset_is_a_422_with_the_field(query, message):
    brand = BrandFactory()
    response = member_of(brand).get(f"/api/v1/brands/{brand.pk}/analytics?{query}")
    assert response.status_code == 422 and response.json()["detail"] == message


def test_another_brands_analytics_and_learning_are_not_found():
    mine, theirs = BrandFactory(), BrandFactory()
    client = member_of(mine)
    assert client.get(f"/api/v1/brands/{theirs.pk}/analytics").status_code == 404
    assert client.get(f"/api/v1/brands/{theirs.pk}/learning").status_code == 404
    assert client.post(f"/api/v1/brands/{theirs.pk}/learning/train").status_code == 404
    assert Client().get(f"/api/v1/brands/{mine.pk}/learning").status_code == 401


def test_learning_json_and_train_now():
    brand = learning_brand()
    client = member_of(brand)
    body = client.get(f"/api/v1/brands/{brand.pk}/learning").json()
    assert body["mode"] == "none" and body["runs"] == [] and body["exploration_rate"] == 0.15
    for _ in range(3):
        rewarded(brand, reward=2.0)
    body = client.post(f"/api/v1/brands/{brand.pk}/learning/train").json()
    assert body["mode"] == "bandit" and body["runs"][0]["status"] == "skipped"
    assert "training needs 10" in body["runs"][0]["reason"]
    for _ in range(7):
        rewarded(brand, reward=3.0)
    body = client.post(f"/api/v1/brands/{brand.pk}/learning/train").json()
    assert body["mode"] == "q" and body["posts_used"] == 10 and body["trained_at"]
    lesson = body["lessons"][0]
    assert lesson["action"] == {"tone": "witty", "platform": "x", "post_format": "thread"}
    assert lesson["average_reward"] == pytest.approx(2.7) and lesson["posts"] == 10
    assert (
        lesson["text"] == "Witty threads on X on product trends: average performance score 2.7 over 10 posts"
    )
    assert lesson["category"] == "product"
