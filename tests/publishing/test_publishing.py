"""Publishing exactly once: the dispatcher claims due rows, workers publish through the real X and
LinkedIn clients against local fakes, and every retry rule, reconciliation and expiry holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.socialaccount.models import SocialToken
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.brands.models import ConnectionStatus
from apps.core.crypto import decrypt
from apps.notifications.models import Notification
from apps.posts.models import PostStatus
from apps.publishing import services
from apps.publishing.models import AttemptOutcome, Publication, PublicationStatus, PublishAttempt

from .conftest import approved_post

pytestmark = pytest.mark.django_db
S = PublicationStatus


def schedule(post, owner, at, accounts):
    return services.post_schedule(post=post, user=owner, at=at, connection_ids=[a.pk for a in accounts])


def one(post) -> Publication:
    return Publication.objects.exclude(status=S.CANCELLED).get(post=post)


# --- the happy paths ------------------------------------------------------------------------


def test_a_scheduled_post_is_published_on_x_once_at_its_time(brand, owner, x_account, fake_x, run_due):
    post = approved_post(brand, "Instant payments are here.")
    at = timezone.now() + timedelta(hours=2)
    schedule(post, owner, at, [x_account])
    run_due(at - timedelta(seconds=5))
    assert fake_x.tweets == [] and one(post).status == S.SCHEDULED
    run_due(at + timedelta(seconds=1))
    publication = one(post)
    assert publication.status == S.PUBLISHED
    assert [t["text"] for t in fake_x.tweets] == ["Instant payments are here."]
    assert publication.external_id == fake_x.tweets[0]["id"]
    assert publication.external_url.endswith(f"/status/{publication.external_id}")
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.published_at


def test_a_thread_goes_out_as_replies_in_order(brand, owner, x_account, fake_x, run_due):
    post = approved_post(
        brand, "1/ Instant payments.", "2/ Ten seconds.", "3/ Cash flow.", post_format="thread"
    )
    services.post_publish_now(post=post, user=owner, connection_ids=[x_account.pk])
    run_due()
    tweets = fake_x.tweets
    assert [t["text"] for t in tweets] == ["1/ Instant payments.", "2/ Ten seconds.", "3/ Cash flow."]
    assert tweets[1]["reply_to"] == tweets[0]["id"] and tweets[2]["reply_to"] == tweets[1]["id"]
    assert one(post).part_ids == [t["id"] for t in tweets]


def test_linkedin_gets_one_post_with_the_joined_text(brand, owner, linkedin_account, fake_linkedin, run_due):
    post = approved_post(brand, "Instant payments are here.", "Ask us how.", platforms=("linkedin",))
    services.post_publish_now(post=post, user=owner, connection_ids=[linkedin_account.pk])
    run_due()
    publication = one(post)
    assert publication.status == S.PUBLISHED, publication.last_error
    assert len(fake_linkedin.posts) == 1
    assert publication.external_id.startswith("urn:li:")


def test_the_sandbox_is_the_default_account_of_a_brand_without_real_ones(brand, owner, run_due):
    post = approved_post(brand, "Instant payments are here.")
    (publication,) = services.post_publish_now(post=post, user=owner)
    assert publication.is_sandbox
    run_due()
    publication.refresh_from_db()
    assert publication.status == S.PUBLISHED and publication.external_id.startswith("sbx_")


def test_going_live_notifies_the_brand_in_app_and_by_email(
    brand, owner, x_account, fake_x, run_due, mailoutbox
):
    post = approved_post(brand, "Instant payments are here.")
    services.post_publish_now(post=post, user=owner, connection_ids=[x_account.pk])
    run_due()
    note = Notification.objects.get(user=owner)
    assert note.title == "Live on X" and note.level == "success" and note.url == f"/posts/{post.pk}/"
    assert [m.subject for m in mailoutbox] == ["[social-medAI] Live on X"]


# --- retry rules, with frozen time ------------------------------------------------------------


def test_a_rate_limited_post_is_retried_in_15_minutes(brand, owner, x_account, fake_x, run_due):
    post = approved_post(brand)
    at = timezone.now() + timedelta(minutes=1)
    schedule(post, owner, at, [x_account])
    fake_x.fail_next("429")
    run_due(at)
    publication = one(post)
    assert publication.status == S.SCHEDULED and publication.rate_limited == 1
    assert publication.due_at == at + timedelta(minutes=15)
    assert "rate-limiting" in publication.last_error
    run_due(at + timedelta(minutes=14, seconds=59))
    assert one(post).status == S.SCHEDULED
    run_due(at + timedelta(minutes=15, seconds=1))
    assert one(post).status == S.PUBLISHED and len(fake_x.tweets) == 1


def test_a_post_rate_limited_four_times_fails_with_the_reason(brand, owner, x_account, fake_x, run_due):
    post = approved_post(brand)
    at = timezone.now() + timedelta(minutes=1)
    schedule(post, owner, at, [x_account])
    fake_x.fail_next("429", "429", "429", "429", on="POST /2/tweets")
    for i in range(4):
        run_due(at + timedelta(minutes=15 * i, seconds=1))
    publication = one(post)
    assert publication.status == S.FAILED and publication.rate_limited == 4
    assert "tried 4 times, 15 minutes apart" in publication.last_error
    assert fake_x.tweets == []
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    assert Notification.objects.get(user=owner).title == "Not published on X"


def test_network_errors_back_off_1_2_4_8_seconds_then_fail_after_5_tries(
    brand, owner, x_account, fake_x, run_due
):
    post = approved_post(brand)
    at = timezone.now() + timedelta(minutes=1)
    schedule(post, owner, at, [x_account])
    fake_x.fail_next(*["reset_before"] * 5)
    when, waits = at, []
    for _ in range(4):
        run_due(when)
        publication = one(post)
        assert publication.status == S.SCHEDULED
        waits.append((publication.due_at - when).total_seconds())
        when = publication.due_at
    assert waits == [1, 2, 4, 8]
    run_due(when)
    publication = one(post)
    assert publication.status == S.FAILED and publication.network_failures == 5
    assert "after 5 tries" in publication.last_error
    assert fake_x.tweets == []


def test_a_client_error_fails_at_once_with_the_platforms_words(brand, owner, x_account, fake_x, run_due):
    post = approved_post(brand, "x" * 300)  # X refuses over 280 characters
    services.post_publish_now(post=post, user=owner, connection_ids=[x_account.pk])
    run_due()
    publication = one(post)
    assert publication.status == S.FAILED and publication.attempts == 1
    assert publication.last_error and "X" in publication.last_error


def test_a_failed_post_can_be_retried(brand, owner, x_account, fake_x, run_due):
    post = approved_post(brand)
    at = timezone.now() + timedelta(minutes=1)
    schedule(post, owner, at, [x_account])
    fake_x.fail_next(*["reset_before"] * 5)
    when = at
    for _ in range(5):
        run_due(when)
        when = one(post).due_at
    assert one(post).status == S.FAILED
    services.publication_retry(publication=one(post), user=owner)
    run_due()
    assert one(post).status == S.PUBLISHED and len(fake_x.tweets) == 1


# --- unknown outcomes are reconciled, never resent blindly ------------------------------------


def test_a_timeout_after_x_received_the_post_is_reconciled_not_resent(
    brand, owner, x_account, fake_x, run_due
):
    post = approved_post(brand, "Instant payments are here.")
    at = timezone.now() + timedelta(minutes=1)
    schedule(post, owner, at, [x_account])
    fake_x.fail_next("timeout_after_create")
    run_due(at)
    publication = one(post)
    assert publication.status == S.SCHEDULED and publication.needs_reconcile
    assert len(fake_x.tweets) == 1  # it did go out
    run_due(publication.due_at)
    publication = one(post)
    assert publication.status == S.PUBLISHED
    assert len(fake_x.tweets) == 1 and publication.external_id == fake_x.tweets[0]["id"]
    outcomes = list(PublishAttempt.objects.filter(publication=publication).values_list("kind", "outcome"))
    assert outcomes == [("send", AttemptOutcome.UNKNOWN), ("lookup", AttemptOutcome.FOUND)]


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except clause catches it."""


