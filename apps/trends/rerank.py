"""Reranking a brand's top trends by the configured LLM (issue 18): one batched call per brand per
refresh, its grades cached per brand profile and trend, the embedding ranking kept on any failure.

A brand's stored rows (recommended first, then by final score) give the RERANK_TOP candidates. The
LLM grades each 0-3 by the rule of bench/data/relevance/README.md (3 squarely on a pillar for this
audience, 2 on topic, 1 loosely related, 0 off-topic, a negative topic or a word collision) and
names the pillar it sits on. Then, per candidate:

    relevance = 0.5 · embedding relevance + 0.5 · grade / 3
    final     = the SPEC's weighted sum (scoring.WEIGHTS) with that relevance
    decision  = recommend iff grade ≥ 2 and final > scoring.RECOMMEND_ABOVE, else the watchlist
                (grade 0 included: held back, never deleted, so the brand can still see it)

and the matched pillar becomes the LLM's when it names one of the brand's pillars. Rows below the
candidates keep their embedding scores.

Grades are cached for CACHE_TTL_SECONDS under the brand, a digest of its profile and the trend, so
only trends new to the brand's top go in the call: a refresh costs at most one call per brand and
none when every candidate is cached. Without an LLM (or with TREND_LLM_RERANK off) nothing is
asked. A failing call (an error, a timeout, an answer that is not the JSON asked for or leaves out
a trend) keeps the embedding ranking for that brand and is logged in one line; a failing server
also pauses reranking for PAUSE_SECONDS so a refresh over many brands waits for it once, not once
per brand.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from apps.brands.models import Brand
from apps.integrations.http import ServiceError
from apps.integrations.llm import LLMNotConfigured, Message, llm_client

from .models import BrandTrendScore, Decision, Trend
from .scoring import RECOMMEND_ABOVE, final_score

logger = logging.getLogger(__name__)

RERANK_TOP = 15
GRADE_MAX = 3
RECOMMEND_GRADE = 2  # a grade-2 trend is usable with some framing; 1 is one the marketer would skip
LLM_SHARE = 0.5  # of the new relevance; the embedding relevance is the rest
CACHE_TTL_SECONDS = 7 * 24 * 3600
PAUSE_SECONDS = 15 * 60
SUMMARY_CHARS = 200
VOICE_SAMPLES = 2
VOICE_SAMPLE_CHARS = 300
# 15 × {"id": 123456, "grade": 2, "pillar": "<a pillar of ≤ 300 characters>"}: up to ~100 tokens
# each when every pillar is long; an answer cut short is unusable, so leave room.
MAX_TOKENS = 1500
PURPOSE = "trend_rerank"
# Part of every cache key: a change of the prompt or the grading rule must ask again.
PROMPT_VERSION = "1"
PAUSE_KEY = "trend-rerank:paused"

# Reasons already logged once in this process for an LLM that is not set up (the usual case of a
# self-hosted install: one line, not one per brand and refresh).
_not_configured_logged: set[str] = set()


@dataclass(frozen=True)
class Grade:
    grade: int  # 0-3
    pillar: str  # one of the brand's pillars as the brand wrote it, or ""


class UnusableAnswer(ValueError):
    """The LLM answered, but not with the JSON list of grades asked for."""


# --- the reranking ------------------------------------------------------------------------------


def rerank_scores(
    brand: Brand,
    rows: list[BrandTrendScore],
    trends_by_id: Mapping[int, Trend],
    *,
    profile_digest: str,
) -> list[BrandTrendScore]:
    """The brand's rows (unsaved, from the scoring) with the top RERANK_TOP regraded by the LLM,
    ordered recommended first, then by final score; the same rows untouched when reranking is off
    or fails. `profile_digest` is the brand embedding's text digest (a profile change asks again).
    A regraded row carries its grade as `row.llm_grade` (not a stored field)."""
    if not settings.TREND_LLM_RERANK or not rows:
        return rows
    client = llm_client()
    try:
        client.check_configured()
    except LLMNotConfigured as exc:
        _log_not_configured(str(exc))
        return rows
    if _paused():
        return rows
    candidates = rerank_candidates(rows, trends_by_id)
    if not candidates:
        return rows
    brief = brand_brief(brand)
    digest = grades_digest(profile_digest, brief)
    grades = cached_grades(brand.pk, digest, [row.trend_id for row in candidates])
    asked = [row.trend_id for row in candidates if row.trend_id not in grades]
    if asked:
        try:
            completion = client.complete(
                messages=rerank_messages(brief, [trends_by_id[trend_id] for trend_id in asked]),
                temperature=0,
                max_tokens=MAX_TOKENS,
                purpose=PURPOSE,
                brand_id=brand.pk,
            )
            fresh = parse_grades(completion.text, trend_ids=asked, pillars=brand.pillars)
        except (ServiceError, LLMNotConfigured) as exc:
            _pause()
            logger.warning(
                "trend rerank of brand %s failed, embedding ranking kept (reranking paused %d min): %s",
                brand.pk,
                PAUSE_SECONDS // 60,
                exc,
            )
            return rows
        except UnusableAnswer as exc:
            logger.warning("trend rerank of brand %s unusable, embedding ranking kept: %s", brand.pk, exc)
            return rows
        # What it did grade stays valid for this profile, even when the answer left some out.
        cache_grades(brand.pk, digest, fresh)
        left_out = [trend_id for trend_id in asked if trend_id not in fresh]
        if left_out:
            logger.warning(
                "trend rerank of brand %s left out %d of %d trends (ids %s), embedding ranking kept",
                brand.pk,
                len(left_out),
                len(asked),
                ", ".join(map(str, left_out[:5])),
            )
            return rows
        grades.update(fresh)
    for row in candidates:
        apply_grade(row, grades[row.trend_id])
    return sorted(rows, key=_rank)


def rerank_candidates(
    rows: Iterable[BrandTrendScore], trends_by_id: Mapping[int, Trend]
) -> list[BrandTrendScore]:
    """The rows the LLM regrades: the first RERANK_TOP, recommended first, then by final score."""
    return sorted((row for row in rows if row.trend_id in trends_by_id), key=_rank)[:RERANK_TOP]


def apply_grade(row: BrandTrendScore, grade: Grade) -> None:
    """Blend the grade into the row's relevance, recompute its final score and decision."""
    row.relevance = (1 - LLM_SHARE) * row.relevance + LLM_SHARE * grade.grade / GRADE_MAX
    row.final = final_score(row.relevance, row.opportunity, row.format_fit, row.reward)
    recommended = grade.grade >= RECOMMEND_GRADE and row.final > RECOMMEND_ABOVE
    row.decision = Decision.RECOMMEND if recommended else Decision.WATCHLIST
    if grade.pillar:
        row.matched_pillar = grade.pillar[:300]
    row.llm_grade = grade.grade


