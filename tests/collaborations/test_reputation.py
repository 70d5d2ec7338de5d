"""Reputation (services.reputation): the documented formula's values, recomputed in the transaction
that ends a collaboration, its history kept, "New" until the first delivered collaboration."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.collaborations.models import (
    Collaboration,
    CollaborationResult,
    CollaborationStatus,
    ReputationEvent,
)
from apps.collaborations.services import (
    collaboration_advance,
    collaboration_cancel,
    collaborations_miss_overdue,
)
from apps.collaborations.services.reputation import reputation_components
from apps.notifications.models import Notification
from tests.collaborations import measure_fixtures
from tests.collaborations.measure_fixtures import brand_post, collaboration_for

membership, brand, owner, creator = (
    measure_fixtures.membership,
    measure_fixtures.brand,
    measure_fixtures.owner,
    measure_fixtures.creator,
)


def _started(brand, owner, creator):
    return collaboration_for(brand, owner, creator, brand_post(brand))


def _deliver(collaboration, *, reaction=None, late=False):
    """Through the steps to completed, with a result whose audience reaction is `reaction`."""
    collaboration = collaboration_advance(collaboration=collaboration, to=CollaborationStatus.REPOSTED)
    if late:
        Collaboration.objects.filter(pk=collaboration.pk).update(
            reposted_at=collaboration.repost_due_at + timedelta(hours=1)
        )
        collaboration.refresh_from_db()
    for step in (CollaborationStatus.VERIFIED, CollaborationStatus.MEASURED):
        collaboration = collaboration_advance(collaboration=collaboration, to=step)
    CollaborationResult.objects.create(collaboration=collaboration, audience_reaction=reaction, final=True)
    return collaboration_advance(collaboration=collaboration, to=CollaborationStatus.COMPLETED)


def _miss(collaboration):
    Collaboration.objects.filter(pk=collaboration.pk).update(
        repost_due_at=timezone.now() - timedelta(minutes=1)
    )
    collaborations_miss_overdue()


def test_an_influencer_without_ended_collaborations_is_new(creator):
    assert creator.reputation_score is None
    parts = reputation_components(profile=creator)
    assert parts["delivered"] == parts["missed"] == 0


def test_one_delivered_on_time_at_their_usual_engagement(brand, owner, creator):
    _deliver(_started(brand, owner, creator), reaction=1.0)

    creator.refresh_from_db()
    # D = (1 + 1.6) / 3, T = (1 + 1.8) / 3, P = (0.5 + 1.0) / 3
    expected = 100 * (0.45 * 2.6 / 3 + 0.20 * 2.8 / 3 + 0.35 * 1.5 / 3)
    assert creator.reputation_score == Decimal(str(round(expected, 2)))
    event = ReputationEvent.objects.get(profile=creator)
    assert event.previous is None and event.score == creator.reputation_score
    assert event.components["delivered"] == 1 and event.components["on_time"] == 1
    assert "completed" in event.reason
    assert Notification.objects.filter(user=creator.user, title__startswith="Your reputation is now").exists()


def test_performance_above_their_own_average_raises_the_score_and_is_capped(brand, owner, creator):
    other = measure_fixtures.InfluencerProfileFactory()
    _deliver(_started(brand, owner, creator), reaction=1.0)
    _deliver(_started(brand, owner, other), reaction=5.0)  # capped at twice their average
    creator.refresh_from_db()
    other.refresh_from_db()
    assert other.reputation_score > creator.reputation_score
    assert reputation_components(profile=other)["performance"] == pytest.approx((1.0 + 1.0) / 3, abs=1e-4)


def test_a_late_repost_counts_against_on_time(brand, owner, creator):
    _deliver(_started(brand, owner, creator), reaction=1.0, late=True)
    parts = reputation_components(profile=creator)
    assert parts["on_time"] == 0 and parts["on_time_rate"] == pytest.approx(1.8 / 3, abs=1e-4)


def test_a_miss_lowers_the_score_and_the_history_keeps_both_steps(brand, owner, creator):
    _deliver(_started(brand, owner, creator), reaction=1.0)
    creator.refresh_from_db()
    before = creator.reputation_score

    _miss(_started(brand, owner, creator))

    creator.refresh_from_db()
    parts = reputation_components(profile=creator)
    expected = 100 * (0.45 * 2.6 / 4 + 0.20 * 2.8 / 3 + 0.35 * 1.5 / 3) - 5
    assert creator.reputation_score == Decimal(str(round(expected, 2))) < before
    assert parts["missed"] == 1 and parts["penalty"] == 5
    events = list(ReputationEvent.objects.filter(profile=creator).order_by("created_at", "pk"))
    assert [e.previous for e in events] == [None, before]
    assert "missed" in events[1].reason


def test_a_miss_before_any_delivery_is_kept_but_the_profile_stays_new(brand, owner, creator):
    _miss(_started(brand, owner, creator))

    creator.refresh_from_db()
    assert creator.reputation_score is None
    event = ReputationEvent.objects.get(profile=creator)
    assert event.components["missed"] == 1

    _deliver(_started(brand, owner, creator), reaction=1.0)
    creator.refresh_from_db()
    assert reputation_components(profile=creator)["missed"] == 1
    assert creator.reputation_score == Decimal(str(reputation_components(profile=creator)["score"]))


def test_a_collaboration_the_brand_cancels_does_not_touch_the_reputation(brand, owner, creator):
    collaboration_cancel(collaboration=_started(brand, owner, creator), user=owner)
    assert not ReputationEvent.objects.exists()
    creator.refresh_from_db()
    assert creator.reputation_score is None


def test_many_misses_cost_at_most_the_penalty_cap(brand, owner, creator):
    for _ in range(8):
        _miss(_started(brand, owner, creator))
    parts = reputation_components(profile=creator)
    assert parts["penalty"] == 30 and 0 <= parts["score"] <= 100


def test_a_failed_ending_rolls_the_reputation_back_with_it(brand, owner, creator, monkeypatch):
    from apps.collaborations.services import collaboration as collaboration_services

    def broken(*args, **kwargs):
        raise RuntimeError("the notice could not be written")

    collaboration = _started(brand, owner, creator)
    Collaboration.objects.filter(pk=collaboration.pk).update(
        repost_due_at=timezone.now() - timedelta(minutes=1)
    )
    monkeypatch.setattr(collaboration_services, "_missed", broken)
    with pytest.raises(RuntimeError):
        collaborations_miss_overdue()
    assert not ReputationEvent.objects.exists()
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.ACCEPTED
