"""django-allauth adapter: role at sign-up, portal redirects, and email sent through Celery."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from apps.core.tasks import email_send

from .access import portal_url_for


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # The role must be on the row from its first save (a database constraint says so).
        user.role = form.cleaned_data.get("role", "")
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request) -> str:
        return portal_url_for(request.user)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now (the request is here), send from a worker (SMTP never blocks a page)."""
        message = self.render_mail(template_prefix, email, context)
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
