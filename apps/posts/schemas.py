"""API schemas for posts."""

from datetime import datetime

from ninja import Schema


class GenerateIn(Schema):
    trend_id: int
    platforms: list[str] | None = None
    post_format: str = ""
    tone: str = ""


class CopyOut(Schema):
    platform: str
    parts: list[str]
    caption: str
    source: str
    llm_model: str


class GraphicOut(Schema):
    kind: str
    index: int
    layout: str
    source: str
    width: int
    height: int
    alt_text: str
    url: str
    medium_url: str
    thumbnail_url: str


class PostOut(Schema):
    id: int
    brand_id: int
    trend_id: int | None
    post_format: str
    tone: str
    status: str
    generation_state: str
    generation_progress: int
    generation_stage: str
    generation_error: str
    rejected_reason: str
    learning_state: dict
    learning_action: dict
    copies: list[CopyOut]
    graphics: list[GraphicOut]
    created_at: datetime
    approved_at: datetime | None


class CopyIn(Schema):
    platform: str
    parts: list[str]
    caption: str | None = None


class RejectIn(Schema):
    reason: str
