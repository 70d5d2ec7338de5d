"""The shared vocabulary in templates: {{ platform|platform_label }} ("x" → "X")."""

from django import template

from apps.core import vocabulary

register = template.Library()

register.filter("platform_label", vocabulary.platform_label)
