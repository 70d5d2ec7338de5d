"""The JSON API: authentication, roles, brand isolation and JSON errors (never HTML, never 500)."""

import pytest
from django.urls import reverse

from apps.accounts import services as account_services
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(brand_user):
    return account_services.api_token_create(user=brand_user, name="tests")[1]


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_unauthenticated_request_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Authentication required" in response.json()["detail"]


def test_token_auth_identifies_the_user(client, brand_user, token):
    response = client.get("/api/v1/me", **bearer(token))
    assert response.status_code == 200
    assert response.json()["email"] == brand_user.email
    assert response.json()["role"] == "brand"


def test_session_auth_works_for_a_signed_in_browser(client, influencer):
    client.force_login(influencer)
    assert client.get("/api/v1/me").json()["role"] == "influencer"


def test_session_writes_require_the_csrf_token(influencer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(influencer)
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")


def test_wrong_role_is_403_json(client, influencer):
    raw = account_services.api_token_create(user=influencer, name="x")[1]
    response = client.get("/api/v1/brands", **bearer(raw))
    assert response.status_code == 403
    assert response.json()["detail"] == "This endpoint is for brand accounts."


def test_brand_list_shows_only_own_brands(client, brand, other_brand, token):
    names = [b["name"] for b in client.get("/api/v1/brands", **bearer(token)).json()]
    assert names == [brand.name]


def test_another_brand_is_404_not_403(client, other_brand, token):
    response = client.get(f"/api/v1/brands/{other_brand.pk}", **bearer(token))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_create_brand_via_api(client, token):
    response = client.post(
        "/api/v1/brands", {"name": "Acme"}, content_type="application/json", **bearer(token)
    )
    assert response.status_code == 201
    assert response.json()["slug"] == "acme"


@pytest.mark.parametrize(
    "body", ['{"name": ""}', "{}", '{"name": 5}', "not json", '{"name": "' + "x" * 200 + '"}']
)
def test_bad_input_is_a_4xx_with_a_message(client, token, body):
    response = client.post("/api/v1/brands", body, content_type="application/json", **bearer(token))
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_token_created_via_api_is_shown_once_and_revocable(client, token):
    created = client.post(
        "/api/v1/tokens", {"name": "second"}, content_type="application/json", **bearer(token)
    )
    assert created.status_code == 201
    raw = created.json()["token"]
    listed = client.get("/api/v1/tokens", **bearer(token)).json()
    assert all("token" not in t for t in listed)
    token_id = created.json()["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", **bearer(token)).json()["revoked_at"]
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401


def test_notifications_are_listed_paginated_and_marked_read(client, brand_user, token):
    NotificationFactory.create_batch(3, user=brand_user)
    NotificationFactory(title="not yours")
    body = client.get("/api/v1/notifications?limit=2", **bearer(token)).json()
    assert body["count"] == 3
    assert len(body["items"]) == 2
    first = body["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{first}/read", **bearer(token)).json()["read_at"]
    assert client.get("/api/v1/notifications?unread=true", **bearer(token)).json()["count"] == 2
    assert client.post("/api/v1/notifications/read-all", **bearer(token)).json() == {"marked_read": 2}


def test_another_users_notification_is_404(client, token):
    theirs = NotificationFactory()
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read", **bearer(token)).status_code == 404


def test_openapi_docs_are_served_without_a_cdn(client):
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    assert b"cdn." not in page.content
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/brands" in schema["paths"]
