"""Connecting X and LinkedIn through the real allauth flow against a local fake of their OAuth
servers; tokens encrypted at rest; refresh with rotation under a lock; expiry warnings."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.db import connection as db_connection
from django.urls import reverse
from django.utils import timezone

from apps.brands import connections
from apps.brands.models import ConnectionStatus, Platform, SocialConnection
from apps.core.crypto import decrypt, is_encrypted
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def authorize(client, brand, platform, decision="approve", next_url=None):
    """Press Connect, approve (or cancel) on the fake consent page, follow the callback."""
    start = client.post(
        reverse("connections:connect", args=[brand.pk, platform]),
        {"next": next_url or f"/brand/{brand.pk}/settings/"},
    )
    assert start.status_code == 302, start.content
    authorize_url = urlparse(start.url)
    query = {k: v[0] for k, v in parse_qs(authorize_url.query).items()}
    consent = httpx.post(
        start.url.split("?")[0],
        data={**query, "platform": platform, "decision": decision},
        follow_redirects=False,
    )
    assert consent.status_code == 302, consent.text
    callback = urlparse(consent.headers["location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_connect_x_links_the_account_to_the_brand(client, brand_user, brand, fake_oauth):
    client.force_login(brand_user)
    response = authorize(client, brand, "x")
    assert response.status_code == 302
    assert response.url == f"/brand/{brand.pk}/settings/"
    link = SocialConnection.objects.get(brand=brand, platform=Platform.X)
    assert link.handle == "northwind"
    assert link.status == ConnectionStatus.CONNECTED
    assert link.token_expires_at > timezone.now()
    # PKCE: the token request carried the verifier
    assert fake_oauth.state.token_requests[-1]["code_verifier"]


def test_tokens_are_encrypted_at_rest(client, brand_user, brand, fake_oauth):
    client.force_login(brand_user)
    authorize(client, brand, "x")
    token = SocialToken.objects.get(account__provider="twitter_oauth2")
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT token, token_secret FROM socialaccount_socialtoken WHERE id = %s", [token.pk])
        raw_token, raw_secret = cursor.fetchone()
    assert is_encrypted(raw_token) and is_encrypted(raw_secret)
    assert decrypt(raw_token) in fake_oauth.state.access_tokens


def test_connect_linkedin_through_openid_connect(client, brand_user, brand, fake_oauth):
    client.force_login(brand_user)
    response = authorize(client, brand, "linkedin")
    assert response.status_code == 302
    link = SocialConnection.objects.get(brand=brand, platform=Platform.LINKEDIN)
    assert link.handle == "dana@northwind.example"
    assert link.display_name == "Dana Northwind"
    assert link.token_expires_at > timezone.now() + timedelta(days=50)


def test_cancelling_on_the_consent_page_changes_nothing_and_says_so(client, brand_user, brand, fake_oauth):
    client.force_login(brand_user)
    response = authorize(client, brand, "x", decision="cancel")
    assert response.status_code == 302
    assert response.url == f"/brand/{brand.pk}/settings/"
    assert not SocialAccount.objects.exists()
    assert not brand.connections.exclude(platform=Platform.SANDBOX).exists()
    page = client.get(response.url, follow=True)
    assert b"cancelled" in page.content


def test_provider_error_on_token_exchange_leaves_no_half_made_connection(
    client, brand_user, brand, fake_oauth
):
    client.force_login(brand_user)
    fake_oauth.state.fail_next_token = (503, {"title": "Service Unavailable", "status": 503})
    response = authorize(client, brand, "x")
    assert response.status_code == 302
    assert not SocialAccount.objects.exists()
    assert not SocialConnection.objects.filter(platform=Platform.X).exists()
    assert b"did not connect" in client.get(response.url, follow=True).content


def test_unconfigured_platform_explains_which_variables_to_set(client, brand_user, brand, settings):
    settings.X_CLIENT_ID = ""
    client.force_login(brand_user)
    page = client.get(reverse("connections:list", args=[brand.pk]))
    assert b"X_CLIENT_ID" in page.content
    response = client.post(reverse("connections:connect", args=[brand.pk, "x"]), follow=True)
    assert b"set X_CLIENT_ID and X_CLIENT_SECRET" in response.content


def test_another_brands_connections_are_404(client, brand_user, other_brand, fake_oauth):
    client.force_login(brand_user)
    assert client.get(reverse("connections:list", args=[other_brand.pk])).status_code == 404
    assert client.post(reverse("connections:connect", args=[other_brand.pk, "x"])).status_code == 404
    sandbox = other_brand.connections.get()
    assert (
        client.post(reverse("connections:disconnect", args=[other_brand.pk, sandbox.pk])).status_code == 404
    )


def consent_and_callback(client, start_url, platform="x"):
    query = {k: v[0] for k, v in parse_qs(urlparse(start_url).query).items()}
    consent = httpx.post(start_url.split("?")[0], data={**query, "platform": platform, "decision": "approve"})
    callback = urlparse(consent.headers["location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_oauth_cannot_be_used_to_sign_in(client, fake_oauth):
    start = client.post("/accounts/twitter_oauth2/login/")
    assert start.status_code == 302
    response = consent_and_callback(client, start.url)
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()


def connected_x(client, brand_user, brand):
    client.force_login(brand_user)
    authorize(client, brand, "x")
    return SocialConnection.objects.get(brand=brand, platform=Platform.X)


def expire(link):
    SocialToken.objects.filter(account=link.social_account).update(
        expires_at=timezone.now() + timedelta(minutes=1)
    )


def test_refresh_rotates_the_single_use_refresh_token(client, brand_user, brand, fake_oauth):
    link = connected_x(client, brand_user, brand)
    old_refresh = decrypt(SocialToken.objects.get(account=link.social_account).token_secret)
    expire(link)
    access = connections.connection_access_token(connection=link)
    token = SocialToken.objects.get(account=link.social_account)
    assert access in fake_oauth.state.access_tokens
    assert decrypt(token.token_secret) != old_refresh
    assert old_refresh not in fake_oauth.state.refresh_tokens  # spent
    link.refresh_from_db()
    assert link.last_refreshed_at is not None and link.last_used_at is not None


def test_a_fresh_token_is_not_refreshed(client, brand_user, brand, fake_oauth):
    link = connected_x(client, brand_user, brand)
    before = len(fake_oauth.state.token_requests)
    connections.connection_access_token(connection=link)
    assert len(fake_oauth.state.token_requests) == before


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(client, brand_user, brand, fake_oauth):
    from concurrent.futures import ThreadPoolExecutor

    if db_connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs it)")
    link = connected_x(client, brand_user, brand)
    expire(link)
    before = len([r for r in fake_oauth.state.token_requests if r.get("grant_type") == "refresh_token"])

    def worker():
        from django.db import connection as thread_connection

        try:
            fresh = SocialConnection.objects.get(pk=link.pk)
            return connections.connection_access_token(connection=fresh)
        finally:
            thread_connection.close()

    with ThreadPoolExecutor(2) as pool:
        tokens = list(pool.map(lambda _: worker(), range(2)))
    refreshes = [r for r in fake_oauth.state.token_requests if r.get("grant_type") == "refresh_token"]
    assert len(refreshes) - before == 1
    assert tokens[0] == tokens[1]
    link.refresh_from_db()
    assert link.status == ConnectionStatus.CONNECTED


def test_a_revoked_refresh_token_asks_the_owner_to_reconnect(client, brand_user, brand, fake_oauth):
    link = connected_x(client, brand_user, brand)
    fake_oauth.state.refresh_tokens.clear()  # revoked at X
    expire(link)
    connections.connection_refresh(connection=link)
    link.refresh_from_db()
    assert link.status == ConnectionStatus.NEEDS_RECONNECT
    assert "invalid" in link.last_error
    assert Notification.objects.filter(user=brand_user, title__startswith="Reconnect X").exists()


def test_linkedin_owner_is_warned_7_days_before_expiry_once(client, brand_user, brand, fake_oauth):
    client.force_login(brand_user)
    authorize(client, brand, "linkedin")
    link = SocialConnection.objects.get(platform=Platform.LINKEDIN)
    assert connections.connections_warn_expiring() == 0
    SocialConnection.objects.filter(pk=link.pk).update(token_expires_at=timezone.now() + timedelta(days=6))
    assert connections.connections_warn_expiring() == 1
    assert connections.connections_warn_expiring() == 0
    assert Notification.objects.filter(user=brand_user, title__contains="expires on").count() == 1


def test_disconnect_removes_the_account_and_its_tokens(client, brand_user, brand, fake_oauth):
    link = connected_x(client, brand_user, brand)
    response = client.post(reverse("connections:disconnect", args=[brand.pk, link.pk]))
    assert response.status_code == 302
    assert not SocialConnection.objects.filter(pk=link.pk).exists()
    assert not SocialToken.objects.exists()


def test_sandbox_cannot_be_disconnected(client, brand_user, brand):
    client.force_login(brand_user)
    sandbox = brand.connections.get(platform=Platform.SANDBOX)
    client.post(reverse("connections:disconnect", args=[brand.pk, sandbox.pk]))
    assert SocialConnection.objects.filter(pk=sandbox.pk).exists()


def test_import_voice_samples_from_the_linked_x_account(client, brand_user, brand, fake_oauth):
    link = connected_x(client, brand_user, brand)
    client.post(reverse("connections:import_voice", args=[brand.pk, link.pk]))
    brand.refresh_from_db()
    assert brand.voice_samples == fake_oauth.state.x_tweets[:5]
    assert brand.voice_profile["top_hashtags"][0] == "#fintech"


def test_influencer_connecting_x_gets_a_verified_follower_count(client, influencer, fake_oauth):
    from apps.collaborations.models import InfluencerProfile

    client.force_login(influencer)
    # Influencers start the same OAuth flow from allauth's connections page (process=connect).
    start = client.post("/accounts/twitter_oauth2/login/?process=connect")
    assert start.status_code == 302, start.content
    consent_and_callback(client, start.url)
    profile = InfluencerProfile.objects.get(user=influencer)
    assert profile.follower_counts["x"] == {**profile.follower_counts["x"], "count": 4210, "verified": True}


class _VoicePublisher:
    """A stand-in X client: the voice import asks the social interface, not X's module."""

    platform = "x"

    def latest_posts(self, *, account, count=5):
        return [f"Said by {account.user_id}"]


def test_the_voice_import_asks_the_platform_s_client_through_the_social_interface(
    client, brand_user, brand, fake_oauth, settings
):
    link = connected_x(client, brand_user, brand)
    settings.SOCIAL_PUBLISHERS = {**settings.SOCIAL_PUBLISHERS, "x": f"{__name__}._VoicePublisher"}

    posts = connections.brand_import_voice_from_x(brand=brand, connection=link)

    assert posts == [f"Said by {link.social_account.uid}"]
    brand.refresh_from_db()
    assert brand.voice_samples == posts
