"""Which client publishes to which platform: a dotted path per platform in settings.SOCIAL_PUBLISHERS."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import SocialPublisher


@cache
def _publisher(path: str) -> SocialPublisher:
    return import_string(path)()


def publisher_for(platform: str) -> SocialPublisher:
    try:
        path = settings.SOCIAL_PUBLISHERS[platform]
    except KeyError:
        raise ValueError(f"No publisher is configured for {platform!r}.") from None
    return _publisher(path)
