from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # allauth's X adapter has its endpoints as class attributes; point them at the configured
        # hosts (the real ones by default, a local fake server in tests).
        from allauth.socialaccount.providers.twitter_oauth2.views import TwitterOAuth2Adapter
        from django.conf import settings

        from . import signals  # noqa: F401 (registers the receivers)

        TwitterOAuth2Adapter.authorize_url = settings.X_AUTHORIZE_URL
        TwitterOAuth2Adapter.access_token_url = f"{settings.X_API_BASE_URL}/2/oauth2/token"
        TwitterOAuth2Adapter.profile_url = f"{settings.X_API_BASE_URL}/2/users/me"
