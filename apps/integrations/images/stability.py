"""Backgrounds from Stability AI's Stable Image Core (REST v2beta), with our own type over them.

POST {STABILITY_BASE_URL}/v2beta/stable-image/generate/core as multipart/form-data (prompt,
negative_prompt, aspect_ratio, output_format=png), `Authorization: Bearer <STABILITY_API_KEY>`
and `Accept: image/*`; a 200 is the image's bytes, with `finish-reason` (SUCCESS or
CONTENT_FILTERED) and `seed` headers. Errors are JSON: {"id", "name", "errors": [...]} with 400,
401, 403 (content moderation), 413, 422, 429 (rate limit: 150 requests in 10 s) and 5xx.

The image API only paints the background: the headline, brand name and logo are drawn by the
template renderer ("photo" layout), so text and brand colours come out right. No retries here:
graphic_generate() falls back to the template graphic at once, and a task may try again later.
"""

from __future__ import annotations

import io
import logging
import time
import warnings
from urllib.parse import urlparse

import httpx
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from apps.integrations.http import ServiceError, retry_after_seconds, send
from apps.integrations.models import ApiCall

from .base import Graphic, GraphicGenerator, GraphicsNotConfigured, GraphicSpec
from .layouts import render_graphic

logger = logging.getLogger(__name__)

PROVIDER = "stability"
ENDPOINT = "v2beta/stable-image/generate/core"
ASPECT_RATIOS = {"post_card": "16:9", "story": "9:16", "carousel_slide": "1:1"}
NEGATIVE_PROMPT = (
    "text, letters, words, captions, watermark, logo, signature, typography, blurry, low quality"
)
MAX_IMAGE_PIXELS = 16_000_000  # Core answers with about 1.5 megapixels; anything far larger is not it


class StabilityError(ServiceError):
    """Stability AI failed or answered with something that is not an image we can use."""


class StabilityClient:
    def __init__(
        self, *, base_url: str | None = None, api_key: str | None = None, timeout: float | None = None
    ):
        self.base_url = (settings.STABILITY_BASE_URL if base_url is None else base_url).rstrip("/")
        self.api_key = settings.STABILITY_API_KEY if api_key is None else api_key
        self.timeout = float(settings.STABILITY_TIMEOUT if timeout is None else timeout)

    @property
    def host(self) -> str:
        return urlparse(self.base_url).netloc or self.base_url

    def generate_core(
        self,
        *,
        prompt: str,
        aspect_ratio: str = "1:1",
        negative_prompt: str = NEGATIVE_PROMPT,
        style_preset: str = "",
        seed: int | None = None,
        purpose: str = "graphic",
    ) -> bytes:
        """The PNG bytes of one generated image. Raises StabilityError (a ServiceError)."""
        if not self.api_key:
            raise GraphicsNotConfigured("STABILITY_API_KEY is not set")
        fields = {
            "prompt": prompt[:10000],
            "negative_prompt": negative_prompt[:10000],
            "aspect_ratio": aspect_ratio,
            "output_format": "png",
        }
        if style_preset:
            fields["style_preset"] = style_preset
        if seed is not None:
            fields["seed"] = str(seed)
        what = f"Stability AI request to {self.host}"
        started = time.monotonic()
        try:
            response = send(
                "POST",
                f"{self.base_url}/{ENDPOINT}",
                what=what,
                error=StabilityError,
                describe=error_message,
                wait=lambda r: retry_after_seconds(r) if r.status_code in (429, 503) else None,
                fail_from=201,  # the image comes with 200 only
                # (None, value) parts: plain form fields, sent as multipart/form-data as the API wants.
                files={name: (None, value) for name, value in fields.items()},
                headers={"Authorization": f"Bearer {self.api_key}", "Accept": "image/*"},
                timeout=httpx.Timeout(self.timeout, connect=5.0),
            )
            data = self._parse(response, what)
        except StabilityError as error:
            self._record(started, purpose, error=error)
            raise
        self._record(started, purpose)
        logger.info(
            "Stability image: %d bytes, seed %s, %d ms",
            len(data),
            response.headers.get("seed", "?"),
            (time.monotonic() - started) * 1000,
        )
        return data

    def _parse(self, response: httpx.Response, what: str) -> bytes:
        status = response.status_code
        finish = response.headers.get("finish-reason", "SUCCESS").upper()
        if finish != "SUCCESS":
            raise StabilityError(f"{what}: the image was not usable (finish-reason {finish})", status=status)
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("image/"):
            raise StabilityError(
                f"{what} returned {content_type or 'no content type'}, not an image",
                status=status,
                body=response.text[:500],
            )
        check_image(response.content, what)
        return response.content

    def _record(self, started: float, purpose: str, *, error: StabilityError | None = None) -> None:
        ApiCall.record(
            provider=PROVIDER,
            endpoint=ENDPOINT,
            purpose=purpose[:80],
            model="stable-image-core",
            status=ApiCall.Status.ERROR if error else ApiCall.Status.OK,
            http_status=error.status if error else 200,
            latency_ms=round((time.monotonic() - started) * 1000),
            error=str(error)[:2000] if error else "",
        )


def check_image(data: bytes, what: str = "Stability AI") -> Image.Image:
    """Open `data` as an image, refusing empty, damaged and oversized ones."""
    if not data:
        raise StabilityError(f"{what} returned an empty body", status=200)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise StabilityError(f"{what} returned a {image.width}×{image.height} image", status=200)
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise StabilityError(
            f"{what} returned bytes that are not a readable image ({exc})", status=200
        ) from None
    except Image.DecompressionBombWarning:
        raise StabilityError(f"{what} returned an oversized image", status=200) from None
    return image


def error_message(response: httpx.Response) -> str:
    """Stability's {"name", "errors": [...]} as one line, else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:300] or response.reason_phrase
    if isinstance(body, dict):
        errors = body.get("errors")
        name = body.get("name") if isinstance(body.get("name"), str) else ""
        if isinstance(errors, list) and errors:
            text = "; ".join(str(e) for e in errors[:5])
            return f"{text} [{name}]" if name else text
        if isinstance(body.get("message"), str):
            return body["message"]
    return response.text[:300] or response.reason_phrase


def background_prompt(spec: GraphicSpec) -> str:
    subject = spec.image_prompt.strip() or spec.headline.strip()
    return (
        f"Editorial background image for a social media post about: {subject}. "
        f"Colour palette built around {spec.primary_color} and {spec.secondary_color}. "
        "Modern, clean, high quality, soft depth of field, generous empty space in the lower half for a "
        "headline. No text, no letters, no logos."
    )


class StabilityGenerator(GraphicGenerator):
    """A Stability AI background under the template renderer's type (layout "photo")."""

    name = "Stability AI"

    def __init__(self, client: StabilityClient | None = None):
        self.client = client or StabilityClient()

    def check_configured(self) -> None:
        if not self.client.api_key:
            raise GraphicsNotConfigured("STABILITY_API_KEY is not set")
        if not self.client.base_url:
            raise GraphicsNotConfigured("STABILITY_BASE_URL is empty")

    def generate(self, spec: GraphicSpec) -> Graphic:
        self.check_configured()
        data = self.client.generate_core(
            prompt=background_prompt(spec),
            aspect_ratio=ASPECT_RATIOS[spec.kind],
            style_preset=settings.STABILITY_STYLE_PRESET,
        )
        graphic = render_graphic(spec, background=check_image(data))
        graphic.source = "stability"
        return graphic
