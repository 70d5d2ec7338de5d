"""A local fake of Stability AI's Stable Image Core endpoint, speaking its wire format:

- POST /v2beta/stable-image/generate/core, multipart/form-data with prompt (required),
  aspect_ratio, negative_prompt, seed, style_preset and output_format (png | jpeg | webp);
  `Authorization: Bearer <key>`; `Accept: image/*` (or application/json for base64, not used).
- 200: the image bytes, Content-Type image/png, headers `finish-reason: SUCCESS` and `seed`.
- Errors: JSON {"id": <hex>, "name": <slug>, "errors": [<message>, ...]} with 400 (bad field),
  401 (missing or wrong key), 403 (content moderation), 413, 429 (rate limit) and 5xx.

Tests script it: `fail(status, times=…)` answers in that error shape (429 with retry-after),
`malformed()` answers 200 with something that is not an image, `filtered()` with a blurred image
marked CONTENT_FILTERED, `delay()` holds the answer back. Every request is recorded with its parsed
form fields.
"""

from __future__ import annotations

import io
import json
import secrets
import threading
import time
from dataclasses import dataclass, field

import pytest
from PIL import Image, ImageDraw

from tests.fakes._server import LocalServer, QuietHandler, multipart_parts

STABILITY_API_KEY = "sk-fake-stability-0123456789abcdef"
PATH = "/v2beta/stable-image/generate/core"
ASPECT_SIZES = {
    "16:9": (1344, 768),
    "1:1": (1024, 1024),
    "21:9": (1536, 640),
    "2:3": (832, 1216),
    "3:2": (1216, 832),
    "4:5": (896, 1088),
    "5:4": (1088, 896),
    "9:16": (768, 1344),
    "9:21": (640, 1536),
}
ERRORS = {
    400: ("bad_request", "prompt: cannot be empty"),
    401: ("unauthorized", "authorization: invalid or missing header value"),
    403: ("content_moderation", "Your request was flagged by our content moderation system."),
    413: ("payload_too_large", "body: payloads cannot be larger than 10MiB in size"),
    422: ("invalid_language", "English is the only supported language for this service."),
    429: (
        "rate_limit_exceeded",
        "You have exceeded the rate limit of 150 requests within a 10 second period.",
    ),
    500: ("internal_error", "An unexpected server error has occurred, please try again later."),
    503: ("service_unavailable", "The service is temporarily unavailable."),
}


def error_body(status: int, message: str | None = None) -> dict:
    name, default = ERRORS.get(status, ("internal_error", "An unexpected error occurred."))
    return {"id": secrets.token_hex(16), "name": name, "errors": [message or default]}


def sample_image(width: int, height: int, fmt: str = "PNG") -> bytes:
    """A soft two-colour gradient with a few shapes: enough structure to look at."""
    image = Image.linear_gradient("L").resize((width, height))
    image = Image.merge(
        "RGB", (image, image.point(lambda v: 120 + v // 3), Image.new("L", (width, height), 200))
    )
    draw = ImageDraw.Draw(image)
    for i in range(5):
        r = width // (6 + i)
        cx, cy = width * (i + 1) // 6, height // 3 + (i % 2) * height // 6
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(250, 250 - 30 * i, 210))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@dataclass
class StabilityRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    fields: dict[str, str] = field(default_factory=dict)
    content_type: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class _Rule:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]
    times: int | None


def parse_multipart(content_type: str, body: bytes) -> dict[str, str] | None:
    """The text fields of a multipart/form-data body, or None when it is not one."""
    parts = multipart_parts(content_type, body)
    return None if parts is None else {name: value.decode() for name, value in parts.items()}


