"""An offline trend source that serves a fixed, realistic set of items from
apps/trends/fixtures/offline_trends.json, so a fresh install with no API keys still has trends.

The file holds about 300 items (news headlines, Reddit posts, X trends, Mastodon tags and links)
that retell ~120 stories across industries. Each item has a volume for each of ROUNDS refreshes
("volumes": [12 hours ago, 6 hours ago, now]; 0 = not seen that round), so running the pipeline
once per round gives trends new, rising and fading momentum. Items keep their original source
("reddit", "newsapi", ...) so the pipeline shows where each mention came from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .base import FetchResult, IndustryQuery, SourceItem, SourceNotConfigured, TrendSource

ROUNDS = 3
# Items with these industries are general: they are returned whatever industries are asked for.
GENERAL_INDUSTRIES = frozenset({"", "general"})
FIXTURE_RELATIVE_PATH = Path("apps") / "trends" / "fixtures" / "offline_trends.json"


def default_path() -> Path:
    """The demo file, relative to the repository (settings.BASE_DIR, else this module's location)."""
    base = getattr(settings, "BASE_DIR", None)
    if base is not None:
        return Path(base) / FIXTURE_RELATIVE_PATH
    return Path(__file__).resolve().parents[3] / FIXTURE_RELATIVE_PATH


class OfflineFixtureSource(TrendSource):
    name = "offline"
    label = "Offline demo set"

    def __init__(self, round: int = 2, path: str | Path | None = None, now: datetime | None = None):
        if not 0 <= round < ROUNDS:
            raise ValueError(f"round must be between 0 and {ROUNDS - 1}, not {round}")
        self.round = round
        self.path = Path(path) if path is not None else default_path()
        self.now = now

    def check_configured(self) -> None:
        if not self.path.is_file():
            raise SourceNotConfigured(f"the offline demo file {self.path} is missing")

    def load(self) -> list[dict]:
        """The file's items, as stored."""
        self.check_configured()
        with self.path.open(encoding="utf-8") as fh:
            return json.load(fh)["items"]

    def fetch(self, *, industries: Sequence[IndustryQuery]) -> FetchResult:
        wanted = {q.slug for q in industries}
        now = self.now or timezone.now()
        items = []
        for index, raw in enumerate(self.load()):
            volume = int(raw["volumes"][self.round])
            if volume <= 0:
                continue
            industry = raw.get("industry") or ""
            if wanted and industry not in wanted and industry not in GENERAL_INDUSTRIES:
                continue
            hours = raw.get("published_hours_ago")
            items.append(
                SourceItem(
                    source=raw["source"],
                    title=raw["title"],
                    url=raw.get("url", ""),
                    summary=raw.get("summary", ""),
                    published_at=now - timedelta(hours=hours) if hours is not None else None,
                    volume=volume,
                    industry=industry,
                    external_id=f"offline-{index}",
                    source_name=raw.get("source_name", ""),
                )
            )
        return FetchResult(items=items)
