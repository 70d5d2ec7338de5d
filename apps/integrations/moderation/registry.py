"""Which moderator checks text: a dotted path in settings.MODERATOR (the local word list by default)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Moderator


@cache
def _moderator(path: str) -> Moderator:
    return import_string(path)()


def moderator() -> Moderator:
    return _moderator(settings.MODERATOR)


def offensive_words(text: str) -> list[str]:
    """The offensive words found in `text` by the configured moderator (post copy, meme captions)."""
    return moderator().offensive_words(text)
