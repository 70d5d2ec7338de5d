"""Personal API tokens: shown once, stored hashed, authenticate, revoked."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.accounts import services
from apps.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_is_stored_only_as_a_hash(brand_user):
    token, raw = services.api_token_create(user=brand_user, name="CI script")
    assert raw.startswith(f"smai_{token.prefix}_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().first())


def test_token_authenticates_its_user_and_records_use(brand_user):
    token, raw = services.api_token_create(user=brand_user, name="x")
    assert services.api_token_authenticate(raw=raw) == brand_user
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("raw", ["", "nonsense", "smai_deadbeef_wrong", "Bearer smai_a_b"])
def test_malformed_or_unknown_tokens_authenticate_nobody(brand_user, raw):
    services.api_token_create(user=brand_user, name="x")
    assert services.api_token_authenticate(raw=raw) is None


def test_a_token_with_the_right_prefix_but_wrong_secret_is_refused(brand_user):
    _token, raw = services.api_token_create(user=brand_user, name="x")
    assert services.api_token_authenticate(raw=raw[:-2] + "zz") is None


def test_revoked_token_no_longer_authenticates(brand_user):
    token, raw = services.api_token_create(user=brand_user, name="x")
    services.api_token_revoke(token=token)
    assert services.api_token_authenticate(raw=raw) is None


def test_token_of_an_inactive_user_is_refused(brand_user):
    _, raw = services.api_token_create(user=brand_user, name="x")
    brand_user.is_active = False
    brand_user.save()
    assert services.api_token_authenticate(raw=raw) is None


def test_blank_name_is_refused(brand_user):
    with pytest.raises(ValidationError):
        services.api_token_create(user=brand_user, name="   ")


def test_settings_page_shows_a_new_token_once(client, brand_user):
    client.force_login(brand_user)
    response = client.post(reverse("accounts:tokens"), {"name": "Zapier"})
    raw = response.context["new_token"]
    assert raw and raw.encode() in response.content
    again = client.get(reverse("accounts:tokens"))
    assert raw.encode() not in again.content
    assert b"Zapier" in again.content


def test_settings_page_shows_a_field_error_for_a_missing_name(client, brand_user):
    client.force_login(brand_user)
    response = client.post(reverse("accounts:tokens"), {"name": ""})
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_another_users_token_cannot_be_revoked(client, brand_user, influencer):
    token, _ = services.api_token_create(user=influencer, name="theirs")
    client.force_login(brand_user)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_profile_settings_are_saved(client, brand_user):
    client.force_login(brand_user)
    client.post(reverse("accounts:settings"), {"display_name": "  Dana  ", "email_notifications": ""})
    brand_user.refresh_from_db()
    assert brand_user.display_name == "Dana"
    assert brand_user.email_notifications is False
