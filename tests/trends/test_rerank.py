"""Reranking a brand's top trends by the LLM (issue 18), against the fake OpenAI-compatible server:
one call per brand, cached grades, the blend into relevance and final score, and every failure
keeping the embedding ranking."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.integrations.llm.base import GROQ_BASE_URL
from apps.trends import rerank, services
from apps.trends.models import BrandTrendScore, Decision, TrendRefreshRun
from apps.trends.scoring import WEIGHTS
from tests.factories import BrandFactory
from tests.fakes import llm as fakes

from .conftest import FINTECH_ITEMS, ListSource, make_trend

pytestmark = pytest.mark.django_db

# The fake LLM server's fixtures (tests/posts has them in its conftest).
fake_llm_server, fake_llm, llm_waits = fakes.fake_llm_server, fakes.fake_llm, fakes.llm_waits

DIGEST = "profile-digest-1"
_STORY_ID = re.compile(r"^\d+\. id (\d+):", re.M)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    rerank._not_configured_logged.clear()
    yield
    cache.clear()
    rerank._not_configured_logged.clear()


@pytest.fixture
def brand(fintech_brand):
    fintech_brand.name = "Ledgerly"
    fintech_brand.negative_topics = ["sports team payrolls"]
    fintech_brand.banned_topics = ["crypto"]
    fintech_brand.voice_samples = [
        "Cash flow is a feeling. Here is how to make it a good one.",
        "Two",
        "Three",
    ]
    fintech_brand.save()
    return fintech_brand


def story_ids(request) -> list[int]:
    return [int(i) for i in _STORY_ID.findall(request.prompt)]


def grader(grades: dict[int, int] | None = None, pillars: dict[int, str] | None = None, default: int = 2):
    """An answer_with() function: the JSON grades of the stories a rerank prompt lists."""
    grades, pillars = grades or {}, pillars or {}

    def answer(request):
        ids = story_ids(request)
        if not ids:
            return None
        return json.dumps(
            [{"id": i, "grade": grades.get(i, default), "pillar": pillars.get(i, "")} for i in ids]
        )

    return answer


def make_row(brand, trend, *, relevance=0.7, opportunity=0.6, format_fit=0.8, reward=0.5, decision=None):
    final = (
        WEIGHTS["relevance"] * relevance
        + WEIGHTS["opportunity"] * opportunity
        + WEIGHTS["format_fit"] * format_fit
        + WEIGHTS["reward"] * reward
    )
    return BrandTrendScore(
        brand=brand,
        trend_id=trend.pk,
        relevance=relevance,
        opportunity=opportunity,
        format_fit=format_fit,
        reward=reward,
        final=final,
        decision=decision or (Decision.RECOMMEND if final > 0.5 else Decision.WATCHLIST),
        platform="linkedin",
        post_format="post",
        matched_pillar="Faster cash flow for SMEs",
        scored_at=timezone.now(),
    )


def scored(brand, n: int, *, title: str = "Story"):
    """n trends and the brand's rows for them, best first (relevance 0.9 down by 0.02)."""
    trends = [make_trend(f"{title} {i}", summary=f"What happened in story {i}.") for i in range(n)]
    rows = [make_row(brand, t, relevance=0.9 - 0.02 * i) for i, t in enumerate(trends)]
    return rows, {t.pk: t for t in trends}


def fresh(rows):
    """The same rows as new objects: what the next refresh's scoring gives."""
    return [
        BrandTrendScore(**{f.attname: getattr(r, f.attname) for f in BrandTrendScore._meta.concrete_fields})
        for r in rows
    ]


def snapshot(rows):
    return [
        (r.trend_id, round(r.relevance, 6), round(r.final, 6), r.decision, r.matched_pillar) for r in rows
    ]


# --- one call per brand, cached -----------------------------------------------------------------


def test_each_brand_costs_one_request_with_its_top_fifteen(brand, fake_llm):
    other = BrandFactory(pillars=["Home workouts for beginners"], audience_roles=["beginners"])
    fake_llm.answer_with(grader())
    rows, trends = scored(brand, 20)
    other_rows, other_trends = scored(other, 20, title="Run")
    rerank.rerank_scores(brand, rows, trends, profile_digest=DIGEST)
    rerank.rerank_scores(other, other_rows, other_trends, profile_digest="other-digest")
    requests = fake_llm.chat_requests
    assert len(requests) == 2
    assert story_ids(requests[0]) == [r.trend_id for r in rows[:15]]
    assert story_ids(requests[1]) == [r.trend_id for r in other_rows[:15]]
    assert requests[0].json["temperature"] == 0
    prompt = requests[0].prompt
    for part in ("Ledgerly", "Open banking you can trust", "CFOs", "sports team payrolls", "crypto"):
        assert part in prompt
    assert "Cash flow is a feeling" in prompt and "Three" not in prompt  # two voice samples at most
    assert all(hasattr(r, "llm_grade") for r in rows[:15]) and not hasattr(rows[15], "llm_grade")