def test_a_worker_killed_between_send_and_record_is_reconciled_not_duplicated(
    brand, owner, x_account, fake_x, run_due, monkeypatch, settings
):
    post = approved_post(brand, "Instant payments are here.")
    at = timezone.now() + timedelta(minutes=1)
    schedule(post, owner, at, [x_account])
    record = services.execute.PublicationRun._record_part

    def die_once(self, created):
        monkeypatch.setattr(services.execute.PublicationRun, "_record_part", record)
        raise WorkerKilled

    monkeypatch.setattr(services.execute.PublicationRun, "_record_part", die_once)
    with pytest.raises(WorkerKilled):
        run_due(at)
    publication = one(post)
    assert publication.status == S.SENDING and publication.needs_reconcile and len(fake_x.tweets) == 1
    run_due(at + timedelta(seconds=settings.PUBLISH_SEND_LEASE - 1))  # the lease still holds
    assert one(post).status == S.SENDING
    result = run_due(at + timedelta(seconds=settings.PUBLISH_SEND_LEASE + 1))
    assert result.reclaimed == 1
    publication = one(post)
    assert publication.status == S.PUBLISHED and publication.external_id == fake_x.tweets[0]["id"]
    assert len(fake_x.tweets) == 1


def test_a_worker_killed_before_the_platform_call_is_sent_again(
    brand, owner, x_account, fake_x, run_due, monkeypatch, settings
):
    post = approved_post(brand, "Instant payments are here.")
    at = timezone.now() + timedelta(minutes=1)
    schedule(post, owner, at, [x_account])
    monkeypatch.setattr(
        services.execute.PublicationRun,
        "_publish_account",
        lambda self: (_ for _ in ()).throw(WorkerKilled()),
    )
    with pytest.raises(WorkerKilled):
        run_due(at)
    monkeypatch.undo()
    run_due(at + timedelta(seconds=settings.PUBLISH_SEND_LEASE + 1))
    publication = one(post)
    assert publication.status == S.PUBLISHED and len(fake_x.tweets) == 1
    assert not PublishAttempt.objects.filter(kind="lookup").exists()  # nothing had been sent


