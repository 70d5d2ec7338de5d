"""django-allauth adapter: role at sign-up, portal redirects, and email sent through Celery."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthError, AuthProcess
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect

from apps.core.tasks import email_send

from .access import portal_url_for
from .signals import SESSION_CONNECT_BRAND, SESSION_CONNECT_RETURN

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmailSite:
    """What allauth's email templates read as `current_site` (the sites framework is not used)."""

    name: str
    domain: str


def email_site() -> EmailSite:
    """The product's name and the host of SITE_URL, for the text of account emails."""
    return EmailSite(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # The role must be on the row from its first save (a database constraint says so).
        user.role = form.cleaned_data.get("role", "")
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request) -> str:
        return portal_url_for(request.user)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now (the request is here), send from a worker (SMTP never blocks a page)."""
        # allauth's own send_mail puts the site in the context; this override replaces it, and
        # without it the emails read "register an account on ." (name and domain empty).
        message = self.render_mail(template_prefix, email, {"current_site": email_site(), **context})
        html = next(
            (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), None
        )
        payload = {
            "subject": message.subject,
            "body": message.body,
            "to": list(message.to),
            "from_email": message.from_email,
            "html": html,
        }
        transaction.on_commit(lambda: email_send.delay(**payload))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Social accounts are connected to a signed-in user for publishing; they never sign anyone in."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        if not request.user.is_authenticated or sociallogin.state.get("process") != AuthProcess.CONNECT:
            messages.error(
                request,
                "Sign in with your email and password, then connect X or LinkedIn from your brand or profile.",
            )
            raise ImmediateHttpResponse(redirect("account_login"))

    def get_connect_redirect_url(self, request, socialaccount) -> str:
        provider = socialaccount.get_provider(request)
        messages.success(request, f"{provider.name} account connected.")
        return request.session.pop(SESSION_CONNECT_RETURN, None) or portal_url_for(request.user)

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """Cancelled or failed OAuth: say so where the user started, and keep nothing half-made."""
        request.session.pop(SESSION_CONNECT_BRAND, None)
        back = request.session.pop(SESSION_CONNECT_RETURN, None) or portal_url_for(request.user)
        # LinkedIn reports a cancel as user_cancelled_authorize / user_cancelled_login, not access_denied.
        if error == AuthError.CANCELLED or request.GET.get("error", "").startswith("user_cancelled"):
            messages.info(request, f"Connecting {provider.name} was cancelled. Nothing was changed.")
        else:
            detail = f" ({exception})" if exception else ""
            messages.error(request, f"{provider.name} did not connect{detail}. Please try again.")
            logger.warning("OAuth error from %s: %s %s", provider.id, error, exception)
        raise ImmediateHttpResponse(redirect(back))
