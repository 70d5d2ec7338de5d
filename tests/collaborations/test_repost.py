"""Reposts, both ways (issue 19): "Repost now" through the influencer's linked X, LinkedIn or Sandbox
account, sent exactly once (claim, reconcile before resending, a crash between send and record
finds the post instead of posting again; 429 waits for the reset, 401 asks to reconnect); or the
address of a post the influencer made, fetched and checked by the worker (theirs, after
acceptance, tagging the brand, linking the post), every failure said in plain words. The pages:
the Repost card, errors next to the fields, another influencer's collaboration a 404."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.brands.models import SocialConnection
from apps.collaborations import tasks
from apps.collaborations.models import (
    Collaboration,
    CollaborationStatus,
    InfluencerAccount,
    InfluencerAccountStatus,
    Repost,
    RepostStatus,
)
from apps.collaborations.services import offer_accept, offer_send
from apps.collaborations.services.accounts import (
    influencer_accounts_sync,
    influencer_publish_account,
    influencer_sandbox_account_create,
)
from apps.collaborations.services.repost_publish import (
    repost_publish_execute,
    repost_publish_request,
    reposts_resume_stalled,
)
from apps.collaborations.services.repost_verify import repost_submit_url, repost_verify_execute
from apps.integrations.social.base import PublishAccount
from apps.integrations.social.x import XPublisher
from apps.notifications.models import Notification
from apps.publishing.models import Publication, PublicationStatus
from apps.sandbox.models import SandboxPost
from apps.sandbox.services import sandbox_post_create
from tests.factories import InfluencerProfileFactory, MembershipFactory, PostFactory

BRAND_X = "1460000000000000001"
CREATOR_X = "1460000000000000777"
MEMBER = "9kInflu3"
BRAND_MEMBER = "brandMbr"


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def fake_x(settings):
    from tests.fakes.x_api import FakeX

    server = FakeX().start()
    settings.X_API_BASE_URL = server.url
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "smai-client", "smai-secret"
    settings.PUBLISH_TIMEOUT = 0.5
    server.handles[BRAND_X] = "northwind"
    yield server
    server.stop()


@pytest.fixture
def fake_linkedin(settings):
    from tests.fakes.linkedin_api import FakeLinkedIn

    server = FakeLinkedIn().start()
    settings.LINKEDIN_API_BASE_URL = server.url
    settings.PUBLISH_TIMEOUT = 0.5
    yield server
    server.stop()


@pytest.fixture
def membership(db):
    return MembershipFactory()


@pytest.fixture
def brand(membership):
    return membership.brand


@pytest.fixture
def owner(membership):
    return membership.user


@pytest.fixture
def creator(db):
    return InfluencerProfileFactory(slug="ada")


@pytest.fixture
def queued(monkeypatch):
    """The tasks the services enqueue (after commit), instead of running them."""
    calls = []
    # The first measurement a verified repost queues is the measuring tests' business.
    monkeypatch.setattr(tasks.repost_measure_task, "delay", lambda *args: None)
    for name in ("repost_publish_task", "repost_verify_task"):
        task = getattr(tasks, name)
        monkeypatch.setattr(
            task, "apply_async", lambda args, countdown=None, _n=name: calls.append((_n, args, countdown))
        )
        monkeypatch.setattr(task, "delay", lambda *args, _n=name: calls.append((_n, list(args), None)))
    return calls


def brand_post_on(brand, platform: str, *, external_id: str, url: str):
    now = timezone.now() - timedelta(days=1)
    post = PostFactory(brand=brand, status="published", published_at=now)
    Publication.objects.create(
        post=post,
        brand=brand,
        platform=platform,
        copy_platform="linkedin" if platform == "linkedin" else "x",
        status=PublicationStatus.PUBLISHED,
        scheduled_for=now,
        due_at=now,
        published_at=now,
        external_id=external_id,
        external_url=url,
    )
    return post


def collaboration_on(brand, owner, creator, post, platform: str, **terms) -> Collaboration:
    [offer] = offer_send(
        brand=brand,
        user=owner,
        post=post,
        influencers=[creator],
        fee_minor=10_000,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=2),
        platform=platform,
        tag_brand=terms.get("tag_brand", True),
        keep_link=terms.get("keep_link", True),
        message="",
    )
    return offer_accept(offer=offer, influencer=creator)


def link(
    profile, *, platform: str, uid: str, access: str, handle: str, refresh: str = ""
) -> InfluencerAccount:
    provider = {"x": "twitter_oauth2", "linkedin": "linkedin"}[platform]
    social = SocialAccount.objects.create(
        user=profile.user, provider=provider, uid=uid, extra_data={"username": handle}
    )
    SocialToken.objects.create(
        account=social, token=access, token_secret=refresh, expires_at=timezone.now() + timedelta(days=30)
    )
    [account] = [a for a in influencer_accounts_sync(profile=profile) if a.platform == platform]
    return account


@pytest.fixture
def brand_tweet(fake_x):
    return fake_x.add_tweet("Our launch is live", user_id=BRAND_X, age_days=1)


@pytest.fixture
def x_collab(brand, owner, creator, brand_tweet):
    SocialConnection.objects.create(brand=brand, platform="x", handle="northwind")
    url = f"https://x.com/northwind/status/{brand_tweet.id}"
    post = brand_post_on(brand, "x", external_id=brand_tweet.id, url=url)
    return collaboration_on(brand, owner, creator, post, "x")


@pytest.fixture
def x_link(fake_x, creator):
    access, _ = fake_x.issue_token(user_id=CREATOR_X, handle="ada")
    return link(creator, platform="x", uid=CREATOR_X, access=access, handle="ada")


def words(collaboration) -> str:
    publication = Publication.objects.get(post=collaboration.offer.post, platform=collaboration.platform)
    return f"Loved this @northwind {publication.external_url}"


def run_queued(queued, django_capture_on_commit_callbacks):
    """Run what was queued, and what that queues, until nothing is left (as the worker would)."""
    while queued:
        name, args, _ = queued.pop(0)
        with django_capture_on_commit_callbacks(execute=True):
            if name == "repost_publish_task":
                repost_publish_execute(repost_id=args[0], claim_token=args[1])
            else:
                repost_verify_execute(repost_id=args[0])


def snapshot(collaboration):
    return (
        list(Repost.objects.values()),
        Collaboration.objects.filter(pk=collaboration.pk).values("status", "reposted_at").get(),
        Notification.objects.count(),
    )


# --- linked accounts ---------------------------------------------------------------------------------


def test_the_sandbox_account_is_made_once_under_the_profiles_handle(creator):
    first = influencer_sandbox_account_create(profile=creator)
    again = influencer_sandbox_account_create(profile=creator)

    assert first.pk == again.pk
    assert (first.platform, first.handle) == ("sandbox", "ada")
    assert first.external_user_id == f"user:{creator.user_id}"


def test_linked_x_and_linkedin_accounts_become_repost_accounts_and_unlinking_disconnects(creator):
    social = SocialAccount.objects.create(
        user=creator.user, provider="twitter_oauth2", uid=CREATOR_X, extra_data={"username": "ada"}
    )
    SocialAccount.objects.create(
        user=creator.user, provider="linkedin", uid=MEMBER, extra_data={"userinfo": {"name": "Ada L"}}
    )

    accounts = {a.platform: a for a in influencer_accounts_sync(profile=creator)}
    assert (accounts["x"].handle, accounts["x"].external_user_id) == ("ada", CREATOR_X)
    assert (accounts["linkedin"].handle, accounts["linkedin"].external_user_id) == ("Ada L", MEMBER)

    social.delete()
    accounts = {a.platform: a for a in influencer_accounts_sync(profile=creator)}
    assert accounts["x"].status == InfluencerAccountStatus.DISCONNECTED


# --- repost now, X ---------------------------------------------------------------------------------


def test_repost_now_quotes_the_brand_post_once_and_the_check_verifies_it(
    fake_x, x_collab, x_link, creator, owner, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_publish_request(
            collaboration=x_collab, user=creator.user, account_id=x_link.pk, text=words(x_collab)
        )
    assert repost.status == RepostStatus.QUEUED
    run_queued(queued, django_capture_on_commit_callbacks)

    (send,) = fake_x.requests_to("POST", "/2/tweets")
    assert send.json["quote_tweet_id"] == x_collab.offer.post.publications.get().external_id
    repost.refresh_from_db()
    x_collab.refresh_from_db()
    assert repost.status == RepostStatus.VERIFIED
    assert repost.external_id == fake_x.tweets_by(CREATOR_X)[0].id
    assert repost.url == f"https://x.com/ada/status/{repost.external_id}"
    assert x_collab.status == CollaborationStatus.VERIFIED
    assert x_collab.reposted_at and x_collab.verified_at
    assert Notification.objects.filter(user=creator.user, title__contains="is verified").exists()
    assert Notification.objects.filter(user=owner, title="@ada's repost is verified").exists()


def test_a_redelivered_send_does_nothing(
    fake_x, x_collab, x_link, creator, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_publish_request(
            collaboration=x_collab, user=creator.user, account_id=x_link.pk, text=words(x_collab)
        )
    token = repost.claim_token
    assert repost_publish_execute(repost_id=repost.pk, claim_token=token) == "reposted"
    assert repost_publish_execute(repost_id=repost.pk, claim_token=token) == "not ours"
    assert len(fake_x.requests_to("POST", "/2/tweets")) == 1


def test_a_lost_answer_is_looked_up_before_sending_again(
    fake_x, x_collab, x_link, creator, queued, django_capture_on_commit_callbacks
):
    """X created the quote, the answer never came: the next try finds it instead of posting twice."""
    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_publish_request(
            collaboration=x_collab, user=creator.user, account_id=x_link.pk, text=words(x_collab)
        )
    queued.clear()
    fake_x.hold_seconds = 2.0
    fake_x.fail_next("timeout_after_create", on="POST /2/tweets")

    with django_capture_on_commit_callbacks(execute=True):
        assert repost_publish_execute(repost_id=repost.pk, claim_token=repost.claim_token) == "retry later"
    repost.refresh_from_db()
    assert repost.needs_reconcile and repost.status == RepostStatus.QUEUED
    (_, args, countdown) = queued.pop(0)
    assert countdown and countdown > 0

    with django_capture_on_commit_callbacks(execute=True):
        assert repost_publish_execute(repost_id=args[0], claim_token=args[1]) == "reposted"
    assert len(fake_x.requests_to("POST", "/2/tweets")) == 1
    assert len(fake_x.tweets_by(CREATOR_X)) == 1
    repost.refresh_from_db()
    assert repost.external_id == fake_x.tweets_by(CREATOR_X)[0].id and not repost.needs_reconcile


def test_a_worker_that_died_between_send_and_record_is_reconciled_without_a_second_post(
    fake_x, x_collab, x_link, creator, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_publish_request(
            collaboration=x_collab, user=creator.user, account_id=x_link.pk, text=words(x_collab)
        )
    queued.clear()
    # The worker claimed it, set needs_reconcile, X took the quote … and the worker died.
    Repost.objects.filter(pk=repost.pk).update(
        status=RepostStatus.SENDING, needs_reconcile=True, lease_until=timezone.now() - timedelta(seconds=1)
    )
    account = PublishAccount(
        access_token=influencer_publish_account(account=x_link).access_token, user_id=CREATOR_X, handle="ada"
    )
    XPublisher().repost(
        account=account, external_id=x_collab.offer.post.publications.get().external_id, text=repost.text
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert reposts_resume_stalled() == 1
    run_queued(queued, django_capture_on_commit_callbacks)

    assert len(fake_x.requests_to("POST", "/2/tweets")) == 1  # only the one before the crash
    repost.refresh_from_db()
    assert repost.external_id == fake_x.tweets_by(CREATOR_X)[0].id
    assert repost.status == RepostStatus.VERIFIED


def test_a_rate_limited_repost_waits_for_the_reset(
    fake_x, x_collab, x_link, creator, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_publish_request(
            collaboration=x_collab, user=creator.user, account_id=x_link.pk, text=words(x_collab)
        )
    queued.clear()
    fake_x.fail_next("429", on="POST /2/tweets")

    with django_capture_on_commit_callbacks(execute=True):
        assert repost_publish_execute(repost_id=repost.pk, claim_token=repost.claim_token) == "retry later"

    repost.refresh_from_db()
    assert repost.status == RepostStatus.QUEUED and "rate limit" in repost.last_error
    (_, _, countdown) = queued.pop(0)
    assert 0 < countdown <= 900  # X's window resets within 15 minutes
    assert not fake_x.tweets_by(CREATOR_X)


def test_a_refused_sign_in_asks_the_influencer_to_reconnect(
    fake_x, x_collab, x_link, creator, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_publish_request(
            collaboration=x_collab, user=creator.user, account_id=x_link.pk, text=words(x_collab)
        )
    fake_x.fail_next("401", on="POST /2/tweets")

    with django_capture_on_commit_callbacks(execute=True):
        assert repost_publish_execute(repost_id=repost.pk, claim_token=repost.claim_token) == "failed"

    repost.refresh_from_db()
    x_link.refresh_from_db()
    assert repost.status == RepostStatus.FAILED
    assert "Reconnect your X account" in repost.failures[0]
    assert x_link.status == InfluencerAccountStatus.NEEDS_RECONNECT
    assert Notification.objects.filter(
        user=creator.user, title__startswith="Reconnect your X account"
    ).exists()
    x_collab.refresh_from_db()
    assert x_collab.status == CollaborationStatus.ACCEPTED


@pytest.mark.parametrize(
    "text,message",
    [
        ("Loved this", "The offer asks your words to tag @northwind and keep the post's link"),
        ("x" * 281, "X takes up to 280 characters (281 written)"),
        ("語" * 141, "X takes up to 280 characters (282 written)"),
    ],
)
def test_repost_now_words_must_carry_what_the_offer_asks(x_collab, x_link, creator, queued, text, message):
    before = snapshot(x_collab)
    with pytest.raises(ValidationError) as caught:
        repost_publish_request(collaboration=x_collab, user=creator.user, account_id=x_link.pk, text=text)
    assert message in caught.value.message_dict["text"][0]
    assert snapshot(x_collab) == before and not queued


def test_a_link_weighs_23_characters_as_x_counts_it(fake_x, x_collab, x_link, creator, queued):
    text = words(x_collab) + " " + "a" * (280 - 23 - len("Loved this @northwind  "))
    assert len(text) > 280
    repost = repost_publish_request(
        collaboration=x_collab, user=creator.user, account_id=x_link.pk, text=text
    )
    assert repost.status == RepostStatus.QUEUED


def test_a_check_that_lost_its_task_is_queued_again(
    x_collab, x_link, creator, queued, django_capture_on_commit_callbacks
):
    repost = repost_submit_url(collaboration=x_collab, user=creator.user, url="https://x.com/ada/status/123")
    queued.clear()
    Repost.objects.filter(pk=repost.pk).update(updated_at=timezone.now() - timedelta(minutes=21))
    with django_capture_on_commit_callbacks(execute=True):
        reposts_resume_stalled()
    assert queued == [("repost_verify_task", [repost.pk], None)]


def test_repost_now_from_another_influencers_account_is_refused(fake_x, x_collab, creator, queued):
    other = InfluencerProfileFactory()
    access, _ = fake_x.issue_token(user_id="999", handle="bob")
    theirs = link(other, platform="x", uid="999", access=access, handle="bob")
    with pytest.raises(ValidationError) as caught:
        repost_publish_request(
            collaboration=x_collab, user=creator.user, account_id=theirs.pk, text=words(x_collab)
        )
    assert caught.value.message_dict["account"] == ["Choose one of your accounts."]
    assert not Repost.objects.exists()


# --- repost now, LinkedIn and Sandbox ------------------------------------------------------------------


def test_repost_now_on_linkedin_reshares_the_post_once(
    fake_linkedin, brand, owner, creator, queued, django_capture_on_commit_callbacks
):
    share = fake_linkedin.add_post("Our launch", member_id=BRAND_MEMBER)
    # A LinkedIn connection's handle is the sign-in email: the tag is the brand's name there.
    SocialConnection.objects.create(
        brand=brand, platform="linkedin", handle="ops@northwind.io", display_name="Northwind Labs"
    )
    url = f"https://www.linkedin.com/feed/update/{share.id}/"
    post = brand_post_on(brand, "linkedin", external_id=share.id, url=url)
    collab = collaboration_on(brand, owner, creator, post, "linkedin")
    account = link(
        creator, platform="linkedin", uid=MEMBER, access=fake_linkedin.issue_token(MEMBER), handle="ada"
    )

    with django_capture_on_commit_callbacks(execute=True):
        repost_publish_request(
            collaboration=collab,
            user=creator.user,
            account_id=account.pk,
            text=f"Proud of them @Northwind Labs {url}",
        )
    run_queued(queued, django_capture_on_commit_callbacks)

    (send,) = fake_linkedin.requests_to("POST", "/rest/posts")
    assert send.json["reshareContext"] == {"parent": share.id}
    repost = Repost.objects.get()
    assert repost.status == RepostStatus.VERIFIED, repost.failures
    assert repost.external_id.startswith("urn:li:share:")
    collab.refresh_from_db()
    assert collab.status == CollaborationStatus.VERIFIED


def test_a_linkedin_post_mentioning_the_brand_by_name_is_verified(
    fake_linkedin, brand, owner, creator, queued, django_capture_on_commit_callbacks
):
    share = fake_linkedin.add_post("Our launch", member_id=BRAND_MEMBER)
    SocialConnection.objects.create(
        brand=brand, platform="linkedin", handle="ops@northwind.io", display_name="Northwind Labs"
    )
    post = brand_post_on(
        brand, "linkedin", external_id=share.id, url=f"https://www.linkedin.com/feed/update/{share.id}/"
    )
    collab = collaboration_on(brand, owner, creator, post, "linkedin")
    link(creator, platform="linkedin", uid=MEMBER, access=fake_linkedin.issue_token(MEMBER), handle="ada")
    theirs = fake_linkedin.add_post(
        "Congrats @[Northwind Labs](urn:li:organization:42)", member_id=MEMBER, reshare_of=share.id
    )

    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_submit_url(
            collaboration=collab, user=creator.user, url=f"https://www.linkedin.com/feed/update/{theirs.id}/"
        )
    run_queued(queued, django_capture_on_commit_callbacks)

    repost.refresh_from_db()
    assert repost.status == RepostStatus.VERIFIED, repost.failures


def test_a_lost_reshare_on_linkedin_without_post_reading_rights_is_judged_by_its_duplicate_check(
    fake_linkedin, brand, owner, creator, queued, django_capture_on_commit_callbacks
):
    share = fake_linkedin.add_post("Our launch", member_id=BRAND_MEMBER)
    SocialConnection.objects.create(
        brand=brand, platform="linkedin", handle="ops@northwind.io", display_name="Northwind Labs"
    )
    url = f"https://www.linkedin.com/feed/update/{share.id}/"
    collab = collaboration_on(
        brand, owner, creator, brand_post_on(brand, "linkedin", external_id=share.id, url=url), "linkedin"
    )
    account = link(
        creator, platform="linkedin", uid=MEMBER, access=fake_linkedin.issue_token(MEMBER), handle="ada"
    )
    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_publish_request(
            collaboration=collab, user=creator.user, account_id=account.pk, text=f"@Northwind Labs {url}"
        )
    queued.clear()
    fake_linkedin.can_read_posts = False
    fake_linkedin.hold_seconds = 2.0
    fake_linkedin.fail_next("timeout_after_create", on="POST /rest/posts")
    with django_capture_on_commit_callbacks(execute=True):
        assert repost_publish_execute(repost_id=repost.pk, claim_token=repost.claim_token) == "retry later"
    (_, args, _) = queued.pop(0)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = repost_publish_execute(repost_id=args[0], claim_token=args[1])

    # The lookup was refused (403), so it was sent again: LinkedIn refused it as a duplicate of
    # the first reshare and named it, which is recorded. One reshare, and it is the repost.
    assert outcome == "reposted"
    (reshare,) = fake_linkedin.posts_by(MEMBER)
    repost.refresh_from_db()
    assert repost.external_id == reshare.id and repost.status == RepostStatus.VERIFYING


@pytest.fixture
def sandbox_collab(brand, owner, creator):
    original = sandbox_post_create(brand_id=brand.pk, text="Our launch", meta={"tone": "witty"})
    post = brand_post_on(
        brand,
        "sandbox",
        external_id=original.external_id,
        url=f"http://testserver/brand/{brand.pk}/sandbox/p/{original.external_id}/",
    )
    return collaboration_on(brand, owner, creator, post, "sandbox")


def test_repost_now_from_the_sandbox_account_is_a_sandbox_post_with_numbers(
    brand, creator, sandbox_collab, queued, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "http://testserver"
    account = influencer_sandbox_account_create(profile=creator)
    handle = SocialConnection.objects.get(brand=brand, platform="sandbox").handle
    publication = Publication.objects.get(post=sandbox_collab.offer.post)

    with django_capture_on_commit_callbacks(execute=True):
        repost_publish_request(
            collaboration=sandbox_collab,
            user=creator.user,
            account_id=account.pk,
            text=f"Have a look @{handle} {publication.external_url}",
        )
    run_queued(queued, django_capture_on_commit_callbacks)

    repost = Repost.objects.get()
    assert repost.status == RepostStatus.VERIFIED, repost.failures
    made = SandboxPost.objects.get(external_id=repost.external_id)
    assert made.influencer_user_id == creator.user_id
    assert made.repost_of.external_id == publication.external_id
    assert made.audience == 5000  # the profile's X followers (its total)


# --- by the address of a post ---------------------------------------------------------------------------


def test_a_url_repost_that_is_theirs_after_acceptance_with_tag_and_link_is_verified(
    fake_x, x_collab, x_link, creator, queued, django_capture_on_commit_callbacks
):
    theirs = fake_x.add_tweet(words(x_collab), user_id=CREATOR_X)

    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_submit_url(
            collaboration=x_collab, user=creator.user, url=f"https://x.com/ada/status/{theirs.id}"
        )
    x_collab.refresh_from_db()
    assert repost.status == RepostStatus.VERIFYING and x_collab.status == CollaborationStatus.REPOSTED
    run_queued(queued, django_capture_on_commit_callbacks)

    repost.refresh_from_db()
    x_collab.refresh_from_db()
    assert repost.status == RepostStatus.VERIFIED
    assert repost.posted_at == theirs.created_at.replace(
        microsecond=theirs.created_at.microsecond // 1000 * 1000
    )
    assert x_collab.status == CollaborationStatus.VERIFIED


def test_a_quote_of_the_brand_post_counts_as_linking_it(
    fake_x, x_collab, x_link, creator, brand_tweet, queued, django_capture_on_commit_callbacks
):
    theirs = fake_x.add_tweet("So good @northwind", user_id=CREATOR_X, quote_of=brand_tweet.id)
    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_submit_url(
            collaboration=x_collab, user=creator.user, url=f"https://x.com/ada/status/{theirs.id}"
        )
    run_queued(queued, django_capture_on_commit_callbacks)
    repost.refresh_from_db()
    assert repost.status == RepostStatus.VERIFIED, repost.failures


def test_every_failed_check_is_listed_and_the_influencer_can_submit_again(
    fake_x, x_collab, x_link, creator, owner, queued, django_capture_on_commit_callbacks
):
    # Made by another account (the address names no user), before acceptance, no tag, no link.
    before = x_collab.accepted_at - timedelta(hours=3)
    stranger = fake_x.add_tweet("Nice launch", user_id="555", created_at=before)
    fake_x.handles["555"] = "mallory"

    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_submit_url(
            collaboration=x_collab, user=creator.user, url=f"https://x.com/i/web/status/{stranger.id}"
        )
    run_queued(queued, django_capture_on_commit_callbacks)

    repost.refresh_from_db()
    made, accepted = before.astimezone(UTC), x_collab.accepted_at.astimezone(UTC)
    assert repost.status == RepostStatus.FAILED
    assert repost.failures == [
        "This post was made by another account (@mallory), not your linked account.",
        f"This post was made before you accepted the offer ({made:%d %b %Y %H:%M} UTC < {accepted:%d %b %Y %H:%M} UTC).",
        "The post does not tag @northwind.",
        "The post does not link to the brand's post.",
    ]
    assert Notification.objects.filter(user=creator.user, title__contains="failed the check").exists()
    assert Notification.objects.filter(user=owner, title="@ada's repost failed the check").exists()

    # Fixed: submitted again, it passes.
    good = fake_x.add_tweet(words(x_collab), user_id=CREATOR_X)
    with django_capture_on_commit_callbacks(execute=True):
        repost_submit_url(
            collaboration=x_collab, user=creator.user, url=f"https://x.com/ada/status/{good.id}"
        )
    run_queued(queued, django_capture_on_commit_callbacks)
    repost.refresh_from_db()
    assert repost.status == RepostStatus.VERIFIED and repost.failures == []


def test_a_post_without_the_brand_tag_fails_with_exactly_that(
    fake_x, x_collab, x_link, creator, queued, django_capture_on_commit_callbacks
):
    publication = Publication.objects.get(post=x_collab.offer.post)
    theirs = fake_x.add_tweet(f"Read this {publication.external_url}", user_id=CREATOR_X)
    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_submit_url(
            collaboration=x_collab, user=creator.user, url=f"https://x.com/ada/status/{theirs.id}"
        )
    run_queued(queued, django_capture_on_commit_callbacks)
    repost.refresh_from_db()
    assert repost.failures == ["The post does not tag @northwind."]


def test_a_url_from_someone_elses_account_is_refused_and_nothing_changes(
    fake_x, x_collab, x_link, creator, queued
):
    before = snapshot(x_collab)
    with pytest.raises(ValidationError) as caught:
        repost_submit_url(collaboration=x_collab, user=creator.user, url="https://x.com/mallory/status/123")
    assert caught.value.message_dict["url"] == [
        "This post was made by another account (@mallory); yours is @ada."
    ]
    assert snapshot(x_collab) == before and not queued


@pytest.mark.parametrize(
    "url,message",
    [
        ("https://example.com/post/1", "That is not the address of a post. Paste the link of your X post."),
        ("", "Paste the address of your X post."),
        (
            "https://www.linkedin.com/feed/update/urn:li:share:1/",
            "This offer is for X: paste the address of your X post, not a LinkedIn one.",
        ),
    ],
)
def test_a_bad_address_is_refused_next_to_the_field(x_collab, x_link, creator, queued, url, message):
    before = snapshot(x_collab)
    with pytest.raises(ValidationError) as caught:
        repost_submit_url(collaboration=x_collab, user=creator.user, url=url)
    assert caught.value.message_dict["url"] == [message]
    assert snapshot(x_collab) == before


def test_without_a_linked_account_the_influencer_is_told_to_link_it_first(x_collab, creator, queued):
    with pytest.raises(ValidationError) as caught:
        repost_submit_url(collaboration=x_collab, user=creator.user, url="https://x.com/ada/status/123")
    assert caught.value.message_dict["url"][0].startswith("Link your X account first")
    assert not Repost.objects.exists()


def test_a_post_the_platform_does_not_have_fails_the_check(
    fake_x, x_collab, x_link, creator, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        repost = repost_submit_url(
            collaboration=x_collab, user=creator.user, url="https://x.com/ada/status/123"
        )
    run_queued(queued, django_capture_on_commit_callbacks)
    repost.refresh_from_db()
    assert repost.failures == ["X has no post at this address (deleted, private or never made)."]


def test_a_repost_after_its_due_time_is_refused(x_collab, x_link, creator, queued):
    Collaboration.objects.filter(pk=x_collab.pk).update(repost_due_at=timezone.now() - timedelta(minutes=1))
    x_collab.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        repost_submit_url(collaboration=x_collab, user=creator.user, url="https://x.com/ada/status/123")
    assert "The repost was due by" in caught.value.messages[0]


def test_a_second_submission_while_one_is_checked_is_refused(x_collab, x_link, creator, queued):
    repost_submit_url(collaboration=x_collab, user=creator.user, url="https://x.com/ada/status/123")
    with pytest.raises(ValidationError) as caught:
        repost_submit_url(collaboration=x_collab, user=creator.user, url="https://x.com/ada/status/124")
    assert caught.value.messages == ["Your repost is already being published or checked."]


# --- pages ---------------------------------------------------------------------------------------------


def card_url(name, collaboration):
    return reverse(f"collaborations:{name}", args=[collaboration.pk])


def test_the_influencer_sees_the_repost_card_with_the_words_prefilled(client, x_collab, x_link, creator):
    client.force_login(creator.user)
    html = client.get(reverse("collaborations:collaboration_detail", args=[x_collab.pk])).content.decode()
    assert 'id="repost"' in html and "Repost now" in html and "Submit for checking" in html
    assert words(x_collab).replace("Loved this ", "") in html  # "@northwind <link>" prefilled
    assert "X @ada" in html


def test_a_bad_address_without_htmx_is_a_422_with_the_error_on_the_page(client, x_collab, x_link, creator):
    client.force_login(creator.user)
    response = client.post(card_url("repost_url", x_collab), {"url": "https://example.com/1"})
    assert response.status_code == 422
    assert "That is not the address of a post." in response.content.decode()


def test_a_bad_address_is_shown_next_to_the_field_with_htmx(client, x_collab, x_link, creator):
    client.force_login(creator.user)
    response = client.post(
        card_url("repost_url", x_collab), {"url": "https://x.com/mallory/status/1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    html = response.content.decode()
    assert 'id="id_url_error"' in html and "made by another account (@mallory)" in html
    assert not Repost.objects.exists()


def test_submitting_an_address_queues_the_check_and_the_card_polls(client, x_collab, x_link, creator, queued):
    client.force_login(creator.user)
    response = client.post(card_url("repost_url", x_collab), {"url": "https://x.com/ada/status/123"})
    assert response.status_code == 302
    html = client.get(card_url("repost_card", x_collab)).content.decode()
    assert "Being checked" in html and 'hx-trigger="every 3s"' in html


def test_another_influencers_collaboration_is_a_404(client, x_collab, x_link):
    client.force_login(InfluencerProfileFactory().user)
    assert (
        client.post(card_url("repost_url", x_collab), {"url": "https://x.com/ada/status/1"}).status_code
        == 404
    )
    assert (
        client.post(card_url("repost_now", x_collab), {"account": x_link.pk, "text": "hi"}).status_code == 404
    )
    assert client.get(card_url("repost_card", x_collab)).status_code == 404
    assert not Repost.objects.exists()


def test_the_brand_cannot_repost_for_the_influencer(client, x_collab, x_link, owner):
    client.force_login(owner)
    assert (
        client.post(card_url("repost_url", x_collab), {"url": "https://x.com/ada/status/1"}).status_code
        == 404
    )


def test_the_brand_sees_the_reposts_link_and_its_check(client, x_collab, x_link, creator, owner, queued):
    repost_submit_url(collaboration=x_collab, user=creator.user, url="https://x.com/ada/status/123")
    Repost.objects.update(status=RepostStatus.FAILED, failures=["The post does not tag @northwind."])
    client.force_login(owner)
    html = client.get(reverse("collaborations:collaboration_detail", args=[x_collab.pk])).content.decode()
    assert "https://x.com/ada/status/123" in html
    assert "The post does not tag @northwind." in html
    assert "Submit for checking" not in html


def test_the_profile_page_makes_the_sandbox_account(client, creator):
    client.force_login(creator.user)
    html = client.get(reverse("collaborations:profile_edit")).content.decode()
    assert "Create my Sandbox account" in html
    response = client.post(reverse("collaborations:sandbox_account_create"))
    assert response.status_code == 302
    assert InfluencerAccount.objects.get(profile=creator).platform == "sandbox"
    html = client.get(reverse("collaborations:profile_edit")).content.decode()
    assert "Create my Sandbox account" not in html and "@ada" in html