def test_a_redelivered_task_does_nothing(brand, owner, x_account, fake_x, run_due):
    post = approved_post(brand)
    services.post_publish_now(post=post, user=owner, connection_ids=[x_account.pk])
    run_due()
    publication = one(post)
    assert services.publication_execute(
        publication_id=publication.pk, claim_token=publication.claim_token
    ) == ("not ours")
    assert len(fake_x.tweets) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_publication_at_once_publish_it_once(brand, owner, x_account, fake_x):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    post = approved_post(brand)
    services.post_schedule(
        post=post, user=owner, at=timezone.now() + timedelta(hours=1), connection_ids=[x_account.pk]
    )
    token = "claimed-by-the-dispatcher"
    Publication.objects.filter(post=post).update(
        status=S.QUEUED, claim_token=token, lease_until=timezone.now()
    )
    fake_x.latency = 0.2
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        try:
            return services.publication_execute(publication_id=one(post).pk, claim_token=token)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(lambda _: worker(), range(2)))
    assert results == ["not ours", "published"]
    assert len(fake_x.tweets) == 1


# --- tokens, duplicates, rate-limit headers ---------------------------------------------------


def test_an_expired_x_token_is_refreshed_once_and_the_post_sent(brand, owner, x_account, fake_x, run_due):
    token = SocialToken.objects.get(account=x_account.social_account)
    old_access, old_refresh = decrypt(token.token), decrypt(token.token_secret)
    fake_x.expire_token(old_access)  # X says 401 although our clock thinks it is fresh
    post = approved_post(brand)
    services.post_publish_now(post=post, user=owner, connection_ids=[x_account.pk])
    run_due()
    assert one(post).status == S.PUBLISHED and len(fake_x.tweets) == 1
    token.refresh_from_db()
    assert decrypt(token.token) != old_access and decrypt(token.token_secret) != old_refresh  # rotated
    outcomes = list(PublishAttempt.objects.values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.AUTH, AttemptOutcome.SUCCEEDED]


