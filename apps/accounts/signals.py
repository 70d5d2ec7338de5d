"""OAuth tokens are encrypted before they reach the database. What a connected account means to a
brand or an influencer is for those apps: they subscribe to allauth's social_account_added/updated
(apps.brands.receivers, apps.collaborations.receivers)."""

from __future__ import annotations

import logging

from allauth.socialaccount.models import SocialToken
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