def test_candidates_are_the_recommended_first_then_by_final_score(brand, fake_llm):
    fake_llm.answer_with(grader())
    picks = [make_trend(f"Pick {i}") for i in range(14)]
    recommended = [make_row(brand, t, relevance=0.8 - 0.01 * i) for i, t in enumerate(picks)]
    # Higher finals, but held back by the relevance gate: only the best of them makes the fifteen.
    holds = [make_trend(f"Held {i}") for i in range(3)]
    held = [
        make_row(brand, t, relevance=0.95 - 0.01 * i, decision=Decision.WATCHLIST)
        for i, t in enumerate(holds)
    ]
    rows = held + recommended
    trends = {t.pk: t for t in picks + holds}
    rerank.rerank_scores(brand, rows, trends, profile_digest=DIGEST)
    asked = story_ids(fake_llm.chat_requests[0])
    assert asked == [r.trend_id for r in recommended] + [held[0].trend_id]


def test_a_second_refresh_asks_nothing_when_every_grade_is_cached(brand, fake_llm):
    rows, trends = scored(brand, 15)
    first_trend = rows[0].trend_id
    fake_llm.answer_with(grader({first_trend: 0}))
    first = snapshot(rerank.rerank_scores(brand, fresh(rows), trends, profile_digest=DIGEST))
    again = snapshot(rerank.rerank_scores(brand, fresh(rows), trends, profile_digest=DIGEST))
    assert len(fake_llm.chat_requests) == 1
    assert again == first
    assert next(r for r in again if r[0] == first_trend)[3] == Decision.WATCHLIST


def test_only_trends_new_to_the_top_go_in_the_next_call(brand, fake_llm):
    fake_llm.answer_with(grader())
    rows, trends = scored(brand, 15)
    rerank.rerank_scores(brand, fresh(rows), trends, profile_digest=DIGEST)
    newcomer = make_trend("Breaking: instant payments reach every EU bank")
    trends[newcomer.pk] = newcomer
    rows = [make_row(brand, newcomer, relevance=0.95), *rows]
    rerank.rerank_scores(brand, fresh(rows), trends, profile_digest=DIGEST)
    assert len(fake_llm.chat_requests) == 2
    assert story_ids(fake_llm.chat_requests[1]) == [newcomer.pk]


def test_a_changed_brand_profile_is_graded_again(brand, fake_llm):
    fake_llm.answer_with(grader())
    rows, trends = scored(brand, 3)
    rerank.rerank_scores(brand, fresh(rows), trends, profile_digest=DIGEST)
    rerank.rerank_scores(brand, fresh(rows), trends, profile_digest="profile-digest-2")
    brand.voice_samples = ["A new voice entirely."]  # not embedded, but in the prompt
    rerank.rerank_scores(brand, fresh(rows), trends, profile_digest="profile-digest-2")
    assert len(fake_llm.chat_requests) == 3


# --- what the grades do -------------------------------------------------------------------------


def test_a_grade_three_trend_moves_above_a_grade_one_trend(brand, fake_llm):
    loose, square = make_trend("Neobank fee row"), make_trend("SMEs wait 45 days for invoices")
    rows = [make_row(brand, loose, relevance=0.9), make_row(brand, square, relevance=0.6)]
    fake_llm.answer_with(grader({loose.pk: 1, square.pk: 3}))
    ranked = rerank.rerank_scores(brand, rows, {loose.pk: loose, square.pk: square}, profile_digest=DIGEST)
    assert [r.trend_id for r in ranked] == [square.pk, loose.pk]
    top, bottom = ranked
    assert top.relevance == pytest.approx(0.5 * 0.6 + 0.5 * 1.0)
    assert bottom.relevance == pytest.approx(0.5 * 0.9 + 0.5 / 3)
    assert top.final == pytest.approx(0.35 * top.relevance + 0.35 * 0.6 + 0.20 * 0.8 + 0.10 * 0.5)
    assert top.decision == Decision.RECOMMEND
    assert bottom.decision == Decision.WATCHLIST  # a 1 is one the marketer would skip


