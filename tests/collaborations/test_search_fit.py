"""Finding influencers (issue 19): the search's filters (verified counts, engagement rate,
reputation, usual fee in the brand's currency), its sorts (fit by default once the worker scored the
brand, reach, reputation), the cards (verified badge, reputation sparkline or "New", delivered
reach) and their query count; the fit of influencers with a brand from embeddings (formula, ranking,
the worker's tasks and when they are queued); the usual fee in the influencer's profile editor."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone

from apps.collaborations import fit, tasks
from apps.collaborations.models import (
    CollaborationResult,
    InfluencerFit,
    InfluencerProfile,
    ReputationEvent,
)
from apps.collaborations.selectors.brand import InfluencerQuery, InfluencerResults, influencer_search
from apps.collaborations.services import offer_accept, offer_send
from apps.collaborations.services.fit import (
    brand_influencer_fit_refresh,
    influencer_embed,
)
from apps.core.schedules import PERIODIC_TASKS
from apps.trends.models import BrandEmbedding
from tests.factories import BrandFactory, InfluencerProfileFactory, PublishedPostFactory

pytestmark = pytest.mark.django_db

DIM = fit.DIMENSIONS


@pytest.fixture
def member(client, brand_user):
    client.force_login(brand_user)
    return client


def _url(brand) -> str:
    return reverse("collaborations_brand:influencers", args=[brand.pk])


def _slugs(member, brand, **params) -> list[str]:
    return [p.slug for p in member.get(_url(brand), params).context["profiles"]]


def _profile(slug: str, **fields) -> InfluencerProfile:
    fields.setdefault("follower_counts", {"x": {"count": 1000}})
    return InfluencerProfileFactory(slug=slug, **fields)


def _unit(*hot: int) -> np.ndarray:
    """A unit vector spread over the given dimensions."""
    vector = np.zeros(DIM, dtype=np.float32)
    vector[list(hot)] = 1.0
    return vector / np.linalg.norm(vector)


def _embed(profile: InfluencerProfile, vector: np.ndarray) -> None:
    InfluencerProfile.objects.filter(pk=profile.pk).update(
        embedding=fit.vector_bytes(vector), embedding_hash="x"
    )


def _brand_embedding(brand, profile: np.ndarray, pillars: list[np.ndarray]) -> BrandEmbedding:
    return BrandEmbedding.objects.create(
        brand=brand,
        vector=fit.vector_bytes(profile),
        pillar_vectors=np.vstack(pillars).astype(np.float32).tobytes() if pillars else b"",
        pillars=[f"pillar {i}" for i in range(len(pillars))],
        text_digest="test",
        computed_at=timezone.now(),
    )


@pytest.fixture
def word_hash_embedder(settings):
    """The trends tests' stand-in for all-MiniLM-L6-v2 (no model is loaded)."""
    from apps.trends import embeddings

    settings.TREND_EMBEDDER = "tests.test_bench_relevance.WordHashEmbedder"
    embeddings.embedder.cache_clear()
    yield
    embeddings.embedder.cache_clear()


# --- Filters ------------------------------------------------------------------------------------


def test_verified_only_keeps_profiles_with_a_verified_count_on_the_chosen_platform(member, brand):
    _profile("both", follower_counts={"x": {"count": 900, "verified": True}, "linkedin": {"count": 500}})
    _profile("typed", follower_counts={"x": {"count": 5000}})
    _profile("li-verified", follower_counts={"linkedin": {"count": 800, "verified": True}})
    assert sorted(_slugs(member, brand, verified="on")) == ["both", "li-verified"]
    assert _slugs(member, brand, verified="on", platform="x") == ["both"]
    assert _slugs(member, brand, verified="on", platform="linkedin") == ["li-verified"]


def test_engagement_rate_is_typed_as_a_percentage(member, brand):
    _profile("high", engagement_rate=0.045)
    _profile("low", engagement_rate=0.012)
    _profile("unmeasured", engagement_rate=None)
    assert _slugs(member, brand, min_engagement="2.5") == ["high"]
    assert sorted(_slugs(member, brand, min_engagement="1")) == ["high", "low"]
    response = member.get(_url(brand), {"min_engagement": "150"})
    assert response.context["form"].errors["min_engagement"]