def _rank(row: BrandTrendScore) -> tuple[bool, float]:
    return (row.decision != Decision.RECOMMEND, -row.final)


# --- the prompt ---------------------------------------------------------------------------------

SYSTEM_PROMPT = f"""You are the social media marketer of the brand described below. You grade trending \
stories by whether you would post about them, for your audience, this week.

Grade each story 0-3:
- 3: squarely on the brand: it sits on one of the brand's pillars and speaks to its audience \
(their role, country, company size or life situation). You would pick it without hesitation.
- 2: clearly on-topic and usable: about the brand's industry and of interest to its audience, but \
not on a pillar, or on a pillar for a slightly different audience or angle.
- 1: loosely related or a near-miss: the same words in a neighbouring topic, industry-adjacent but \
not for this audience, or the brand's sector at large with nothing the brand has to say.
- 0: off-topic: general news with no link to the brand's field; a word collision where the shared \
word means something else (Python the snake for a programming tool); anything on one of the \
brand's negative or banned topics, however close its words are (a negative topic is always 0).
When two grades seem to fit, take the lower one.

Answer with JSON only, no other text: a list with one object per story, \
[{{"id": <the story's id>, "grade": <0-{GRADE_MAX}>, "pillar": "<the brand pillar it sits on, \
copied exactly from the list, or an empty string>"}}]."""


def brand_brief(brand: Brand) -> str:
    """The brand as the prompt describes it (its digest is part of the cache key)."""
    lines = [f"Brand: {_clean(brand.name)}"]
    industry = [brand.industry.name] if brand.industry_id else []
    if brand.industry_description:
        industry.append(_clean(brand.industry_description))
    if industry:
        lines.append("Industry: " + " / ".join(industry))
    if brand.pillars:
        lines.append("Pillars:")
        lines.extend(f"- {_clean(p)}" for p in brand.pillars)
    audience = [
        ("roles", brand.audience_roles),
        ("geographies", brand.audience_geographies),
        ("company sizes", brand.audience_company_sizes),
    ]
    parts = [f"{label}: {', '.join(map(_clean, values))}" for label, values in audience if values]
    if parts:
        lines.append("Audience: " + "; ".join(parts))
    if brand.negative_topics:
        lines.append("Negative topics (not us, grade 0): " + "; ".join(map(_clean, brand.negative_topics)))
    if brand.banned_topics:
        lines.append("Banned topics (never, grade 0): " + "; ".join(map(_clean, brand.banned_topics)))
    samples = [_clip(_clean(s), VOICE_SAMPLE_CHARS) for s in (brand.voice_samples or [])[:VOICE_SAMPLES]]
    if samples:
        lines.append("Voice samples:")
        lines.extend(f"- {s}" for s in samples)
    return "\n".join(lines)


