"""Secrets at rest: encrypted with Fernet, recognisable, rotatable."""

import pytest
from cryptography.fernet import Fernet

from apps.core import crypto


@pytest.fixture(autouse=True)
def _reset_keys():
    crypto._fernet.cache_clear()
    yield
    crypto._fernet.cache_clear()


def test_round_trip_and_prefix():
    sealed = crypto.encrypt("access-token-123")
    assert sealed.startswith("fernet:") and "access-token-123" not in sealed
    assert crypto.decrypt(sealed) == "access-token-123"
    assert crypto.encrypt(sealed) == sealed  # never twice
    assert crypto.decrypt("plain") == "plain"


def test_old_key_still_decrypts_after_rotation(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    sealed = crypto.encrypt("secret")
    crypto._fernet.cache_clear()
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(sealed) == "secret"


def test_wrong_key_is_a_clear_error(settings):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    sealed = crypto.encrypt("secret")
    crypto._fernet.cache_clear()
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError, match="TOKEN_ENCRYPTION_KEYS"):
        crypto.decrypt(sealed)
