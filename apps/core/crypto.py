"""Encryption at rest for secrets kept in the database (OAuth tokens).

Keys come from TOKEN_ENCRYPTION_KEYS (Fernet keys, newest first; older ones still decrypt, so
keys can be rotated). Encrypted values carry a prefix, so plain values are recognised.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.TOKEN_ENCRYPTION_KEYS])


def is_encrypted(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt(value: str) -> str:
    if not value or is_encrypted(value):
        return value
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    """The plain value. Raises ValueError when no configured key opens it."""
    if not is_encrypted(value):
        return value
    try:
        return _fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ValueError("secret cannot be decrypted with the configured TOKEN_ENCRYPTION_KEYS") from None