def test_fee_range_compares_fees_in_the_brands_currency_only(member, brand):
    _profile("cheap", rate_minor=5_000, rate_currency="EUR")
    _profile("dear", rate_minor=90_000, rate_currency="EUR")
    _profile("dollars", rate_minor=5_000, rate_currency="USD")
    _profile("no-fee")
    assert _slugs(member, brand, fee_max="100") == ["cheap"]
    assert _slugs(member, brand, fee_min="100") == ["dear"]
    assert sorted(_slugs(member, brand, fee_min="10", fee_max="1000")) == ["cheap", "dear"]
    assert len(_slugs(member, brand)) == 4
    page = member.get(_url(brand)).content.decode()
    assert "Usual fee up to (EUR)" in page and "Fees are not converted" in page


def test_a_bad_fee_is_shown_next_to_its_field_and_filters_nothing(member, brand):
    _profile("cheap", rate_minor=5_000, rate_currency="EUR")
    _profile("dear", rate_minor=90_000, rate_currency="EUR")
    response = member.get(_url(brand), {"fee_min": "500", "fee_max": "100"})
    assert response.context["form"].errors["fee_max"] == ["The upper fee is below the lower one."]
    assert len(response.context["profiles"]) == 2
    response = member.get(_url(brand), {"fee_max": "12.345"})
    assert "EUR has 2 decimal places at most." in response.context["form"].errors["fee_max"]
    assert 'id="id_fee_max_error"' in response.content.decode()
    assert member.get(_url(brand), {"fee_min": "lots"}).context["form"].errors["fee_min"]


def test_min_followers_on_any_platform_uses_the_total(brand):
    _profile("split", follower_counts={"x": {"count": 600}, "linkedin": {"count": 600}})
    _profile("small", follower_counts={"x": {"count": 900}})
    found = influencer_search(brand=brand, query=InfluencerQuery(min_followers=1000, sort="reach"))
    assert [(p.slug, p.reach) for p in found] == [("split", 1200)]


# --- Sorts --------------------------------------------------------------------------------------


def test_without_fit_scores_the_search_sorts_by_reach(member, brand):
    _profile("small", follower_counts={"x": {"count": 100}})
    _profile("big", follower_counts={"x": {"count": 9000}})
    response = member.get(_url(brand))
    assert [p.slug for p in response.context["profiles"]] == ["big", "small"]
    assert response.context["sort"] == "reach"
    assert 'id="mk-fit-note"' in response.content.decode()


def test_with_fit_scores_the_search_sorts_by_fit_and_unscored_profiles_come_last(member, brand):
    close = _profile("close", follower_counts={"x": {"count": 100}})
    far = _profile("far", follower_counts={"x": {"count": 5000}})
    _profile("unscored", follower_counts={"x": {"count": 9000}})
    now = timezone.now()
    InfluencerFit.objects.create(brand=brand, influencer=close, score=0.8, computed_at=now)
    InfluencerFit.objects.create(brand=brand, influencer=far, score=0.2, computed_at=now)
    other = BrandFactory()
    InfluencerFit.objects.create(brand=other, influencer=far, score=0.99, computed_at=now)
    response = member.get(_url(brand))
    assert [p.slug for p in response.context["profiles"]] == ["close", "far", "unscored"]
    assert response.context["sort"] == "fit"
    assert "80%" in response.content.decode()  # the card's fit
    assert _slugs(member, brand, sort="reach") == ["unscored", "far", "close"]


def test_reputation_sort_puts_new_influencers_last(member, brand):
    _profile("new", follower_counts={"x": {"count": 9000}})
    _profile("good", reputation_score=Decimal("80"))
    _profile("fair", reputation_score=Decimal("55"))
    assert _slugs(member, brand, sort="reputation") == ["good", "fair", "new"]
    assert _slugs(member, brand, sort="reputation", min_reputation="60") == ["good"]


def test_results_page_through_all_matches_in_order(brand):
    for i in range(7):
        _profile(f"p{i}", follower_counts={"x": {"count": 100 * (i + 1)}})
    query = InfluencerQuery(sort="reach")
    expected = [p.slug for p in influencer_search(brand=brand, query=query)]
    paginator = Paginator(InfluencerResults(brand=brand, query=query, page=2, per_page=3), 3)
    assert paginator.count == 7
    seen = [p.slug for n in paginator.page_range for p in paginator.page(n).object_list]
    assert seen == expected == ["p6", "p5", "p4", "p3", "p2", "p1", "p0"]
    past_the_end = Paginator(InfluencerResults(brand=brand, query=query, page=9, per_page=3), 3)
    last = past_the_end.get_page(9)
    assert last.number == 3 and [p.slug for p in last.object_list] == ["p0"]
    nothing = InfluencerResults(brand=brand, query=InfluencerQuery(roles=["Nobody"]))
    assert nothing.count() == 0 and nothing[0:24] == []


