"""The posts API: generate, list, get, update, approve, reject; another brand's post is 404."""

import json

import pytest

from apps.brands.models import BrandMembership
from tests.factories import BrandFactory, BrandUserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def member(client, brand):
    user = BrandUserFactory()
    BrandMembership.objects.create(brand=brand, user=user, role="owner")
    client.force_login(user)
    return user


def _generate(client, brand, trend, **body):
    return client.post(
        f"/api/v1/brands/{brand.pk}/posts",
        json.dumps({"trend_id": trend.pk, **body}),
        content_type="application/json",
    )


def test_generate_then_edit_then_approve(client, member, brand, trend, fake_llm):
    fake_llm.reply(json.dumps({"parts": ["Ten-second euro transfers are live. What changes for you?"]}))
    response = _generate(client, brand, trend, platforms=["x"], post_format="post", tone="bold")
    assert response.status_code == 202
    post = response.json()
    assert post["generation_state"] == "ready"  # eager in tests; a worker in production
    assert post["copies"][0]["source"] == "llm" and post["graphics"][0]["url"]
    url = f"/api/v1/posts/{post['id']}"
    too_long = client.patch(
        f"{url}/copy", json.dumps({"platform": "x", "parts": ["y" * 300]}), content_type="application/json"
    )
    assert too_long.status_code == 200  # a draft may be over the limit while it is being edited…
    refused = client.post(f"{url}/approve")
    assert refused.status_code == 422 and "280" in refused.json()["detail"]  # …but cannot be approved
    client.patch(
        f"{url}/copy",
        json.dumps({"platform": "x", "parts": ["Short and sweet."]}),
        content_type="application/json",
    )
    approved = client.post(f"{url}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    listed = client.get(f"/api/v1/brands/{brand.pk}/posts?status=approved&platform=x").json()
    assert [p["id"] for p in listed["items"]] == [post["id"]]


def test_reject_needs_a_reason(client, member, brand, trend, fake_llm):
    post = _generate(client, brand, trend, platforms=["linkedin"], post_format="post").json()
    url = f"/api/v1/posts/{post['id']}/reject"
    assert client.post(url, json.dumps({"reason": " "}), content_type="application/json").status_code == 422
    rejected = client.post(url, json.dumps({"reason": "Too salesy"}), content_type="application/json").json()
    assert rejected["status"] == "rejected" and rejected["rejected_reason"] == "Too salesy"
    again = client.post(f"/api/v1/posts/{post['id']}/approve")
    assert again.status_code == 422 and "rejected" in again.json()["detail"]


def test_bad_input_is_a_4xx_with_a_message(client, member, brand, trend):
    assert _generate(client, brand, trend, platforms=["myspace"]).status_code == 422
    assert _generate(client, brand, trend, tone="angry").status_code == 422
    missing = client.post(f"/api/v1/brands/{brand.pk}/posts", json.dumps({}), content_type="application/json")
    assert missing.status_code == 422


def test_another_brands_posts_are_404(client, member, brand, trend, fake_llm):
    other = BrandFactory()
    outsider = BrandUserFactory()
    BrandMembership.objects.create(brand=other, user=outsider, role="owner")
    post = _generate(client, brand, trend, platforms=["x"]).json()
    client.force_login(outsider)
    assert client.get(f"/api/v1/posts/{post['id']}").status_code == 404
    assert client.post(f"/api/v1/posts/{post['id']}/approve").status_code == 404
    assert client.get(f"/api/v1/brands/{brand.pk}/posts").status_code == 404
    assert _generate(client, brand, trend).status_code == 404
