"""Sandbox test helpers: posts made through the service at a chosen time, small images, a
signed-in member of the brand."""

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from apps.integrations.social.base import PublishAccount
from apps.sandbox.services import sandbox_media_upload, sandbox_post_create

# A Tuesday, 10:00 in UTC.
POSTED = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def member(client, brand, brand_user):
    client.force_login(brand_user)
    return brand_user


@pytest.fixture
def account(brand):
    return PublishAccount(access_token="", user_id=brand.slug, handle=brand.slug, brand_id=brand.pk)


def png_bytes(size=(64, 48), color=(79, 70, 229)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def make_post(brand, text="Hello from the sandbox", *, now=POSTED, images=0, **kwargs):
    media_ids = [
        sandbox_media_upload(
            brand_id=brand.pk, data=png_bytes(), mime="image/png", alt_text=f"Image {i + 1}"
        ).external_id
        for i in range(images)
    ]
    kwargs.setdefault("meta", {"tone": "witty", "post_format": "post", "trend_momentum": 0.4})
    return sandbox_post_create(brand_id=brand.pk, text=text, media_ids=media_ids, now=now, **kwargs)
