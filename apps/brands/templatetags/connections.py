"""Template helpers for social connections."""

from django import template

from apps.brands.connections import PROVIDER_IDS, connection_missing_settings
from apps.brands.models import Platform

register = template.Library()


@register.simple_tag
def connect_platforms() -> list[dict]:
    """Each connectable platform, whether it is configured, and what to set if not."""
    return [
        {"id": platform.value, "name": platform.label, "provider": PROVIDER_IDS[platform], "missing": missing}
        for platform in (Platform.X, Platform.LINKEDIN)
        for missing in [connection_missing_settings(platform)]
    ]
