"""The graphics interface: what to draw (GraphicSpec), what comes back (Graphic), which generator is
switched on (settings.GRAPHICS_GENERATOR), and graphic_generate(), which never fails for an outside
service: any failure of the image API falls back to the template renderer."""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

Kind = Literal["post_card", "story", "carousel_slide"]
Source = Literal["template", "stability"]

SIZES: dict[str, tuple[int, int]] = {
    "post_card": (1200, 630),  # X and LinkedIn link-card shape (1.91:1)
    "story": (1080, 1920),  # 9:16
    "carousel_slide": (1080, 1080),
}
KIND_LABELS = {"post_card": "post card", "story": "story", "carousel_slide": "carousel slide"}
# "photo" is not chosen by callers: it is what a generated background gets (see stability.py).
LAYOUTS = ("bold", "split", "minimal")
DEFAULT_LAYOUT = "bold"
_HEX = re.compile(r"^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


class GraphicsNotConfigured(Exception):
    """The chosen generator cannot run (no API key). graphic_generate() uses the template instead."""


@dataclass(frozen=True)
class GraphicSpec:
    """One graphic to draw. Colours are hex ("#4F46E5" or "#FFF"); `logo` is a file path, the
    file's bytes, or None (a monogram of the brand's initial is drawn instead)."""

    kind: Kind = "post_card"
    headline: str = ""
    body: str = ""
    brand_name: str = ""
    primary_color: str = "#4F46E5"
    secondary_color: str = "#0EA5E9"
    logo: str | Path | bytes | None = field(default=None, repr=False)
    layout: str = DEFAULT_LAYOUT
    slide_index: int = 1  # 1-based; carousel slides show "index / total"
    slide_total: int = 1
    footer: str = ""  # e.g. the brand's handle or site, bottom right
    image_prompt: str = ""  # what an image API should paint behind the text (defaults to the headline)

    def __post_init__(self):
        if self.kind not in SIZES:
            raise ValueError(f"unknown graphic kind {self.kind!r}; one of {', '.join(SIZES)}")
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown layout {self.layout!r}; one of {', '.join(LAYOUTS)}")
        for name in ("primary_color", "secondary_color"):
            if not _HEX.match(getattr(self, name) or ""):
                raise ValueError(f"{name} must be a hex colour such as #4F46E5, not {getattr(self, name)!r}")
        if self.slide_total < 1 or not 1 <= self.slide_index <= self.slide_total:
            raise ValueError(f"slide {self.slide_index} of {self.slide_total} is out of range")
        if not (self.headline or "").strip():
            if not (self.body or "").strip():
                raise ValueError("a graphic needs a headline (or at least a body)")
            # A slide with only body text: it becomes the slide's headline.
            object.__setattr__(self, "headline", self.body)
            object.__setattr__(self, "body", "")

    @property
    def size(self) -> tuple[int, int]:
        return SIZES[self.kind]

    @property
    def is_carousel(self) -> bool:
        return self.kind == "carousel_slide"

    def with_changes(self, **changes) -> GraphicSpec:
        return replace(self, **changes)

    @classmethod
    def for_brand(cls, brand, *, headline: str, kind: Kind = "post_card", **fields) -> GraphicSpec:
        """A spec with the brand's name, colours and logo (read through its storage, so an S3 logo
        works too). An unreadable logo is left out rather than failing the graphic."""
        logo = fields.pop("logo", None)
        if logo is None and getattr(brand, "logo", None):
            try:
                with brand.logo.open("rb") as file:
                    logo = file.read()
            except (OSError, ValueError) as exc:
                logger.warning("brand %s: logo %s could not be read (%s)", brand.pk, brand.logo.name, exc)
        return cls(
            kind=kind,
            headline=headline,
            brand_name=brand.name,
            primary_color=brand.primary_color or cls.primary_color,
            secondary_color=brand.secondary_color or cls.secondary_color,
            logo=logo,
            **fields,
        )


@dataclass
class Graphic:
    png: bytes = field(repr=False)
    width: int
    height: int
    layout: str  # one of LAYOUTS, or "photo" for a generated background
    source: Source
    alt_text: str
    kind: str = "post_card"
    # Set when an image API was switched on but the template made this graphic: why.
    fallback_reason: str = ""

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


class GraphicGenerator(ABC):
    name: str = ""

    def check_configured(self) -> None:
        """Raise GraphicsNotConfigured with a one-line reason when the generator cannot run."""
        return None

    @property
    def configured(self) -> bool:
        try:
            self.check_configured()
        except GraphicsNotConfigured:
            return False
        return True

    @abstractmethod
    def generate(self, spec: GraphicSpec) -> Graphic:
        """Draw the graphic. Raises GraphicsNotConfigured, or ServiceError when an outside service fails."""


def graphic_generator() -> GraphicGenerator:
    """A new instance of settings.GRAPHICS_GENERATOR (read at the time of the call)."""
    return import_string(settings.GRAPHICS_GENERATOR)()


def graphic_generate(spec: GraphicSpec) -> Graphic:
    """The graphic from the configured generator; the template renderer when that is not configured
    or fails in any way. `Graphic.source` says which made it, `fallback_reason` why."""
    from .layouts import TemplateGenerator

    generator = graphic_generator()
    if isinstance(generator, TemplateGenerator):
        return generator.generate(spec)
    try:
        generator.check_configured()
        return generator.generate(spec)
    except GraphicsNotConfigured as exc:
        reason = f"{generator.name or type(generator).__name__} is not configured: {exc}"
        logger.info("graphic: %s; using the template", reason)
    except Exception as exc:  # any failure of the image API: the post still gets a graphic
        reason = f"{generator.name or type(generator).__name__} failed: {exc}"
        logger.warning("graphic: %s; using the template", reason, exc_info=not _is_service_error(exc))
    graphic = TemplateGenerator().generate(spec)
    graphic.fallback_reason = reason[:500]
    return graphic


def _is_service_error(exc: Exception) -> bool:
    from apps.integrations.http import ServiceError

    return isinstance(exc, ServiceError)