# --- Cards --------------------------------------------------------------------------------------


def _collaboration_with_reach(brand, user, profile, reach: int):
    [offer] = offer_send(
        brand=brand,
        user=user,
        post=PublishedPostFactory(brand=brand),
        influencers=[profile],
        fee_minor=10_000,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=2),
        platform="x",
    )
    collaboration = offer_accept(offer=offer, influencer=profile)
    CollaborationResult.objects.create(collaboration=collaboration, repost_reach=reach)
    return collaboration


def test_cards_show_verified_badge_reputation_history_and_delivered_reach(member, brand, brand_user):
    star = _profile(
        "star",
        follower_counts={"x": {"count": 4000, "verified": True}},
        reputation_score=Decimal("72.50"),
        engagement_rate=0.031,
        rate_minor=15_000,
        rate_currency="EUR",
    )
    _profile("newcomer", follower_counts={"x": {"count": 100}})
    for score in ("60", "75", "72.50"):
        ReputationEvent.objects.create(profile=star, score=Decimal(score))
    _collaboration_with_reach(brand, brand_user, star, 1200)
    _collaboration_with_reach(brand, brand_user, star, 800)
    html = member.get(_url(brand)).content.decode()
    card = html[html.index('id="influencer-' + str(star.pk)) :]
    card = card[: card.index("</li>\n")]
    assert "✓ Verified" in card
    assert "★ 72.50" in card
    assert '<svg class="mk-spark"' in card and 'aria-label="Reputation history: 60.0, 75.0, 72.5"' in card
    assert "<polyline points=" in card
    assert "Delivered reach</dt><dd" in card and "2,000" in card
    assert "3.1%" in card and "150.00 EUR" in card
    newcomer = html[html.index("@newcomer") :]
    newcomer = newcomer[: newcomer.index("</li>\n")]
    assert "New</span>" in newcomer
    assert "mk-spark" not in newcomer and "Delivered reach" not in newcomer and "Verified" not in newcomer


def test_the_sparkline_keeps_the_last_eight_scores(brand):
    from apps.collaborations.selectors.brand import influencer_cards

    profile = _profile("steady")
    for score in range(10, 130, 10):  # 12 events, the last at 120 (drawn at the top)
        ReputationEvent.objects.create(profile=profile, score=Decimal(min(score, 100)))
    [card] = influencer_cards([profile])
    assert card.reputation_history == [50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 100.0, 100.0]