def test_a_revoked_x_token_fails_the_post_and_asks_to_reconnect(brand, owner, x_account, fake_x, run_due):
    token = SocialToken.objects.get(account=x_account.social_account)
    fake_x.expire_token(decrypt(token.token))
    fake_x.revoke_refresh_token(decrypt(token.token_secret))
    post = approved_post(brand)
    services.post_publish_now(post=post, user=owner, connection_ids=[x_account.pk])
    run_due()
    publication = one(post)
    assert publication.status == S.FAILED and "reconnect" in publication.last_error.lower()
    x_account.refresh_from_db()
    assert x_account.status == ConnectionStatus.NEEDS_RECONNECT
    assert fake_x.tweets == []


def test_a_duplicate_of_an_older_post_fails_with_a_plain_reason(brand, owner, x_account, fake_x, run_due):
    fake_x.add_tweet(user_id=x_account.social_account.uid, text="Instant payments are here.", age_days=3)
    post = approved_post(brand, "Instant payments are here.")
    services.post_publish_now(post=post, user=owner, connection_ids=[x_account.pk])
    run_due()
    publication = one(post)
    assert publication.status == S.FAILED and "duplicate" in publication.last_error
    assert len(fake_x.tweets) == 1


def test_x_rate_limit_headers_hold_the_next_post_until_the_window_resets(
    brand, owner, x_account, fake_x, run_due
):
    fake_x.rate_limit = (1, 900)  # one post per 15 minutes for this user
    first, second = approved_post(brand, "First."), approved_post(brand, "Second.")
    services.post_publish_now(post=first, user=owner, connection_ids=[x_account.pk])
    run_due()
    services.post_publish_now(post=second, user=owner, connection_ids=[x_account.pk])
    run_due()
    publication = one(second)
    assert publication.status == S.SCHEDULED and publication.error_kind == "throttled"
    assert publication.due_at > timezone.now() + timedelta(minutes=10)
    assert len(fake_x.tweets) == 1
    assert not [r for r in fake_x.requests if r.get("status") == 429]  # we waited instead of hitting 429


# --- expiry, scheduling rules -----------------------------------------------------------------


def test_a_post_more_than_24_hours_late_expires_and_the_brand_is_told(
    brand, owner, x_account, fake_x, run_due
):
    post = approved_post(brand)
    at = timezone.now() + timedelta(minutes=1)
    schedule(post, owner, at, [x_account])
    run_due(at + timedelta(hours=24, minutes=1))
    publication = one(post)
    assert publication.status == S.EXPIRED and fake_x.tweets == []
    post.refresh_from_db()
    assert post.status == PostStatus.EXPIRED
    assert Notification.objects.get(user=owner).title == "Expired on X"


def test_a_post_23_hours_late_still_goes_out(brand, owner, x_account, fake_x, run_due):
    post = approved_post(brand)
    at = timezone.now() + timedelta(minutes=1)
    schedule(post, owner, at, [x_account])
    run_due(at + timedelta(hours=23))
    assert one(post).status == S.PUBLISHED


