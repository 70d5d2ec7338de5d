"""API schemas for posts."""

from datetime import datetime

from ninja import Schema


class GenerateIn(Schema):
    """Generate a post for a trend (`trend_id`), or write one (`text` and/or `thread`; the trend is
    then optional): `overrides` give a platform its own text, `thread` X's tweets."""

    trend_id: int | None = None
    platforms: list[str] | None = None
    post_format: str = ""
    tone: str = ""
    text: str | None = None
    overrides: dict[str, str] = {}
    thread: list[str] = []
    planned_for: datetime | None = None


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
    origin: str
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
    approval_state: str = ""


class CopyIn(Schema):
    platform: str
    parts: list[str]
    caption: str | None = None


class RejectIn(Schema):
    reason: str


class RequestChangesIn(Schema):
    note: str


class CommentIn(Schema):
    body: str


class ResolveIn(Schema):
    resolved: bool = True


class CommentOut(Schema):
    id: int
    post_id: int
    author_id: int | None
    author_name: str
    body: str
    mentions: list[int]
    resolved_at: datetime | None
    resolved_by_id: int | None
    created_at: datetime


class PreviewLinkIn(Schema):
    days: int = 7


class PreviewLinkOut(Schema):
    id: int
    post_id: int
    url: str
    expires_at: datetime
    revoked_at: datetime | None