def test_search_page_costs_the_same_queries_with_cards_full_of_history(
    member, brand, brand_user, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(32):
        profile = _profile(
            f"p{i:02d}",
            follower_counts={"x": {"count": 1000 + i, "verified": i % 2 == 0}},
            reputation_score=Decimal("50") if i % 3 == 0 else None,
        )
        InfluencerFit.objects.create(brand=brand, influencer=profile, score=i / 100, computed_at=now)
        if i % 3 == 0:
            for score in ("40", "50"):
                ReputationEvent.objects.create(profile=profile, score=Decimal(score))
        if i % 4 == 0:
            _collaboration_with_reach(brand, brand_user, profile, 100 + i)
    # session, user, membership, has fits, currency, page ids with the count, the page's profiles,
    # reputation history, delivered reach, unread notifications
    with django_assert_max_num_queries(10):
        first = member.get(_url(brand))
    assert [p.slug for p in first.context["profiles"]][:2] == ["p31", "p30"]
    assert len(first.context["cards"]) == 24
    with django_assert_max_num_queries(10):
        second = member.get(_url(brand), {"page": 2})
    assert [p.slug for p in second.context["profiles"]] == [f"p{i:02d}" for i in range(7, -1, -1)]
    with django_assert_max_num_queries(10):
        verified = member.get(_url(brand), {"verified": "on", "sort": "reach"})
    assert len(verified.context["profiles"]) == 16


# --- Fit: the formula and the ranking -----------------------------------------------------------


def test_fit_is_half_the_profile_cosine_and_half_the_best_pillar_cosine():
    profile, pillars = _unit(0), np.vstack([_unit(1), _unit(2)])
    matrix = np.vstack([_unit(0), _unit(1), _unit(0, 2), _unit(3)])
    scores = fit.fit_scores(matrix, profile, pillars)
    assert scores == pytest.approx([0.5, 0.5, 0.5 * 0.7071 + 0.5 * 0.7071, 0.0], abs=1e-3)
    # no pillars: the profile alone
    assert fit.fit_scores(matrix, profile, None) == pytest.approx([1.0, 0.0, 0.7071, 0.0], abs=1e-3)


def test_profile_text_is_the_bio_and_the_audience_and_its_hash_follows_it():
    text = fit.profile_text(bio="I write  about payments.", roles=["CFOs"], industries=[], geographies=["UK"])
    assert text == "I write about payments. Audience: CFOs. Based in: UK."
    assert fit.profile_text(bio="", roles=[], industries=[], geographies=[]) == ""
    assert fit.text_hash(text) != fit.text_hash(text + " ")


def test_brand_fit_refresh_ranks_every_embedded_profile(brand):
    near = _profile("near")
    pillar_fan = _profile("pillar-fan")
    off = _profile("off")
    unembedded = _profile("unembedded")
    _embed(near, _unit(0))
    _embed(pillar_fan, _unit(5))
    _embed(off, _unit(9))
    _brand_embedding(brand, _unit(0, 1), [_unit(5), _unit(6)])
    assert brand_influencer_fit_refresh(brand_id=brand.pk) == 3
    scores = dict(InfluencerFit.objects.filter(brand=brand).values_list("influencer__slug", "score"))
    assert scores == pytest.approx({"near": 0.5 * 0.7071, "pillar-fan": 0.5, "off": 0.0}, abs=1e-3)
    query = InfluencerQuery(sort="fit")
    found = [p.slug for p in influencer_search(brand=brand, query=query)]
    assert found == ["pillar-fan", "near", "off", "unembedded"]
    assert unembedded.fits.count() == 0


def test_a_second_refresh_updates_scores_and_drops_profiles_that_lost_their_embedding(brand):
    first, second = _profile("first"), _profile("second")
    _embed(first, _unit(0))
    _embed(second, _unit(1))
    embedding = _brand_embedding(brand, _unit(0), [])
    brand_influencer_fit_refresh(brand_id=brand.pk)
    ids_before = dict(InfluencerFit.objects.filter(brand=brand).values_list("influencer_id", "pk"))
    BrandEmbedding.objects.filter(pk=embedding.pk).update(vector=fit.vector_bytes(_unit(1)))
    InfluencerProfile.objects.filter(pk=first.pk).update(embedding=None, embedding_hash="")
    assert brand_influencer_fit_refresh(brand_id=brand.pk) == 1
    rows = list(InfluencerFit.objects.filter(brand=brand).values_list("influencer_id", "pk", "score"))
    assert rows == [(second.pk, ids_before[second.pk], pytest.approx(1.0))]  # updated in place


def test_a_brand_without_an_embedding_has_no_fits(brand):
    profile = _profile("any")
    _embed(profile, _unit(0))
    InfluencerFit.objects.create(brand=brand, influencer=profile, score=0.5, computed_at=timezone.now())
    assert brand_influencer_fit_refresh(brand_id=brand.pk) == 0
    assert not InfluencerFit.objects.filter(brand=brand).exists()


def test_a_new_brands_scores_are_copied_with_their_time(brand):
    """A brand without scores takes the COPY path: every column as the ORM reads it back."""
    profiles = [_profile(f"p{i}") for i in range(3)]
    for i, profile in enumerate(profiles):
        _embed(profile, _unit(i))
    _brand_embedding(brand, _unit(0), [])
    before = timezone.now()
    assert brand_influencer_fit_refresh(brand_id=brand.pk) == 3
    rows = {f.influencer_id: f for f in InfluencerFit.objects.filter(brand=brand)}
    assert {pk: f.score for pk, f in rows.items()} == pytest.approx(
        {profiles[0].pk: 1.0, profiles[1].pk: 0.0, profiles[2].pk: 0.0}, abs=1e-6
    )
    assert all(before <= f.computed_at <= timezone.now() for f in rows.values())
    # a later refresh updates those rows in place, and adds a row for a newly embedded profile
    newcomer = _profile("newcomer")
    _embed(newcomer, _unit(1, 2))
    BrandEmbedding.objects.filter(brand=brand).update(vector=fit.vector_bytes(_unit(1)))
    assert brand_influencer_fit_refresh(brand_id=brand.pk) == 4
    after = {f.influencer_id: (f.pk, f.score) for f in InfluencerFit.objects.filter(brand=brand)}
    assert {pk: score for pk, (_, score) in after.items()} == pytest.approx(
        {profiles[0].pk: 0.0, profiles[1].pk: 1.0, profiles[2].pk: 0.0, newcomer.pk: 0.7071}, abs=1e-3
    )
    assert {pk: after[pk][0] for pk in rows} == {pk: f.pk for pk, f in rows.items()}  # in place


def test_embeddings_are_scored_batch_by_batch_as_they_stream_in(brand, monkeypatch):
    """The COPY stream is scored a batch of rows at a time: the same ids and scores as one matrix,
    whatever the batch (a row cut across two batches, a last batch part full)."""
    from apps.collaborations.services import fit as fit_services

    rng = np.random.default_rng(3)
    for i in range(5):
        vector = rng.normal(size=DIM).astype(np.float32)
        _embed(_profile(f"p{i}"), vector / np.linalg.norm(vector))
    _profile("unembedded")
    profile, pillars = _unit(0), np.vstack([_unit(1), _unit(2)])
    ids, matrix = fit_services._embedded_profiles()
    expected = dict(zip(ids.tolist(), fit.fit_scores(matrix, profile, pillars).tolist(), strict=True))
    assert len(expected) == 5
    for batch in (1, 2, 3, 5, 2048):
        monkeypatch.setattr(fit_services, "_SCORE_BATCH", batch)
        ids, scores = fit_services._embedded_profile_scores(profile, pillars)
        assert dict(zip(ids.tolist(), scores.tolist(), strict=True)) == pytest.approx(expected)


def _fit_constraints() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, InfluencerFit._meta.db_table)
    return [name for name, c in constraints.items() if c["foreign_key"]]