def test_a_time_in_the_past_cannot_be_scheduled(brand, owner):
    post = approved_post(brand)
    with pytest.raises(ValidationError) as exc:
        services.post_schedule(post=post, user=owner, at=timezone.now() - timedelta(hours=1))
    assert "already passed" in str(exc.value.message_dict["at"])


def test_a_draft_cannot_be_scheduled(brand, owner):
    post = approved_post(brand)
    post.status = PostStatus.DRAFT
    post.save()
    with pytest.raises(ValidationError):
        services.post_schedule(post=post, user=owner, at=timezone.now() + timedelta(hours=1))


def test_rescheduling_moves_the_same_publication(brand, owner, x_account):
    post = approved_post(brand)
    first = schedule(post, owner, timezone.now() + timedelta(hours=1), [x_account])[0]
    later = timezone.now() + timedelta(hours=5)
    second = schedule(post, owner, later, [x_account])[0]
    assert first.pk == second.pk and one(post).scheduled_for == later


def test_unscheduling_puts_the_post_back_to_approved(brand, owner, x_account):
    post = approved_post(brand)
    schedule(post, owner, timezone.now() + timedelta(hours=1), [x_account])
    services.post_unschedule(post=post, user=owner)
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    assert not Publication.objects.filter(post=post).exclude(status=S.CANCELLED).exists()


def test_the_queue_takes_the_next_free_preferred_slot_in_the_brands_time_zone(brand, owner, x_account):
    import time_machine

    from apps.publishing.timing import utc_to_brand_local

    with time_machine.travel("2026-11-23 12:00:00+00:00", tick=False):  # Monday, 07:00 in New York
        first = services.post_queue(post=approved_post(brand), user=owner)[0]
        second = services.post_queue(post=approved_post(brand), user=owner)[0]
    local_first = utc_to_brand_local(first.scheduled_for, brand.timezone)
    assert (local_first.weekday(), local_first.hour) == (1, 9)  # Tuesday 09:00 New York
    assert second.scheduled_for > first.scheduled_for


def test_an_account_that_needs_reconnecting_cannot_be_chosen(brand, owner, x_account):
    x_account.status = ConnectionStatus.NEEDS_RECONNECT
    x_account.save()
    with pytest.raises(ValidationError) as exc:
        services.post_publish_now(post=approved_post(brand), user=owner, connection_ids=[x_account.pk])
    assert "reconnected" in str(exc.value.message_dict["accounts"])


def test_the_dispatcher_claims_each_due_row_once(brand, owner, run_due):
    for _ in range(3):
        services.post_publish_now(post=approved_post(brand), user=owner)
    assert run_due().claimed == 3
    assert run_due().claimed == 0


# --- notifications, several accounts, the no-Redis job runner ---------------------------------


def test_posts_going_live_together_make_one_notification(brand, owner, run_due):
    for _ in range(3):
        services.post_publish_now(post=approved_post(brand), user=owner)
    services.publications_notify_live_execute(brand_id=brand.pk)  # a digest already pending
    Notification.objects.all().delete()
    Publication.objects.update(live_notified=False)
    from django.core.cache import cache

    cache.add(services.notify.live_digest_key(brand.pk), 1)  # the first one started the wait …
    run_due()
    assert not Notification.objects.exists()  # … so nothing is sent per post
    assert services.publications_notify_live_execute(brand_id=brand.pk) == 3
    note = Notification.objects.get(user=owner)
    assert note.title == "3 posts are live on Sandbox"
    assert note.body == "Published just now. Open the calendar to see them."
    assert services.publications_notify_live_execute(brand_id=brand.pk) == 0  # announced once


def test_a_post_live_on_x_and_the_sandbox_names_each_platform_once(brand, owner, x_account, fake_x, run_due):
    sandbox = brand.connections.get(platform="sandbox")
    post = approved_post(brand, "Instant payments are here.")
    services.post_publish_now(post=post, user=owner, connection_ids=[x_account.pk, sandbox.pk])
    run_due()
    Notification.objects.all().delete()
    Publication.objects.update(live_notified=False)
    services.publications_notify_live_execute(brand_id=brand.pk)
    assert Notification.objects.get(user=owner).title == "Live on Sandbox, X"


