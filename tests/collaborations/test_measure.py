"""Measuring reposts (services.measure): the 4-hourly fetch through the platform clients against the
local fakes, the result's formulas, the steps verified → measured → completed, and the brand's prices."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.collaborations.models import (
    CollaborationResult,
    CollaborationSettings,
    CollaborationStatus,
    InfluencerAccountStatus,
    ReputationEvent,
)
from apps.collaborations.services.measure import (
    collaboration_settings_save,
    default_price_minor,
    repost_measure_soon,
    reposts_measure,
)
from apps.core.schedules import PERIODIC_TASKS
from apps.notifications.models import Notification
from tests.collaborations import measure_fixtures
from tests.collaborations.measure_fixtures import (
    FEE,
    LINKEDIN_MEMBER,
    brand_post,
    collaboration_for,
    link_account,
    verified_repost,
)
from tests.factories import InfluencerProfileFactory

fake_x, fake_linkedin, x_account = (
    measure_fixtures.fake_x,
    measure_fixtures.fake_linkedin,
    measure_fixtures.x_account,
)
membership, brand, owner, creator = (
    measure_fixtures.membership,
    measure_fixtures.brand,
    measure_fixtures.owner,
    measure_fixtures.creator,
)


def _x_repost(fake_x, collaboration, account, **metrics):
    tweet = fake_x.add_tweet("Worth a read @northwind", user_id=account.external_user_id)
    fake_x.set_metrics(tweet.id, **metrics)
    return verified_repost(collaboration, external_id=tweet.id, account=account)


@pytest.fixture
def measured_setup(brand, owner, creator, x_account, fake_x):
    post = brand_post(brand, impressions={"x": 1000, "linkedin": 400})
    collaboration = collaboration_for(brand, owner, creator, post)
    repost = _x_repost(
        fake_x,
        collaboration,
        x_account,
        like_count=20,
        reply_count=5,
        retweet_count=3,
        quote_count=2,
        bookmark_count=9,
        impression_count=500,
    )
    return collaboration, repost


def test_the_first_numbers_measure_the_collaboration_with_its_reach_multiplier_and_roi(measured_setup):
    collaboration, repost = measured_setup

    summary = reposts_measure()

    assert (summary.due, summary.fetched, summary.measured, summary.requests) == (1, 1, 1, 1)
    repost.refresh_from_db()
    assert (repost.impressions, repost.likes, repost.comments, repost.shares, repost.quotes) == (
        500,
        20,
        5,
        3,
        2,
    )
    assert repost.engagement_rate == pytest.approx(30 / 500)
    result = CollaborationResult.objects.get(collaboration=collaboration)
    # the brand post's reach on the collaboration's platform (X), not the sum with LinkedIn
    assert (result.brand_post_reach, result.repost_reach) == (1000, 500)
    assert result.reach_multiplier == pytest.approx(1.5)
    assert result.engagement_delivered == 30  # bookmarks are not engagement delivered
    # defaults in EUR: 500 / 1000 × 8.00 + 30 × 0.30 = 4.00 + 9.00 = 13.00 EUR
    assert result.value_minor == 1300
    assert result.roi == pytest.approx(1300 / FEE)
    assert result.audience_reaction is None  # no own average yet
    assert result.final is False
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.MEASURED and collaboration.measured_at
    titles = set(Notification.objects.values_list("title", flat=True))
    assert any("is measured" in t for t in titles)


def test_default_prices_follow_the_currencys_minor_unit():
    assert (default_price_minor("cpm", "EUR"), default_price_minor("cpe", "EUR")) == (800, 30)
    assert (default_price_minor("cpm", "JPY"), default_price_minor("cpe", "JPY")) == (8, 1)
    assert default_price_minor("cpm", "KWD") == 8000


def test_brand_prices_in_the_fees_currency_value_the_result(measured_setup, brand, owner):
    collaboration, _ = measured_setup
    collaboration_settings_save(brand=brand, user=owner, currency="EUR", cpm_minor=2000, cpe_minor=100)

    reposts_measure()

    result = CollaborationResult.objects.get(collaboration=collaboration)
    assert result.value_minor == 500 * 2000 // 1000 + 30 * 100 == 4000
    assert result.roi == pytest.approx(0.4)


def test_prices_in_another_currency_give_no_roi(measured_setup, brand, owner):
    collaboration, _ = measured_setup
    collaboration_settings_save(brand=brand, user=owner, currency="USD", cpm_minor=2000, cpe_minor=100)

    reposts_measure()

    result = CollaborationResult.objects.get(collaboration=collaboration)
    assert result.roi is None and result.value_minor == 0
    assert result.reach_multiplier == pytest.approx(1.5)  # the rest is measured as usual


def test_brand_post_reach_falls_back_to_all_platforms_then_to_no_multiplier(
    brand, owner, creator, x_account, fake_x
):
    other = collaboration_for(
        brand, owner, creator, brand_post(brand, impressions={"linkedin": 300, "sandbox": 100})
    )
    _x_repost(fake_x, other, x_account, like_count=1, impression_count=200)
    second = InfluencerProfileFactory()
    account = link_account(
        second,
        platform="x",
        uid="1460000000000000999",
        access=fake_x.issue_token(user_id="1460000000000000999", handle="second")[0],
    )
    unseen = collaboration_for(brand, owner, second, brand_post(brand, impressions={"x": 0}))
    _x_repost(fake_x, unseen, account, like_count=1, impression_count=200)

    reposts_measure()

    assert other.result.brand_post_reach == 400 and other.result.reach_multiplier == pytest.approx(1.5)
    unseen_result = CollaborationResult.objects.get(collaboration=unseen)
    assert unseen_result.brand_post_reach == 0 and unseen_result.reach_multiplier is None


def test_audience_reaction_compares_with_the_influencers_own_average(measured_setup, creator):
    collaboration, _ = measured_setup
    creator.engagement_rate = 0.03
    creator.save(update_fields=["engagement_rate"])

    reposts_measure()

    assert CollaborationResult.objects.get(collaboration=collaboration).audience_reaction == pytest.approx(
        (30 / 500) / 0.03
    )


def test_one_accounts_429_leaves_its_reposts_for_later_and_the_others_are_measured(
    brand, owner, creator, x_account, fake_x
):
    first = collaboration_for(brand, owner, creator, brand_post(brand))
    _x_repost(fake_x, first, x_account, like_count=3, impression_count=100)
    other = InfluencerProfileFactory()
    uid = "1460000000000000888"
    account = link_account(
        other, platform="x", uid=uid, access=fake_x.issue_token(user_id=uid, handle="o")[0]
    )
    second = collaboration_for(brand, owner, other, brand_post(brand))
    _x_repost(fake_x, second, account, like_count=4, impression_count=100)
    fake_x.fail_next("429", on="GET /2/tweets")  # the first account's request
    now = timezone.now()

    summary = reposts_measure(now=now)

    assert (summary.due, summary.fetched, summary.rate_limited) == (2, 1, 1)
    assert "rate limit" in summary.problems[0]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == CollaborationStatus.VERIFIED  # waits, nothing lost
    assert second.status == CollaborationStatus.MEASURED
    # the account stays blocked until the reset X gave: no request is wasted on it meanwhile
    requests = len(fake_x.requests_to("GET", "/2/tweets"))
    assert reposts_measure(now=now + timedelta(minutes=1)).rate_limited == 1
    assert len(fake_x.requests_to("GET", "/2/tweets")) == requests

    later = reposts_measure(now=now + timedelta(hours=4))
    assert later.fetched == 2
    first.refresh_from_db()
    assert first.status == CollaborationStatus.MEASURED


def test_a_401_marks_the_account_for_reconnecting_without_stopping_the_run(measured_setup, x_account, fake_x):
    collaboration, _ = measured_setup
    fake_x.fail_next("401", on="GET /2/tweets")

    summary = reposts_measure()

    assert summary.skipped == 1 and summary.fetched == 0
    x_account.refresh_from_db()
    assert x_account.status == InfluencerAccountStatus.NEEDS_RECONNECT and x_account.last_error
    assert Notification.objects.filter(user=x_account.profile.user, title__startswith="Reconnect").exists()
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.VERIFIED


def test_reposts_of_one_account_go_in_one_request(brand, owner, creator, x_account, fake_x):
    for _ in range(3):
        collaboration = collaboration_for(brand, owner, creator, brand_post(brand))
        _x_repost(fake_x, collaboration, x_account, like_count=2, impression_count=50)

    summary = reposts_measure()

    assert (summary.fetched, summary.requests) == (3, 1)
    assert len(fake_x.requests_to("GET", "/2/tweets")) == 1


def test_a_run_delivered_twice_fetches_once(measured_setup, fake_x):
    now = timezone.now()
    reposts_measure(now=now)
    again = reposts_measure(now=now + timedelta(minutes=5))
    assert again.due == 0 and len(fake_x.requests_to("GET", "/2/tweets")) == 1


def test_a_deleted_repost_is_noted_and_not_measured(measured_setup, fake_x):
    collaboration, repost = measured_setup
    fake_x.delete_tweet(repost.external_id)

    summary = reposts_measure()

    assert summary.missing == 1 and summary.measured == 0
    repost.refresh_from_db()
    assert repost.last_error
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.VERIFIED


def test_at_the_measuring_time_the_result_is_final_and_the_collaboration_completed(
    measured_setup, creator, fake_x
):
    collaboration, repost = measured_setup
    reposts_measure()
    fake_x.set_metrics(repost.external_id, like_count=40, impression_count=1000)
    due = collaboration.measure_due_at

    summary = reposts_measure(now=due + timedelta(minutes=1))

    assert summary.completed == 1
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.COMPLETED and collaboration.completed_at
    result = collaboration.result
    assert result.final and result.repost_reach == 1000
    creator.refresh_from_db()
    # the first measured repost becomes the influencer's own average, and their reputation appears
    assert creator.engagement_rate == pytest.approx((40 + 5 + 3 + 2) / 1000)
    assert creator.reputation_score is not None
    assert ReputationEvent.objects.filter(profile=creator, collaboration=collaboration).count() == 1
    assert Notification.objects.filter(title__contains="completed").exists()
    # a final result never changes
    fake_x.set_metrics(repost.external_id, like_count=999, impression_count=5000)
    reposts_measure(now=due + timedelta(hours=5))
    result.refresh_from_db()
    assert result.repost_reach == 1000


def test_a_repost_the_platform_cannot_give_is_completed_a_day_late_with_its_last_numbers(
    measured_setup, x_account
):
    collaboration, _ = measured_setup
    reposts_measure()
    x_account.status = InfluencerAccountStatus.NEEDS_RECONNECT
    x_account.save(update_fields=["status"])
    due = collaboration.measure_due_at

    assert reposts_measure(now=due + timedelta(hours=1)).completed == 0
    assert reposts_measure(now=due + timedelta(hours=25)).completed == 1
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.COMPLETED
    assert collaboration.result.repost_reach == 500


def test_a_cancelled_collaboration_is_no_longer_measured(measured_setup, owner):
    from apps.collaborations.services import collaboration_cancel

    collaboration, _ = measured_setup
    collaboration_cancel(collaboration=collaboration, user=owner)

    assert reposts_measure().due == 0
    assert not CollaborationResult.objects.exists()


def test_the_sandbox_repost_takes_the_sandbox_models_numbers(brand, owner, creator):
    from apps.sandbox.selectors import sandbox_post_metrics
    from apps.sandbox.services import sandbox_post_create

    posted = timezone.now() - timedelta(days=1)
    made = sandbox_post_create(brand_id=brand.pk, text="Sharing this", now=posted)
    collaboration = collaboration_for(
        brand, owner, creator, brand_post(brand, impressions={"sandbox": 700}), platform="sandbox"
    )
    verified_repost(collaboration, external_id=made.external_id)
    now = timezone.now()

    reposts_measure(now=now)

    expected = sandbox_post_metrics(external_id=made.external_id, at=now)
    result = CollaborationResult.objects.get(collaboration=collaboration)
    assert result.repost_reach == expected.impressions > 0
    assert result.brand_post_reach == 700
    assert result.engagement_delivered == expected.likes + expected.replies + expected.reposts


def test_linkedin_without_post_analytics_values_engagement_only(brand, owner, creator, fake_linkedin):
    fake_linkedin.can_read_analytics = False
    access = fake_linkedin.issue_token(LINKEDIN_MEMBER)
    account = link_account(creator, platform="linkedin", uid=LINKEDIN_MEMBER, access=access)
    post = fake_linkedin.add_post("Great guide @Northwind", member_id=LINKEDIN_MEMBER)
    fake_linkedin.set_metrics(post.id, reactions=10, comments=2)
    collaboration = collaboration_for(
        brand, owner, creator, brand_post(brand, impressions={"linkedin": 900}), platform="linkedin"
    )
    verified_repost(collaboration, external_id=post.id, account=account)

    reposts_measure()

    result = CollaborationResult.objects.get(collaboration=collaboration)
    assert result.engagement_delivered == 12 and result.repost_reach == 0
    assert result.value_minor == 12 * 30  # no impressions are guessed for money
    assert collaboration.repost.engagement_rate is None


def test_repost_measure_soon_measures_it_after_the_commit(measured_setup, django_capture_on_commit_callbacks):
    collaboration, repost = measured_setup
    with django_capture_on_commit_callbacks(execute=True):
        repost_measure_soon(repost.pk)
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.MEASURED


def test_measuring_is_scheduled_every_4_hours():
    (entry,) = [t for t in PERIODIC_TASKS if t["task"] == "collaborations.measure_reposts"]
    assert entry["crontab"].split()[1] == "*/4"


def test_the_task_runs_the_measurement(db):
    from apps.collaborations.tasks import reposts_measure_task

    assert reposts_measure_task.apply().get()["due"] == 0


# --- The brand's prices --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change,field",
    [
        ({"currency": "EUX"}, "currency"),
        ({"cpm_minor": -1}, "cpm_minor"),
        ({"cpe_minor": 1.5}, "cpe_minor"),
    ],
)
def test_bad_prices_are_refused_and_nothing_is_saved(brand, owner, change, field):
    values = {"currency": "EUR", "cpm_minor": 800, "cpe_minor": 30, **change}
    with pytest.raises(ValidationError) as exc:
        collaboration_settings_save(brand=brand, user=owner, **values)
    assert field in exc.value.message_dict
    assert not CollaborationSettings.objects.exists()


def test_only_members_set_the_brands_prices(brand, creator):
    with pytest.raises(PermissionDenied):
        collaboration_settings_save(brand=brand, user=creator.user, currency="EUR", cpm_minor=1, cpe_minor=1)