def test_scores_go_with_their_brand_or_profile_without_database_constraints(brand):
    """The table has no foreign-key constraints (a new brand's 100,000 rows are not checked one by
    one): Django's on_delete=CASCADE deletes the scores of a deleted brand or profile."""
    assert _fit_constraints() == []
    other = BrandFactory()
    kept, leaving = _profile("kept"), _profile("leaving")
    for profile in (kept, leaving):
        _embed(profile, _unit(0))
    for each in (brand, other):
        _brand_embedding(each, _unit(0), [])
        assert brand_influencer_fit_refresh(brand_id=each.pk) == 2
    leaving.user.delete()  # the account goes, and its profile with it
    assert not InfluencerProfile.objects.filter(pk=leaving.pk).exists()
    assert sorted(InfluencerFit.objects.values_list("brand_id", "influencer_id")) == sorted(
        [(brand.pk, kept.pk), (other.pk, kept.pk)]
    )
    other.delete()
    assert list(InfluencerFit.objects.values_list("brand_id", "influencer_id")) == [(brand.pk, kept.pk)]


@pytest.mark.parametrize("scored_before", [False, True], ids=["new brand", "brand with scores"])
def test_a_profile_deleted_while_the_brand_is_ranked_gets_no_score(brand, monkeypatch, scored_before):
    from apps.collaborations.services import fit as fit_services

    stays, goes = _profile("stays"), _profile("goes")
    for profile in (stays, goes):
        _embed(profile, _unit(0))
    _brand_embedding(brand, _unit(0), [])
    if scored_before:
        brand_influencer_fit_refresh(brand_id=brand.pk)
        InfluencerFit.objects.filter(influencer=goes).delete()
    read = fit_services._embedded_profile_scores

    def read_then_delete(*args):
        embedded = read(*args)
        InfluencerProfile.objects.filter(pk=goes.pk).delete()
        return embedded

    monkeypatch.setattr(fit_services, "_embedded_profile_scores", read_then_delete)
    brand_influencer_fit_refresh(brand_id=brand.pk)
    assert list(InfluencerFit.objects.values_list("influencer_id", flat=True)) == [stays.pk]


def test_a_brand_deleted_while_it_is_ranked_gets_no_scores(brand, monkeypatch):
    from apps.collaborations.services import fit as fit_services

    _embed(_profile("any"), _unit(0))
    _brand_embedding(brand, _unit(0), [])
    read = fit_services._embedded_profile_scores

    def read_then_delete(*args):
        embedded = read(*args)
        brand.delete()
        return embedded

    monkeypatch.setattr(fit_services, "_embedded_profile_scores", read_then_delete)
    brand_influencer_fit_refresh(brand_id=brand.pk)
    assert not InfluencerFit.objects.exists()