def rerank_messages(brief: str, trends: Sequence[Trend]) -> list[Message]:
    stories = []
    for n, trend in enumerate(trends, start=1):
        story = f"{n}. id {trend.pk}: {_clean(trend.title)}"
        summary = _clip(_clean(trend.summary or ""), SUMMARY_CHARS)
        if summary:
            story += f"\n   {summary}"
        stories.append(story)
    user = f"{brief}\n\nStories ({len(trends)}):\n" + "\n".join(stories) + "\n\nGrade every story: JSON only."
    return [Message.system(SYSTEM_PROMPT), Message.user(user)]


def _clean(text: Any) -> str:
    return " ".join(str(text).split())


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:.") + "…"


# --- the answer ---------------------------------------------------------------------------------

_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


def parse_grades(text: str, *, trend_ids: Sequence[int], pillars: Sequence[str]) -> dict[int, Grade]:
    """The grades of the asked trends in the LLM's answer: a JSON list of {"id", "grade",
    "pillar"} (also inside a code fence, after a line of prose, or under one key of an object).
    Unknown ids and malformed entries are left out; a pillar the brand does not have becomes "".
    Raises UnusableAnswer when there is no such list."""
    entries = _json_list(text)
    asked = set(trend_ids)
    by_name = {_clean(p).casefold(): p for p in pillars}
    grades: dict[int, Grade] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        trend_id, grade = _integer(entry.get("id")), _integer(entry.get("grade"))
        if trend_id not in asked or trend_id in grades or grade is None or not 0 <= grade <= GRADE_MAX:
            continue
        pillar = entry.get("pillar")
        pillar = by_name.get(_clean(pillar).casefold(), "") if isinstance(pillar, str) else ""
        grades[trend_id] = Grade(grade, pillar)
    return grades


def _json_list(text: str) -> list:
    text = _FENCE.sub("", text.strip())
    try:
        value = json.loads(text)
    except ValueError:
        start, end = text.find("["), text.rfind("]")
        if start < 0 or end <= start:
            raise UnusableAnswer(f"no JSON list in the answer: {text[:120]!r}") from None
        try:
            value = json.loads(text[start : end + 1])
        except ValueError:
            raise UnusableAnswer(f"the answer's list is not valid JSON: {text[:120]!r}") from None
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list)]
        if len(lists) == 1:
            value = lists[0]
    if not isinstance(value, list):
        raise UnusableAnswer(f"the answer is a JSON {type(value).__name__}, not a list")
    return value


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


# --- the cache ----------------------------------------------------------------------------------


def grades_digest(profile_digest: str, brief: str) -> str:
    """What the grades depend on: the embedded profile (pillars, audience, negative and banned
    topics), the rest of what the prompt says of the brand (name, voice samples) and the prompt."""
    return hashlib.sha256(f"{PROMPT_VERSION}\x1f{profile_digest}\x1f{brief}".encode()).hexdigest()[:32]


def cache_key(brand_id: int, digest: str, trend_id: int) -> str:
    return f"trend-rerank:{brand_id}:{digest}:{trend_id}"


def cached_grades(brand_id: int, digest: str, trend_ids: Sequence[int]) -> dict[int, Grade]:
    keys = {cache_key(brand_id, digest, t): t for t in trend_ids}
    try:
        found = cache.get_many(list(keys))
    except Exception:  # Redis lost: ask the LLM instead
        logger.warning("could not read cached trend grades of brand %s", brand_id, exc_info=True)
        return {}
    grades = {}
    for key, value in found.items():
        if isinstance(value, dict) and isinstance(value.get("grade"), int):
            grades[keys[key]] = Grade(value["grade"], str(value.get("pillar") or ""))
    return grades


def cache_grades(brand_id: int, digest: str, grades: Mapping[int, Grade]) -> None:
    if not grades:
        return
    values = {
        cache_key(brand_id, digest, t): {"grade": g.grade, "pillar": g.pillar} for t, g in grades.items()
    }
    try:
        cache.set_many(values, CACHE_TTL_SECONDS)
    except Exception:  # the next refresh asks again
        logger.warning("could not cache trend grades of brand %s", brand_id, exc_info=True)


def _paused() -> bool:
    try:
        return bool(cache.get(PAUSE_KEY))
    except Exception:
        return False


def _pause() -> None:
    try:
        cache.set(PAUSE_KEY, True, PAUSE_SECONDS)
    except Exception:
        logger.warning("could not pause trend reranking", exc_info=True)


def _log_not_configured(reason: str) -> None:
    if reason not in _not_configured_logged:
        _not_configured_logged.add(reason)
        logger.info("trend rerank off, embedding ranking only: %s", reason)