def test_a_grade_zero_trend_is_held_back_but_kept(brand, fake_llm):
    collision = make_trend("Football club's payroll hits record")
    rows = [make_row(brand, collision, relevance=1.0, opportunity=1.0)]
    fake_llm.answer_with(grader({collision.pk: 0}))
    ranked = rerank.rerank_scores(brand, rows, {collision.pk: collision}, profile_digest=DIGEST)
    assert len(ranked) == 1
    assert ranked[0].decision == Decision.WATCHLIST
    assert ranked[0].llm_grade == 0


def test_a_grade_two_trend_needs_the_final_score_too(brand, fake_llm):
    weak = make_trend("Open banking survey")
    rows = [make_row(brand, weak, relevance=0.4, opportunity=0.3, format_fit=0.5)]
    fake_llm.answer_with(grader({weak.pk: 2}))
    ranked = rerank.rerank_scores(brand, rows, {weak.pk: weak}, profile_digest=DIGEST)
    assert ranked[0].final <= 0.5 and ranked[0].decision == Decision.WATCHLIST


def test_the_matched_pillar_is_the_llms_only_when_it_is_one_of_the_brands(brand, fake_llm):
    named, invented = make_trend("Open banking APIs go live"), make_trend("Payments news")
    rows = [make_row(brand, named), make_row(brand, invented)]
    fake_llm.answer_with(
        grader(pillars={named.pk: "open banking you can trust", invented.pk: "Payments innovation"})
    )
    ranked = rerank.rerank_scores(
        brand, rows, {named.pk: named, invented.pk: invented}, profile_digest=DIGEST
    )
    pillars = {r.trend_id: r.matched_pillar for r in ranked}
    assert pillars[named.pk] == "Open banking you can trust"  # as the brand wrote it
    assert pillars[invented.pk] == "Faster cash flow for SMEs"  # the embedding's match stays


def test_rows_below_the_top_fifteen_keep_their_scores(brand, fake_llm):
    fake_llm.answer_with(grader(default=3))
    rows, trends = scored(brand, 18)
    before = snapshot(rows[15:])
    rerank.rerank_scores(brand, rows, trends, profile_digest=DIGEST)
    assert snapshot(rows[15:]) == before


# --- failures keep the embedding ranking --------------------------------------------------------


def _kept(brand, fake_llm, caplog, rows=None, trends=None):
    """Rerank (four new trends unless given): the rows come back as they were; the log records."""
    if rows is None:
        rows, trends = scored(brand, 4)
    before = snapshot(rows)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="apps.trends.rerank"):
        ranked = rerank.rerank_scores(brand, rows, trends, profile_digest=DIGEST)
    assert snapshot(ranked) == before
    return [r for r in caplog.records if r.name == "apps.trends.rerank"]


def test_a_server_error_keeps_the_embedding_ranking(brand, fake_llm, llm_waits, caplog):
    fake_llm.fail(500, times=3)  # the client's retries too
    logged = _kept(brand, fake_llm, caplog)
    assert len(fake_llm.chat_requests) == 3
    assert len(logged) == 1 and logged[0].levelno == logging.WARNING


def test_a_timeout_keeps_the_embedding_ranking(brand, fake_llm, llm_waits, settings, caplog):
    settings.LLM_TIMEOUT, settings.LLM_MAX_RETRIES = 0.2, 0
    fake_llm.delay(0.6)
    logged = _kept(brand, fake_llm, caplog)
    assert len(logged) == 1 and "timed out" in logged[0].getMessage()


@pytest.mark.parametrize(
    "answer",
    [
        "Here are the grades you asked for: story 1 is a 3, story 2 is a 1.",
        '[{"id": 1, "grade": 3',  # cut short
        '{"grade": 3}',
    ],
)
def test_an_answer_that_is_not_the_json_asked_for_keeps_the_embedding_ranking(
    brand, fake_llm, caplog, answer
):
    fake_llm.reply(answer)
    logged = _kept(brand, fake_llm, caplog)
    assert len(logged) == 1 and logged[0].levelno == logging.WARNING