def test_the_daily_job_sweeps_scores_left_by_a_deletion_during_a_refresh(brand, monkeypatch):
    """What a constraint would have refused: rows of a brand or profile that no longer exists
    (written by a refresh that committed after the deletion's cascade ran)."""
    monkeypatch.setattr(tasks.brand_influencer_fit_refresh_task, "delay", lambda brand_id: None)
    monkeypatch.setattr(tasks.influencer_embed_task, "delay", lambda profile_id: None)
    profile = _profile("here")
    gone_profile, gone_brand = _profile("gone"), BrandFactory()
    gone_ids = (gone_profile.pk, gone_brand.pk)
    gone_profile.user.delete()
    gone_brand.delete()
    now = timezone.now()
    InfluencerFit.objects.bulk_create(
        [
            InfluencerFit(brand=brand, influencer=profile, score=0.5, computed_at=now),
            InfluencerFit(brand=brand, influencer_id=gone_ids[0], score=0.5, computed_at=now),
            InfluencerFit(brand_id=gone_ids[1], influencer=profile, score=0.5, computed_at=now),
        ]
    )
    tasks.influencer_fit_daily_task()
    assert list(InfluencerFit.objects.values_list("brand_id", "influencer_id")) == [(brand.pk, profile.pk)]


# --- Fit: the worker's tasks and when they are queued --------------------------------------------


def test_embedding_a_profile_stores_its_vector_once_and_scores_it_for_every_brand(brand, word_hash_embedder):
    profile = _profile("ivy", bio="Payments for finance teams", audience_roles=["CFOs"])
    _brand_embedding(brand, _unit(3), [])
    assert influencer_embed(profile_id=profile.pk) is True
    profile.refresh_from_db()
    vector = np.frombuffer(bytes(profile.embedding), dtype=np.float32)
    assert vector.shape == (DIM,) and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert profile.embedding_hash == fit.text_hash(
        fit.profile_text(bio=profile.bio, roles=["CFOs"], industries=["Fintech"], geographies=["UK"])
    )
    assert InfluencerFit.objects.filter(brand=brand, influencer=profile).count() == 1
    assert influencer_embed(profile_id=profile.pk) is False  # same text: nothing to do


def test_a_profile_without_text_has_no_embedding(word_hash_embedder):
    profile = _profile("blank", bio="", audience_roles=[], audience_industries=[], audience_geographies=[])
    InfluencerProfile.objects.filter(pk=profile.pk).update(embedding=b"\0" * DIM * 4, embedding_hash="old")
    assert influencer_embed(profile_id=profile.pk) is True
    profile.refresh_from_db()
    assert profile.embedding is None and profile.embedding_hash == ""


def test_saving_a_changed_text_queues_the_embedding_after_commit_and_never_loads_a_model(
    monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.influencer_embed_task, "delay", queued.append)
    monkeypatch.setattr("apps.collaborations.services.fit.embed_texts", lambda texts: pytest.fail("model"))
    with django_capture_on_commit_callbacks(execute=True):
        profile = _profile("ivy", bio="Payments")
    assert queued == [profile.pk]
    with django_capture_on_commit_callbacks(execute=True):
        profile.rate_minor, profile.rate_currency = 5_000, "EUR"
        profile.save(update_fields=["rate_minor", "rate_currency"])
        InfluencerProfile.objects.filter(pk=profile.pk).update(
            embedding_hash=fit.text_hash(
                fit.profile_text(
                    bio="Payments", roles=["Founders"], industries=["Fintech"], geographies=["UK"]
                )
            )
        )
        profile.refresh_from_db()
        profile.save()  # same text as embedded
    assert queued == [profile.pk]
    with django_capture_on_commit_callbacks(execute=True):
        profile.bio = "Payments and treasury"
        profile.save()
    assert queued == [profile.pk, profile.pk]


