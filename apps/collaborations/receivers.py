"""What collaborations does when something below it happens: an influencer's connected account
verifies their follower count (accounts, below collaborations, only sends allauth's signal)."""

from __future__ import annotations

from apps.accounts.models import Role

from .services import influencer_record_connected_account
from .services.accounts import influencer_accounts_sync


def record_influencer_connected_account(sender, request, sociallogin, **kwargs) -> None:
    """allauth's social_account_added/updated: copy a verified follower count to the profile, and
    make the account one reposts can go out from."""
    user = request.user
    if user.role == Role.INFLUENCER:
        profile = influencer_record_connected_account(user=user, social_account=sociallogin.account)
        if profile is not None:
            influencer_accounts_sync(profile=profile)
