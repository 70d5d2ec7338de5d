"""What brands does when something below it happens: an OAuth account a brand user connected
becomes that brand's connection (accounts, below brands, only sends allauth's signal)."""

from __future__ import annotations

from apps.accounts.models import Role
from apps.accounts.signals import SESSION_CONNECT_BRAND

from .connections import connection_link
from .models import Brand


def link_connected_account_to_brand(sender, request, sociallogin, **kwargs) -> None:
    """allauth's social_account_added/updated: link the account to the brand the user was
    connecting for (the id the connect view left in the session)."""
    user, account = request.user, sociallogin.account
    if user.role != Role.BRAND:
        return
    brand_id = request.session.pop(SESSION_CONNECT_BRAND, None)
    brand = Brand.objects.filter(pk=brand_id, memberships__user=user).first() if brand_id else None
    if brand is not None:
        connection_link(brand=brand, user=user, social_account=account)
