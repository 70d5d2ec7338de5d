"""API schemas for memes and meme templates. Types are checked here; what a value may be (text
length, colours, filters, formats) is checked once, by ``generation.spec_from_input``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict, SkipValidation

from apps.memes.generation import MAX_BOXES, MAX_TEXT_LENGTH
from apps.memes.models import REACTIONS

BATCH_MAX = 50


class MemeBoxIn(Schema):
    """A caption box, as fractions of the image (0 to 1) from its top-left corner."""

    model_config = ConfigDict(extra="forbid")

    x: float = 0.03
    y: float = 0.02
    w: float = 0.94
    h: float = 0.25
    align: str = Field("center", description="left, center or right")
    valign: str = Field("top", description="top, middle or bottom")
    uppercase: bool = True


class MemeFilterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="blur, sharpen, edges, grayscale, sepia, brightness or contrast")
    value: float | None = Field(None, description="blur radius 0-20; brightness and contrast 0.2-3")


class MemeIn(Schema):
    """What a meme looks like. Everything but `template` and `texts` is optional."""

    model_config = ConfigDict(extra="forbid")

    template: str = Field(description="The template's slug (GET /meme-templates).")
    texts: list[str] = Field(
        description=f"One caption per box, top to bottom (at most {MAX_TEXT_LENGTH} characters each)."
    )
    boxes: list[MemeBoxIn] | None = Field(
        None, description=f"Your own caption boxes (at most {MAX_BOXES}); default: the template's."
    )
    font: str | None = Field(None, description="impact (default) or sans")
    fill: str | None = Field(None, description="Text colour, #RRGGBB (default #FFFFFF)")
    stroke: str | None = Field(None, description="Outline or shadow colour, #RRGGBB (default #000000)")
    effect: str | None = Field(None, description="outline (default), shadow or none")
    align: str | None = Field(None, description="left, center or right for every box")
    # Checked by spec_from_input (field "filters"), which also takes "blur:2,sepia" as one string.
    filters: SkipValidation[list[str | MemeFilterIn] | None] = Field(
        None, description='Applied in order: ["blur:2", "sepia"] or [{"name": "blur", "value": 2}]'
    )
    format: str | None = Field(
        None, description="jpeg, png, webp or gif (default: gif for animated templates, else jpeg)"
    )
    size: str = Field("full", description="thumbnail (320 px wide), medium (640 px) or full")
    is_public: bool = Field(False, description="Publish to the live feed (captions are checked first).")


class MemeUrls(Schema):
    thumbnail: str
    medium: str
    full: str


class MemeOut(Schema):
    id: int
    template: str = Field(description="The template's slug.")
    template_name: str
    author: str
    texts: list[str]
    format: str
    is_public: bool
    moderation: Literal["visible", "flagged", "hidden"]
    score: int
    up_votes: int
    down_votes: int
    reactions: dict[str, int] = Field(description=f"Count per reaction: {', '.join(REACTIONS)}.")
    created_at: datetime
    urls: MemeUrls = Field(
        description="The image at each size (immutable, content-addressed; sizes not rendered yet are "
        "rendered on first request)."
    )


class MemeDetailOut(MemeOut):
    your_vote: int = Field(0, description="1, -1 or 0 (signed-in users; 0 for anonymous)")
    your_reactions: list[str] = Field(default_factory=list)
    status: Literal["ready", "rendering"] = Field(
        "ready",
        description="rendering: the worker is still drawing this animated meme at the size it was made "
        "at; its URL answers 202 with Retry-After until then.",
    )


class MemePageOut(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[MemeOut]


class MemeLatestOut(Schema):
    results: list[MemeOut]
    next: str | None = Field(description="The next (older) page, or null at the end.")


class MemeBatchIn(Schema):
    items: list[SkipValidation[MemeIn]] = Field(
        min_length=1,
        max_length=BATCH_MAX,
        description=f"1 to {BATCH_MAX} generate bodies, each checked and made on its own.",
    )


class MemeBatchItemOut(Schema):
    index: int
    status: Literal[200, 201, 202, 404, 422, 429]
    meme: MemeOut | None = None
    detail: str | None = None
    errors: dict[str, list[str]] | None = None
    retry_after: int | None = Field(None, description="Seconds, on a 429 item.")


class MemeBatchSummary(Schema):
    created: int
    existing: int
    failed: int


class MemeBatchOut(Schema):
    results: list[MemeBatchItemOut]
    summary: MemeBatchSummary


class MemeVoteIn(Schema):
    value: int = Field(description="1 (up), -1 (down) or 0 (take the vote back)")


class MemeVoteOut(Schema):
    score: int
    up_votes: int
    down_votes: int
    your_vote: int


class MemeReactionIn(Schema):
    emoji: str = Field(description=f"One of {', '.join(REACTIONS)}")
    on: bool | None = Field(None, description="true adds, false removes, absent toggles")


class MemeReactionOut(Schema):
    reactions: dict[str, int]
    yours: list[str]


class MemeModerateIn(Schema):
    action: str = Field(description="hide or show")
    reason: str = ""


class MemeTemplateOut(Schema):
    slug: str
    name: str
    tags: list[str]
    width: int
    height: int
    is_animated: bool
    frame_count: int
    status: str
    boxes: list[dict]
    image_url: str = Field(description="The blank template image.")
    render_url: str = Field(
        description="Render by URL: add ?text=…&text=…&size=medium (and font, fill, stroke, effect, "
        "align, filters) for a preview; identical queries are served from the store."
    )


class MemeTemplatePageOut(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[MemeTemplateOut]


class MemeErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None
