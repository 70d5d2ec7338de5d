"""seed_demo (the demo app's command): idempotent, and what `make run` shows after it."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from apps.accounts.models import User
    from apps.brands.models import Brand
    from apps.notifications.models import Notification

    call_command("seed_demo")
    counts = (User.objects.count(), Brand.objects.count(), Notification.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Brand.objects.count(), Notification.objects.count()) == counts
    from apps.demo.management.commands.seed_demo import DEMO_INFLUENCERS

    # brand owner, editor, influencer, staff (a welcome each) and the marketplace's dozen influencers,
    # whose back-dated offers and collaborations leave no notification behind
    assert len(DEMO_INFLUENCERS) == 12
    assert counts == (4 + 12, 1, 4)
    brand = Brand.objects.get()
    assert brand.is_onboarded and brand.voice_profile
    assert brand.connections.filter(platform="sandbox").exists()
    # the calendar has something on it: two publishing now, two in the queue, one approved
    from apps.analytics.models import MetricsSnapshot
    from apps.demo.management.commands.seed_demo import DEMO_HISTORY
    from apps.learning.models import PolicyModel, TrainingRun
    from apps.publishing.models import Publication

    calendar = Publication.objects.exclude(queued_by="time")
    assert sorted(calendar.values_list("queued_by", flat=True)) == ["now", "now", "queue", "queue"]
    assert brand.posts.count() == 5 + len(DEMO_HISTORY)
    # four weeks of sandbox history with its metrics, and the model trained on it
    history = Publication.objects.filter(queued_by="time", platform="sandbox")
    assert history.count() == len(DEMO_HISTORY)
    older_than_a_week = sum(1 for days_ago, *_ in DEMO_HISTORY if days_ago > 7)
    assert not history.filter(reward=None).exists()
    assert history.filter(reward_final=True).count() >= older_than_a_week
    assert MetricsSnapshot.objects.filter(publication__in=history).count() > 10 * len(DEMO_HISTORY)
    assert PolicyModel.objects.get(brand=brand).mode == "q"
    assert TrainingRun.objects.filter(brand=brand).count() == 1
    # rescored: the trends the history was about now carry a learned reward other than neutral
    from apps.trends.models import BrandTrendScore

    history_trends = history.values_list("post__trend_id", flat=True)
    scores = BrandTrendScore.objects.filter(brand=brand, trend_id__in=history_trends)
    assert scores.exists() and all(score.reward != 0.5 for score in scores)
    # the dashboard shows five recommendations, every one past the relevance gate (issue 18)
    from apps.trends import selectors
    from apps.trends.scoring import RELEVANCE_GATE

    top = selectors.brand_recommendations(brand=brand)["top"]
    assert len(top) == 5
    assert all(
        row.relevance >= RELEVANCE_GATE
        for row in scores.model.objects.filter(brand=brand, decision="recommend")
    )


@pytest.mark.django_db
def test_seed_demo_fills_the_marketplace_through_its_services():
    from django.db.models import Q

    from apps.brands.models import Brand
    from apps.collaborations.models import (
        Application,
        Collaboration,
        CollaborationStatus,
        InfluencerAccount,
        InfluencerAccountStatus,
        InfluencerProfile,
        LedgerEntry,
        LedgerStatus,
        Offer,
        OfferKind,
        OfferStatus,
    )
    from apps.collaborations.selectors.brand import InfluencerQuery, influencer_search
    from apps.collaborations.selectors.marketplace import influencer_inbox

    def tally():
        return (
            Offer.objects.count(),
            Collaboration.objects.count(),
            LedgerEntry.objects.count(),
            InfluencerAccount.objects.count(),
        )

    call_command("seed_demo")
    counts = tally()
    call_command("seed_demo")
    assert tally() == counts

    assert InfluencerProfile.objects.exclude(bio="").count() == 13
    assert all(p.follower_counts for p in InfluencerProfile.objects.all())
    # the dozen each repost from a Sandbox account of their own, made by the profile page's service
    dozen = InfluencerProfile.objects.filter(user__email__endswith="@influencers.demo.socialmedai.local")
    accounts = InfluencerAccount.objects.filter(profile__in=dozen, platform="sandbox")
    assert accounts.count() == 12 and accounts.values("profile").distinct().count() == 12
    for account in accounts.select_related("profile"):
        assert account.status == InfluencerAccountStatus.CONNECTED
        assert (account.handle, account.external_user_id) == (
            account.profile.slug,
            f"user:{account.profile.user_id}",
        )
    # usual fees (EUR) and engagement rates on every demo profile, so the search's filters find some
    assert not InfluencerProfile.objects.filter(Q(rate_minor__isnull=True) | Q(engagement_rate__isnull=True))
    assert set(InfluencerProfile.objects.values_list("rate_currency", flat=True)) == {"EUR"}
    brand = Brand.objects.get()
    found = influencer_search(
        brand=brand,
        query=InfluencerQuery(
            min_engagement=0.03, min_fee_minor=10000, max_fee_minor=30000, fee_currency="EUR", sort="reach"
        ),
    )
    assert 3 <= found.count() < 13
    assert all(p.engagement_rate >= 0.03 and 10000 <= p.rate_minor <= 30000 for p in found)
    demo = InfluencerProfile.objects.get(user__email="influencer@demo.socialmedai.local")
    inbox = influencer_inbox(profile=demo)
    assert [o.status for o in inbox.direct] == [OfferStatus.SENT]
    assert [o.kind for o in inbox.open_calls] == [OfferKind.OPEN_CALL]  # the demo audience matches it
    assert Offer.objects.filter(status=OfferStatus.COUNTERED, counter_fee_minor__isnull=False).count() == 1
    call = Offer.objects.get(kind=OfferKind.OPEN_CALL)
    assert call.status == OfferStatus.SENT and Application.objects.filter(offer=call).count() == 2
    # every step of a collaboration is on show (seed_marketplace and seed_deliveries)
    assert set(Collaboration.objects.values_list("status", flat=True)) == set(CollaborationStatus.values)

    # the ledger agrees: what stands (entries no later one reverses) is paid on both sides for the
    # paid fees, cancelled for the cancelled and missed ones, and pending for those under way
    def standing(status):
        found = set()
        for collaboration in Collaboration.objects.filter(status=status):
            entries = collaboration.ledger_entries.filter(reversed_by__isnull=True)
            found.add(tuple(sorted(entries.values_list("party", "status"))))
        (only,) = found
        return list(only)

    assert standing(CollaborationStatus.PAID) == [
        ("brand", LedgerStatus.PAID),
        ("influencer", LedgerStatus.PAID),
    ]
    assert standing(CollaborationStatus.CANCELLED) == [
        ("brand", LedgerStatus.CANCELLED),
        ("influencer", LedgerStatus.CANCELLED),
    ]
    assert standing(CollaborationStatus.ACCEPTED) == [
        ("brand", LedgerStatus.PENDING),
        ("influencer", LedgerStatus.PENDING),
    ]
    assert all(
        c.offer.post.brand_id == c.brand_id for c in Collaboration.objects.select_related("offer__post")
    )
    assert standing(CollaborationStatus.MISSED) == [
        ("brand", LedgerStatus.CANCELLED),
        ("influencer", LedgerStatus.CANCELLED),
    ]


@pytest.mark.django_db
def test_seed_demo_shows_measured_collaborations_and_reputations_on_the_first_visit(client):
    from apps.brands.models import Brand
    from apps.collaborations.models import (
        Collaboration,
        CollaborationResult,
        CollaborationStatus,
        InfluencerProfile,
        Repost,
        ReputationEvent,
    )
    from apps.collaborations.selectors.analytics import brand_collaboration_roi, influencer_report

    call_command("seed_demo")
    counts = (Repost.objects.count(), CollaborationResult.objects.count(), ReputationEvent.objects.count())
    call_command("seed_demo")
    assert (
        Repost.objects.count(),
        CollaborationResult.objects.count(),
        ReputationEvent.objects.count(),
    ) == counts

    brand = Brand.objects.get()
    # completed and paid ones were measured by the real job (sandbox numbers) and are final
    done = Collaboration.objects.filter(status__in=[CollaborationStatus.COMPLETED, CollaborationStatus.PAID])
    results = CollaborationResult.objects.filter(collaboration__in=done, final=True)
    assert results.count() >= 7 and all(r.repost_reach > 0 and r.roi is not None for r in results)
    measured = Collaboration.objects.get(
        status=CollaborationStatus.MEASURED, influencer__user__email__startswith="influencer@"
    )
    assert measured.result.final is False and measured.repost.metrics_fetched_at is not None
    roi = brand_collaboration_roi(brand=brand)
    assert len(roi.rows) >= 9 and roi.over_time and roi.mean_roi is not None

    # reputations: several influencers have a history, charted in time order, ending at their score
    profiles = InfluencerProfile.objects.filter(reputation_score__isnull=False)
    assert profiles.count() >= 4
    for profile in profiles:
        events = list(ReputationEvent.objects.filter(profile=profile).order_by("created_at", "pk"))
        assert events[-1].score == profile.reputation_score
    demo = InfluencerProfile.objects.get(user__email="influencer@demo.socialmedai.local")
    report = influencer_report(profile=demo)
    assert report.engagement_total > 0 and len(report.reputation) >= 3
    assert [e.currency for e in report.earnings] == ["EUR"] and report.earnings[0].received_minor > 0
    # a missed one lowers someone's reputation, kept in the history
    assert ReputationEvent.objects.filter(components__missed__gte=1).exists()

    client.force_login(demo.user)
    assert client.get("/influencer/analytics/").status_code == 200
    page = client.get(f"/influencer/@{demo.slug}/").content.decode()
    assert 'id="reputation-chart"' in page and 'id="delivered-list"' in page