def test_a_new_brand_embedding_queues_the_brands_fit_refresh(
    brand, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.brand_influencer_fit_refresh_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        _brand_embedding(brand, _unit(0), [])
    assert queued == [brand.pk]


def test_the_daily_job_refreshes_every_embedded_brand_and_embeds_profiles_lacking_one(brand, monkeypatch):
    assert any(t["task"] == "collaborations.influencer_fit_daily" for t in PERIODIC_TASKS)
    refreshed, embedded = [], []
    monkeypatch.setattr(tasks.brand_influencer_fit_refresh_task, "delay", refreshed.append)
    monkeypatch.setattr(tasks.influencer_embed_task, "delay", embedded.append)
    _brand_embedding(brand, _unit(0), [])
    BrandFactory()  # no embedding: nothing to rank against
    lacking = _profile("lacking", bio="Payments")
    done = _profile("done")
    InfluencerProfile.objects.filter(pk=done.pk).update(embedding_hash="made")
    _profile("blank", bio="", audience_roles=[], audience_industries=[], audience_geographies=[])
    refreshed.clear(), embedded.clear()
    assert tasks.influencer_fit_daily_task() == 1
    assert refreshed == [brand.pk] and embedded == [lacking.pk]


def test_the_fit_refresh_task_runs_the_whole_ranking(brand):
    profile = _profile("one")
    _embed(profile, _unit(0))
    _brand_embedding(brand, _unit(0), [])
    assert tasks.brand_influencer_fit_refresh_task.delay(brand.pk).get() == 1
    assert InfluencerFit.objects.get(brand=brand).score == pytest.approx(1.0)


# --- The influencer's usual fee -----------------------------------------------------------------


EDIT_URL = reverse("collaborations:profile_edit")


def _editor_data(**overrides):
    data = {
        "display_name": "Ivy Chen",
        "handle": "ivy-chen",
        "bio": "I write about payments.",
        "audience_roles": "CFOs",
        "audience_industries": "Fintech",
        "audience_geographies": "UK",
        "is_public": "on",
        "rate": "",
        "rate_currency": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(client, influencer):
    client.force_login(influencer)
    return client


def test_the_influencer_sets_a_usual_fee_in_minor_units(signed_in, influencer):
    response = signed_in.post(EDIT_URL, _editor_data(rate="150.50", rate_currency="EUR"))
    assert response.status_code == 302
    profile = InfluencerProfile.objects.get(user=influencer)
    assert (profile.rate_minor, profile.rate_currency) == (15_050, "EUR")
    assert 'value="150.50"' in signed_in.get(EDIT_URL).content.decode()
    signed_in.post(EDIT_URL, _editor_data(rate="5000", rate_currency="JPY"))
    profile.refresh_from_db()
    assert (profile.rate_minor, profile.rate_currency) == (5_000, "JPY")
    signed_in.post(EDIT_URL, _editor_data(rate="", rate_currency="JPY"))
    profile.refresh_from_db()
    assert (profile.rate_minor, profile.rate_currency) == (None, "")


@pytest.mark.parametrize(
    ("rate", "currency", "field", "message"),
    [
        ("0", "EUR", "rate", "The fee must be more than zero."),
        ("-5", "EUR", "rate", "The fee must be more than zero."),
        ("12.345", "EUR", "rate", "EUR has 2 decimal places at most."),
        ("a lot", "EUR", "rate", "“a lot” is not an amount."),
        ("100", "", "rate_currency", "Choose the currency of your fee."),
        ("100", "XYZ", "rate_currency", "Select a valid choice."),
    ],
)
def test_a_bad_fee_is_refused_next_to_its_field_and_nothing_changes(
    signed_in, influencer, rate, currency, field, message
):
    signed_in.post(EDIT_URL, _editor_data(rate="80", rate_currency="EUR"))
    response = signed_in.post(EDIT_URL, _editor_data(bio="Changed", rate=rate, rate_currency=currency))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    profile = InfluencerProfile.objects.get(user=influencer)
    assert (profile.rate_minor, profile.rate_currency, profile.bio) == (
        8_000,
        "EUR",
        "I write about payments.",
    )


def test_the_fee_service_refuses_what_the_form_would(influencer):
    from django.core.exceptions import ValidationError

    from apps.collaborations.services import influencer_profile_get_or_create
    from apps.collaborations.services.rates import influencer_rate_set

    profile = influencer_profile_get_or_create(user=influencer)
    with pytest.raises(ValidationError, match="ISO 4217"):
        influencer_rate_set(profile=profile, rate_minor=100, currency="EURO")
    with pytest.raises(ValidationError, match="more than zero"):
        influencer_rate_set(profile=profile, rate_minor=0, currency="EUR")
    profile.refresh_from_db()
    assert profile.rate_minor is None
