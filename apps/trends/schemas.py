"""API schemas for trends and recommendations."""

from datetime import datetime

from ninja import Schema


class ScoreParts(Schema):
    relevance: float
    opportunity: float
    format_fit: float
    reward: float


class SourceLink(Schema):
    source: str
    name: str
    title: str
    url: str


class RecommendationOut(Schema):
    trend_id: int
    title: str
    summary: str
    category: str
    category_label: str
    final: float
    parts: ScoreParts
    weights: dict[str, float]
    decision: str
    platform: str
    post_format: str
    why: str
    sentiment_label: str
    sentiment_score: float
    momentum: float
    momentum_label: str
    volume: int
    volumes: list[int]
    sources: list[str]
    links: list[SourceLink]
    first_seen_at: datetime
    last_seen_at: datetime
    scored_at: datetime


class RecommendationsOut(Schema):
    top: list[RecommendationOut]
    watchlist: list[RecommendationOut]


class SnapshotOut(Schema):
    taken_at: datetime
    volume: int
    mention_count: int
    source_count: int
    momentum: float
    sentiment_label: str
    sentiment_score: float


class MentionOut(Schema):
    source: str
    source_name: str
    title: str
    url: str
    published_at: datetime | None
    volume: int


class BrandScoreOut(Schema):
    brand_id: int
    relevance: float
    opportunity: float
    format_fit: float
    reward: float
    final: float
    decision: str
    platform: str
    post_format: str
    matched_pillar: str
    scored_at: datetime


class TrendOut(Schema):
    id: int
    title: str
    summary: str
    category: str
    industries: list[str]
    first_seen_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    volume: int
    momentum: float
    sentiment_label: str
    sentiment_score: float
    snapshots: list[SnapshotOut]
    mentions: list[MentionOut]
    brand_score: BrandScoreOut | None = None
    dismissed: bool = False
    brand_scores: list[BrandScoreOut] | None = None


class DismissOut(Schema):
    trend_id: int
    brand_id: int
    dismissed: bool
