"""OAuth tokens are encrypted before they reach the database; connected accounts are linked to the
brand the user was connecting for (or update an influencer's verified follower counts)."""

from __future__ import annotations

import logging

from allauth.socialaccount.models import SocialToken
from allauth.socialaccount.signals import social_account_added, social_account_updated
from django.db.models.signals import pre_save
from django.dispatch import receiver

from apps.core.crypto import encrypt

logger = logging.getLogger(__name__)

SESSION_CONNECT_BRAND = "connect_brand_id"
SESSION_CONNECT_RETURN = "connect_return_url"


@receiver(pre_save, sender=SocialToken)
def encrypt_social_token(sender, instance: SocialToken, **kwargs) -> None:
    instance.token = encrypt(instance.token)
    instance.token_secret = encrypt(instance.token_secret)


@receiver(social_account_added)
@receiver(social_account_updated)
def link_connected_account(sender, request, sociallogin, **kwargs) -> None:
    from apps.accounts.models import Role
    from apps.brands.connections import connection_link
    from apps.brands.models import Brand

    user, account = request.user, sociallogin.account
    if user.role == Role.BRAND:
        brand_id = request.session.pop(SESSION_CONNECT_BRAND, None)
        brand = Brand.objects.filter(pk=brand_id, memberships__user=user).first() if brand_id else None
        if brand is not None:
            connection_link(brand=brand, user=user, social_account=account)
    elif user.role == Role.INFLUENCER:
        from apps.collaborations.services import influencer_record_connected_account

        influencer_record_connected_account(user=user, social_account=account)
