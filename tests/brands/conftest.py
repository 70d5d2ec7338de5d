import pytest

from tests.fakes.oauth import FakeOAuthServer, oauth_env


@pytest.fixture(scope="session")
def fake_oauth_server():
    server = FakeOAuthServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_oauth(fake_oauth_server, settings, monkeypatch):
    """Settings (as the environment would give them) pointing allauth and our clients at the fake."""
    from allauth.socialaccount.providers.twitter_oauth2.views import TwitterOAuth2Adapter

    from project.settings import social_providers_config

    env = oauth_env(fake_oauth_server)
    for name, value in env.items():
        setattr(settings, name, value)
    settings.SOCIALACCOUNT_PROVIDERS = social_providers_config(
        env["X_CLIENT_ID"],
        env["X_CLIENT_SECRET"],
        env["LINKEDIN_CLIENT_ID"],
        env["LINKEDIN_CLIENT_SECRET"],
        env["LINKEDIN_OIDC_SERVER_URL"],
    )
    monkeypatch.setattr(TwitterOAuth2Adapter, "authorize_url", env["X_AUTHORIZE_URL"])
    monkeypatch.setattr(TwitterOAuth2Adapter, "access_token_url", f"{fake_oauth_server.url}/2/oauth2/token")
    monkeypatch.setattr(TwitterOAuth2Adapter, "profile_url", f"{fake_oauth_server.url}/2/users/me")
    fake_oauth_server.state.fail_next_token = None
    return fake_oauth_server
