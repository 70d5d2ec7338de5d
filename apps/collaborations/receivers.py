"""What collaborations does when something below it happens: an influencer's connected account
verifies their follower count (accounts, below collaborations, only sends allauth's signal)."""

from __future__ import annotations

from apps.accounts.models import Role

from .services import influencer_record_connected_account


def record_influencer_connected_account(sender, request, sociallogin, **kwargs) -> None:
    """allauth's social_account_added/updated: copy a verified follower count to the profile."""
    user = request.user
    if user.role == Role.INFLUENCER:
        influencer_record_connected_account(user=user, social_account=sociallogin.account)