def test_an_answer_leaving_out_a_trend_keeps_the_embedding_ranking(brand, fake_llm, caplog):
    def all_but_last(request):
        ids = story_ids(request)
        return json.dumps([{"id": i, "grade": 3, "pillar": ""} for i in ids[:-1]])

    fake_llm.answer_with(all_but_last)
    rows, trends = scored(brand, 4)
    logged = _kept(brand, fake_llm, caplog, fresh(rows), trends)
    assert len(logged) == 1 and "left out 1 of 4" in logged[0].getMessage()
    # What it did grade is kept: the next refresh asks for the missing one only.
    fake_llm.answer_with(grader())
    rerank.rerank_scores(brand, fresh(rows), trends, profile_digest=DIGEST)
    assert story_ids(fake_llm.chat_requests[1]) == [rows[-1].trend_id]


def test_without_an_llm_nothing_is_asked_and_it_is_logged_once(brand, fake_llm, settings, caplog):
    settings.LLM_BASE_URL, settings.LLM_API_KEY = GROQ_BASE_URL, ""
    first = _kept(brand, fake_llm, caplog)
    second = _kept(brand, fake_llm, caplog)
    assert fake_llm.chat_requests == []
    assert len(first) == 1 and first[0].levelno == logging.INFO
    assert second == []


def test_the_setting_turns_reranking_off(brand, fake_llm, settings, caplog):
    settings.TREND_LLM_RERANK = False
    fake_llm.answer_with(grader(default=0))
    _kept(brand, fake_llm, caplog)
    assert fake_llm.chat_requests == []


def test_a_failing_server_is_asked_once_per_refresh_not_once_per_brand(brand, fake_llm, llm_waits, caplog):
    fake_llm.fail(503, times=3)
    _kept(brand, fake_llm, caplog)
    other = BrandFactory(pillars=["Home workouts for beginners"])
    fake_llm.answer_with(grader(default=0))
    _kept(other, fake_llm, caplog)
    assert len(fake_llm.chat_requests) == 3  # the first brand's attempts only
    cache.delete(rerank.PAUSE_KEY)  # the pause is over
    rows, trends = scored(other, 2, title="Later")
    rerank.rerank_scores(other, rows, trends, profile_digest=DIGEST)
    assert len(fake_llm.chat_requests) == 4


# --- reading the answer -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '[{"id": 7, "grade": 3, "pillar": "A"}, {"id": 8, "grade": 0, "pillar": ""}]',
        '```json\n[{"id": "7", "grade": 3.0, "pillar": "a"}, {"id": 8, "grade": "0"}]\n```',
        'Sure:\n[{"id": 7, "grade": 3, "pillar": "A"}, {"id": 8, "grade": 0}]\nHope this helps.',
        '{"grades": [{"id": 7, "grade": 3, "pillar": "A"}, {"id": 8, "grade": 0}]}',
    ],
)
def test_grades_are_read_from_the_usual_shapes_of_an_answer(text):
    grades = rerank.parse_grades(text, trend_ids=[7, 8], pillars=["A", "B"])
    assert grades == {7: rerank.Grade(3, "A"), 8: rerank.Grade(0, "")}


def test_unknown_ids_and_out_of_range_grades_are_left_out():
    text = json.dumps(
        [{"id": 9, "grade": 3}, {"id": 7, "grade": 5}, {"id": 7, "grade": True}, {"id": 8, "grade": 2}]
    )
    assert rerank.parse_grades(text, trend_ids=[7, 8], pillars=[]) == {8: rerank.Grade(2, "")}


# --- through the refresh job ----------------------------------------------------------------------


def test_a_refresh_costs_one_request_per_brand_and_the_second_none(fintech_brand, fake_llm):
    """The whole trend job with the LLM configured: one batched request per brand (counted by the
    fake server), the grades stored with the scores, and the next refresh served from the cache."""
    other = BrandFactory(
        industry=fintech_brand.industry,
        pillars=["Open banking APIs for developers", "Payments compliance for fintech teams"],
        audience_roles=["CTO"],
        onboarding_completed_at=timezone.now(),
    )
    fake_llm.answer_with(grader(default=3))
    run = TrendRefreshRun.objects.create()
    services.trend_refresh_execute(run=run, sources=[ListSource("newsapi", FINTECH_ITEMS)])
    brands_with_scores = set(BrandTrendScore.objects.values_list("brand_id", flat=True))
    assert {fintech_brand.pk, other.pk} <= brands_with_scores
    assert len(fake_llm.chat_requests) == len(brands_with_scores)
    assert all(r.json["temperature"] == 0 for r in fake_llm.chat_requests)
    run = TrendRefreshRun.objects.create()
    services.trend_refresh_execute(run=run, sources=[ListSource("newsapi", FINTECH_ITEMS)])
    assert len(fake_llm.chat_requests) == len(brands_with_scores)  # every grade was cached