class FakeStabilityServer(LocalServer):
    def __init__(self):
        self.lock = threading.Lock()
        self._serve(self._handler())
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.requests: list[StabilityRequest] = []
            self._rules: list[_Rule] = []
            self._delay = 0.0

    # --- scripting -------------------------------------------------------------------------------

    def fail(
        self,
        status: int = 500,
        *,
        times: int | None = None,
        message: str | None = None,
        retry_after: int = 10,
    ) -> None:
        """Answer with `status` in Stability's error shape (429 and 503 carry retry-after)."""
        headers = {"retry-after": str(retry_after)} if status in (429, 503) else {}
        body = json.dumps(error_body(status, message)).encode()
        self._add(_Rule(status, body, "application/json; charset=utf-8", headers, times))

    def malformed(
        self, body: bytes | str = b"<html>Gateway</html>", content_type: str = "image/png", *, times=None
    ):
        """Answer 200 with bytes that are not an image (labelled as `content_type`)."""
        data = body.encode() if isinstance(body, str) else body
        self._add(_Rule(200, data, content_type, {"finish-reason": "SUCCESS", "seed": "1"}, times))

    def filtered(self, *, times: int | None = None) -> None:
        """Answer 200 with an image the moderation blurred: finish-reason CONTENT_FILTERED."""
        data = sample_image(1024, 1024)
        self._add(_Rule(200, data, "image/png", {"finish-reason": "CONTENT_FILTERED", "seed": "7"}, times))

    def delay(self, seconds: float) -> None:
        with self.lock:
            self._delay = seconds

    def _add(self, rule: _Rule) -> None:
        with self.lock:
            self._rules.append(rule)

    def _scripted(self) -> tuple[float, _Rule | None]:
        with self.lock:
            for rule in reversed(self._rules):
                if rule.times is None or rule.times > 0:
                    if rule.times is not None:
                        rule.times -= 1
                    return self._delay, rule
            return self._delay, None

    # --- HTTP ------------------------------------------------------------------------------------

    def _handler(self):
        server = self

        class Handler(QuietHandler):
            def _error(self, status: int, message: str | None = None, headers=None):
                body = json.dumps(error_body(status, message)).encode()
                self._send(status, body, "application/json; charset=utf-8", headers)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                content_type = self.headers.get("Content-Type", "")
                fields = parse_multipart(content_type, raw)
                request = StabilityRequest(
                    "POST",
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    fields or {},
                    content_type,
                )
                with server.lock:
                    server.requests.append(request)
                delay, rule = server._scripted()
                if delay:
                    time.sleep(delay)
                if self.path != PATH:
                    return self._error(404, f"{self.path}: not found")
                if request.header("Authorization") != f"Bearer {STABILITY_API_KEY}":
                    return self._error(401)
                if rule is not None:
                    return self._send(rule.status, rule.body, rule.content_type, rule.headers)
                if fields is None:
                    return self._error(400, "content-type: must be multipart/form-data")
                accept = request.header("Accept") or ""
                if accept not in ("image/*", "application/json"):
                    return self._error(400, "accept: must be image/* or application/json")
                if not fields.get("prompt", "").strip():
                    return self._error(400, "prompt: cannot be empty")
                if len(fields["prompt"]) > 10000:
                    return self._error(400, "prompt: must be at most 10000 characters")
                aspect = fields.get("aspect_ratio", "1:1")
                if aspect not in ASPECT_SIZES:
                    return self._error(400, f"aspect_ratio: must be one of {', '.join(ASPECT_SIZES)}")
                fmt = fields.get("output_format", "png")
                if fmt not in ("png", "jpeg", "webp"):
                    return self._error(400, "output_format: must be one of png, jpeg, webp")
                seed = fields.get("seed") or str(secrets.randbelow(4294967294))
                data = sample_image(*ASPECT_SIZES[aspect], "JPEG" if fmt == "jpeg" else fmt.upper())
                self._send(200, data, f"image/{fmt}", {"finish-reason": "SUCCESS", "seed": seed})

            def do_GET(self):
                self._error(404, f"{self.path}: not found")

        return Handler


@pytest.fixture(scope="session")
def fake_stability_server():
    server = FakeStabilityServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_stability(fake_stability_server, settings):
    """The fake, reset, with settings pointing the Stability generator at it."""
    fake_stability_server.reset()
    settings.STABILITY_API_KEY = STABILITY_API_KEY
    settings.STABILITY_BASE_URL = fake_stability_server.url
    settings.STABILITY_TIMEOUT = 5.0
    settings.STABILITY_STYLE_PRESET = ""
    settings.GRAPHICS_GENERATOR = "apps.integrations.images.stability.StabilityGenerator"
    yield fake_stability_server
    fake_stability_server.reset()
