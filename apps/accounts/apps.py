from allauth.account.apps import AccountConfig as AllauthAccountConfig
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default = True  # this module holds other AppConfigs too (allauth's, below)
    name = "apps.accounts"
    label = "accounts"
    # Not "Accounts": allauth's app is called that too, and the admin index showed two sections
    # of the same name.
    verbose_name = "Users and API tokens"

    def ready(self) -> None:
        # allauth's X adapter has its endpoints as class attributes; point them at the configured
        # hosts (the real ones by default, a local fake server in tests).
        from allauth.socialaccount.providers.twitter_oauth2.views import TwitterOAuth2Adapter
        from django.conf import settings

        from . import signals  # noqa: F401 (registers the receivers)

        TwitterOAuth2Adapter.authorize_url = settings.X_AUTHORIZE_URL
        TwitterOAuth2Adapter.access_token_url = f"{settings.X_API_BASE_URL}/2/oauth2/token"
        TwitterOAuth2Adapter.profile_url = f"{settings.X_API_BASE_URL}/2/users/me"


class SignInEmailsConfig(AllauthAccountConfig):
    """allauth's account app (its email addresses) under a name that says what it holds."""

    verbose_name = "Sign-in email addresses"
