"""A brand's trend scoring in progress: where it is (queued, reading the profile, n of N trends
scored, finished), kept in the cache for the dashboard and sent live to the brand's pages."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

# Longer than any rescore; a state left behind by a lost worker expires and the dashboard goes
# back to what the scores say.
TTL_SECONDS = 15 * 60

QUEUED, PROFILE, SCORING, FINISHED, FAILED = "queued", "profile", "scoring", "finished", "failed"
STAGE_LABELS = {
    QUEUED: "Waiting for a worker",
    PROFILE: "Reading your industry, pillars and audience",
    SCORING: "Scoring trends",
    FINISHED: "Done",
    FAILED: "Scoring failed; the next refresh tries again",
}


@dataclass(frozen=True)
class ScoringProgress:
    brand_id: int
    stage: str
    done: int = 0
    total: int = 0

    @property
    def running(self) -> bool:
        return self.stage in (QUEUED, PROFILE, SCORING)

    @property
    def finished(self) -> bool:
        return self.stage == FINISHED

    @property
    def percent(self) -> int:
        if self.stage == FINISHED:
            return 100
        if self.stage == SCORING and self.total:
            return 10 + round(85 * self.done / self.total)  # the profile is the first tenth
        return 5 if self.stage == PROFILE else 0

    @property
    def label(self) -> str:
        if self.stage == SCORING:
            return f"Scored {self.done} of {self.total} trends"
        return STAGE_LABELS.get(self.stage, "")


def key(brand_id: int) -> str:
    return f"trends:brand:{brand_id}:scoring"


def progress_get(brand_id: int) -> ScoringProgress | None:
    try:
        value = cache.get(key(brand_id))
    except Exception:  # Redis lost: the dashboard shows what the scores say
        return None
    return ScoringProgress(**value) if value else None


def progress_set(progress: ScoringProgress) -> None:
    try:
        cache.set(key(progress.brand_id), asdict(progress), TTL_SECONDS)
    except Exception:
        logger.warning("could not store the scoring progress of brand %s", progress.brand_id, exc_info=True)