def test_posts_announced_late_do_not_say_they_were_published_just_now(brand, owner, run_due):
    for _ in range(2):
        services.post_publish_now(post=approved_post(brand), user=owner)
    run_due()
    Notification.objects.all().delete()
    Publication.objects.update(live_notified=False, published_at=timezone.now() - timedelta(days=3))
    services.publications_notify_live_execute(brand_id=brand.pk)
    note = Notification.objects.get(user=owner)
    assert (note.title, note.body) == (
        "2 posts are live on Sandbox",
        "Published over the last 3\xa0days. Open the calendar to see them.",
    )


def test_a_post_on_two_accounts_fails_when_one_of_them_fails(brand, owner, x_account, fake_x, run_due):
    from apps.brands.models import SocialConnection

    sandbox = SocialConnection.objects.get(brand=brand, platform="sandbox")
    post = approved_post(brand)
    fake_x.fail_next("401", on="POST /2/tweets")
    fake_x.revoke_refresh_token(
        decrypt(SocialToken.objects.get(account=x_account.social_account).token_secret)
    )
    services.post_publish_now(post=post, user=owner, connection_ids=[x_account.pk, sandbox.pk])
    run_due()
    statuses = dict(Publication.objects.filter(post=post).values_list("platform", "status"))
    assert statuses == {"x": S.FAILED, "sandbox": S.PUBLISHED}
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED


def test_without_redis_the_worker_process_runs_the_dispatcher_itself(
    brand, owner, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    post = approved_post(brand)
    services.post_publish_now(post=post, user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_local_jobs", "--once")
    assert one(post).status == S.PUBLISHED


# --- images ------------------------------------------------------------------------------------


def _with_graphics(post, settings, tmp_path):
    from apps.posts.services import post_graphics_generate

    settings.MEDIA_ROOT = str(tmp_path)
    post_graphics_generate(post=post)
    return post


def test_the_post_card_is_uploaded_to_x_and_attached(
    brand, owner, x_account, fake_x, run_due, settings, tmp_path
):
    post = _with_graphics(approved_post(brand, "Instant payments are here."), settings, tmp_path)
    services.post_publish_now(post=post, user=owner, connection_ids=[x_account.pk])
    run_due()
    publication = one(post)
    assert publication.status == S.PUBLISHED, publication.last_error
    (tweet,) = fake_x.tweets
    assert tweet.media_ids == publication.media_ids and len(tweet.media_ids) == 1
    assert fake_x.media[tweet.media_ids[0]].data.startswith(b"\x89PNG")  # the card itself
    kinds = list(PublishAttempt.objects.filter(publication=publication).values_list("kind", flat=True))
    assert kinds == ["media", "send"]


def test_a_linkedin_carousel_goes_out_as_one_multi_image_post(
    brand, owner, linkedin_account, fake_linkedin, run_due, settings, tmp_path
):
    post = approved_post(
        brand,
        "Slide one: ten seconds.",
        "Slide two: no fees.",
        "Slide three: ask us.",
        platforms=("linkedin",),
        post_format="carousel",
    )
    post.copies.update(caption="Instant payments, in three slides.")
    _with_graphics(post, settings, tmp_path)
    services.post_publish_now(post=post, user=owner, connection_ids=[linkedin_account.pk])
    run_due()
    assert one(post).status == S.PUBLISHED, one(post).last_error
    (linkedin_post,) = fake_linkedin.posts
    images = linkedin_post.content["multiImage"]["images"]
    assert len(images) == post.graphics.filter(kind="carousel_slide").count() == 3
    assert linkedin_post.text == "Instant payments, in three slides."
