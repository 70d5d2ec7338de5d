"""The publish panel on a post page and the batch bar on the posts list: publish now, schedule on
the brand's clock (DST gaps and doubled hours, the past), queue, unschedule, retry, warnings, and
another brand's post or publication not found."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from apps.brands.models import ConnectionStatus, Platform
from apps.posts.models import Post, PostStatus
from apps.publishing.models import Publication, PublicationStatus
from apps.publishing.services import post_schedule
from tests.publishing.ui_fixtures import (  # noqa: F401 (the fixtures)
    BEFORE_NOVEMBER,
    account,
    approved_post,
    member_fixture,
    nyc_fixture,
    outsider_fixture,
    post_page,
    sandbox_of,
    site_fixture,
    utc,
)

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def october():
    with time_machine.travel(BEFORE_NOVEMBER, tick=False):
        yield


def schedule(site, post, day, clock, accounts, **extra):
    return site.post(
        reverse("publishing:schedule", args=[post.pk]),
        {"date": day, "time": clock, "accounts": [a.pk for a in accounts]},
        **{**HX, **extra},
    )


def panel_of(html: str) -> str:
    return html.split('id="publish-panel"', 1)[1]


# --- the panel on the post page -------------------------------------------------------------------


def test_the_panel_appears_once_the_post_is_approved(site, nyc, october):
    post = approved_post(nyc)
    Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT)
    assert 'id="publish-panel"' not in post_page(site, post)
    Post.objects.filter(pk=post.pk).update(status=PostStatus.APPROVED)
    html = panel_of(post_page(site, post))
    for action in ("publish_now", "schedule", "queue"):
        assert reverse(f"publishing:{action}", args=[post.pk]) in html
    assert ">Publish now<" in html and ">Schedule<" in html and ">Add to queue<" in html
    # The zone is named next to the time, and the sandbox is labelled as simulated, ticked by default.
    assert "America/New_York (EDT, UTC−04:00)" in html
    sandbox = sandbox_of(nyc)
    assert f'value="{sandbox.pk}" id="publish-account-{sandbox.pk}" checked' in html
    assert "Sandbox (simulated)" in html
    # Best times: the sandbox model's defaults until the brand has history, as chips that fill the form.
    assert 'data-fill-date="2026-10-20" data-fill-time="10:00"' in html and "Tue 10:00" in html
    # The queue's next slot: Tue 20 Oct, 09:00 in New York (it is 08:00 there now).
    assert "Tue 20 Oct, 09:00 EDT" in html


def test_scheduling_reads_the_date_and_time_on_the_brands_clock(site, nyc, october):
    post = approved_post(nyc)
    response = schedule(site, post, "2026-11-02", "09:00", [sandbox_of(nyc)])
    assert response.status_code == 200
    publication = Publication.objects.get(post=post)
    assert publication.scheduled_for == utc(2026, 11, 2, 14, 0)  # 09:00 EST is 14:00 UTC
    assert publication.platform == "sandbox" and publication.status == PublicationStatus.SCHEDULED
    html = response.content.decode()
    assert "Scheduled for Mon 2 Nov 2026, 09:00 EST on Sandbox (simulated)." in html
    assert "Goes out" in html and "Mon 2 Nov 2026, 09:00 EST" in html
    # The post's review section comes back whole: its status, and no decision left to take.
    assert 'id="post-review"' in html
    assert 'id="post-status" class="badge post-status post-status-scheduled"' in html
    assert "decision-card" not in html
    assert Post.objects.get(pk=post.pk).status == PostStatus.SCHEDULED


def test_a_time_the_clocks_skip_is_refused_next_to_the_field_and_what_was_typed_stays(site, nyc, october):
    post = approved_post(nyc)
    response = schedule(site, post, "2027-03-14", "02:30", [sandbox_of(nyc)])
    assert response.status_code == 422
    html = response.content.decode()
    when = html.split('class="field publish-when has-error"', 1)[1].split("</fieldset>")[0]
    assert "2:30 AM does not exist on Sunday, March 14 in America/New_York" in when
    assert 'value="2027-03-14"' in when and 'value="02:30"' in when
    assert not Publication.objects.exists()


def test_a_time_that_happens_twice_is_the_first_and_the_panel_says_so(site, nyc, october):
    post = approved_post(nyc)
    response = schedule(site, post, "2026-11-01", "01:30", [sandbox_of(nyc)])
    assert response.status_code == 200
    assert Publication.objects.get(post=post).scheduled_for == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert "happens twice on Sunday, November 1" in response.content.decode()


def test_a_time_in_the_past_is_refused_next_to_the_field(site, nyc, october):
    post = approved_post(nyc)
    response = schedule(site, post, "2026-10-19", "09:00", [sandbox_of(nyc)])
    assert response.status_code == 422
    when = response.content.decode().split('class="field publish-when has-error"', 1)[1]
    assert "Mon 19 Oct 2026, 09:00 has already passed in America/New_York" in when.split("</fieldset>")[0]
    assert not Publication.objects.exists()


def test_scheduling_without_an_account_says_so_next_to_the_accounts(site, nyc, october):
    post = approved_post(nyc)
    response = schedule(site, post, "2026-11-02", "09:00", [])
    assert response.status_code == 422
    accounts = response.content.decode().split("publish-accounts has-error", 1)[1].split("</fieldset>")[0]
    assert "Choose at least one account." in accounts


def test_without_javascript_scheduling_redirects_to_the_post_with_a_message(site, nyc, october):
    post = approved_post(nyc)
    response = site.post(
        reverse("publishing:schedule", args=[post.pk]),
        {"date": "2026-11-02", "time": "09:00", "accounts": [sandbox_of(nyc).pk]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("posts:review", args=[post.pk])
    assert "Scheduled for Mon 2 Nov 2026, 09:00 EST" in response.content.decode()
    # An error shows the whole post page again, with the error next to the field.
    response = site.post(
        reverse("publishing:schedule", args=[post.pk]),
        {"date": "2026-10-01", "time": "09:00", "accounts": [sandbox_of(nyc).pk]},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html and "has already passed" in html and 'value="2026-10-01"' in html


def test_publish_now_publishes_on_the_sandbox(site, nyc, django_capture_on_commit_callbacks):
    post = approved_post(nyc)
    with django_capture_on_commit_callbacks(execute=True):
        response = site.post(
            reverse("publishing:publish_now", args=[post.pk]), {"accounts": [sandbox_of(nyc).pk]}, **HX
        )
    assert response.status_code == 200
    assert "Publishing now on Sandbox (simulated)." in response.content.decode()
    publication = Publication.objects.get(post=post)
    assert publication.platform == "sandbox" and publication.queued_by == "now"
    assert publication.status == PublicationStatus.PUBLISHED, publication.last_error
    html = site.get(reverse("publishing:panel", args=[post.pk])).content.decode()
    assert "View in sandbox" in html and publication.external_url in html
    # The live refresh of the panel brings the post's status along, out of band.
    assert 'post-status-published" hx-swap-oob="true">Published<' in html


def test_add_to_queue_takes_the_next_free_preferred_slot(site, nyc, october):
    post = approved_post(nyc)
    other = approved_post(nyc, "Another post")
    post_schedule(post=other, user=None, at=utc(2026, 10, 20, 13, 0))  # Tue 09:00 EDT is taken
    response = site.post(
        reverse("publishing:queue", args=[post.pk]), {"accounts": [sandbox_of(nyc).pk]}, **HX
    )
    assert response.status_code == 200
    publication = Publication.objects.get(post=post)
    assert publication.scheduled_for == utc(2026, 10, 20, 14, 0)  # the next one: Tue 10:00 EDT
    assert publication.queued_by == "queue"
    assert (
        "Added to the queue: Tue 20 Oct 2026, 10:00 EDT on Sandbox (simulated)." in response.content.decode()
    )


def test_unschedule_takes_the_post_off_the_calendar(site, nyc, october):
    post = approved_post(nyc)
    post_schedule(post=post, user=None, at=utc(2026, 11, 2, 14, 0))
    html = site.get(reverse("publishing:panel", args=[post.pk])).content.decode()
    assert reverse("publishing:unschedule", args=[post.pk]) in html
    # The form offers the scheduled time to change it (the calendar's no-JS path).
    assert 'value="2026-11-02"' in html and 'value="09:00"' in html
    response = site.post(reverse("publishing:unschedule", args=[post.pk]), **HX)
    assert response.status_code == 200
    assert "Unscheduled" in response.content.decode()
    assert Publication.objects.get(post=post).status == PublicationStatus.CANCELLED
    assert Post.objects.get(pk=post.pk).status == PostStatus.APPROVED


def test_a_failed_publication_shows_why_and_a_retry_button_that_works(site, nyc, october):
    post = approved_post(nyc)
    post_schedule(post=post, user=None, at=utc(2026, 10, 20, 12, 30))
    reason = "X refused the post as a duplicate of one already on the account. Edit the copy, then retry."
    Publication.objects.filter(post=post).update(status=PublicationStatus.FAILED, last_error=reason)
    Post.objects.filter(pk=post.pk).update(status=PostStatus.FAILED)
    publication = Publication.objects.get(post=post)
    html = panel_of(post_page(site, post))
    assert reason in html
    retry_url = reverse("publishing:retry", args=[publication.pk])
    assert f'hx-post="{retry_url}"' in html and ">Retry<" in html
    response = site.post(retry_url, **HX)
    assert response.status_code == 200
    assert "Trying again on Sandbox (simulated) now." in response.content.decode()
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SCHEDULED


def test_linkedin_token_expiring_before_the_time_and_an_account_to_reconnect_are_warned(site, nyc, october):
    linkedin = account(nyc, Platform.LINKEDIN, "dana", expires_in=timedelta(days=3))
    x = account(nyc, Platform.X, "ledgerly", status=ConnectionStatus.NEEDS_RECONNECT)
    post = approved_post(nyc, platforms=("x", "linkedin"))
    # The X account is shown, disabled, with the reason; LinkedIn is ticked by default.
    html = site.get(reverse("publishing:panel", args=[post.pk])).content.decode()
    assert (
        f'id="publish-account-{x.pk}" disabled' in html
        and "Needs reconnecting before it can publish." in html
    )
    assert f'value="{linkedin.pk}" id="publish-account-{linkedin.pk}" checked' in html
    response = schedule(site, post, "2026-11-02", "09:00", [linkedin])
    assert response.status_code == 200
    html = response.content.decode()
    assert "LinkedIn @dana&#x27;s access expires on Fri 23 Oct, 08:00, before this post&#x27;s time." in html
    # A time before the expiry is fine.
    html = schedule(site, post, "2026-10-21", "09:00", [linkedin]).content.decode()
    assert "access expires" not in html
    # Ticking the disabled account anyway is refused next to the accounts.
    response = schedule(site, post, "2026-11-02", "09:00", [x])
    assert response.status_code == 422
    assert "Choose one or more of this brand&#x27;s connected accounts." in response.content.decode()


def test_another_brands_post_and_publication_are_not_found(outsider, nyc, october):
    post = approved_post(nyc)
    post_schedule(post=post, user=None, at=utc(2026, 11, 2, 14, 0))
    publication = Publication.objects.get(post=post)
    for name in ("publish_now", "schedule", "queue", "unschedule"):
        assert outsider.post(reverse(f"publishing:{name}", args=[post.pk]), **HX).status_code == 404
    assert outsider.get(reverse("publishing:panel", args=[post.pk])).status_code == 404
    assert outsider.post(reverse("publishing:retry", args=[publication.pk])).status_code == 404
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SCHEDULED


# --- batch on the posts list ----------------------------------------------------------------------


def batch(site, nyc, action, posts, **data):
    return site.post(
        reverse("publishing:batch"),
        {"brand": nyc.pk, "action": action, "post": [p.pk for p in posts], **data},
        **HX,
    )


def test_batch_schedule_puts_the_ticked_posts_at_one_time_on_the_brands_clock(site, nyc, october):
    posts = [approved_post(nyc, "One"), approved_post(nyc, "Two")]
    Post.objects.filter(pk=posts[1].pk).update(status=PostStatus.DRAFT)  # approved on the way
    html = batch(site, nyc, "schedule", posts, date="2026-11-02", time="09:00").content.decode()
    assert "2 posts scheduled." in html
    assert set(Publication.objects.values_list("scheduled_for", flat=True)) == {utc(2026, 11, 2, 14, 0)}
    assert set(Post.objects.values_list("status", flat=True)) == {PostStatus.SCHEDULED}


def test_batch_schedule_needs_a_time_and_says_so_next_to_it(site, nyc, october):
    post = approved_post(nyc)
    html = batch(site, nyc, "schedule", [post], date="2026-11-02").content.decode()
    assert "Pick a time." in html.split('class="batch-publish"', 1)[1]
    assert 'value="2026-11-02"' in html
    html = batch(site, nyc, "schedule", [post], date="2027-03-14", time="02:30").content.decode()
    assert "does not exist on Sunday, March 14" in html
    assert not Publication.objects.exists()


def test_batch_queue_gives_each_post_its_own_slot(site, nyc, october):
    posts = [approved_post(nyc, "One"), approved_post(nyc, "Two")]
    html = batch(site, nyc, "queue", posts).content.decode()
    assert "2 posts added to the queue." in html
    assert sorted(Publication.objects.values_list("scheduled_for", flat=True)) == [
        utc(2026, 10, 20, 13, 0),
        utc(2026, 10, 20, 14, 0),
    ]


def test_batch_publish_sends_the_ticked_posts_now(site, nyc, django_capture_on_commit_callbacks):
    posts = [approved_post(nyc, "One"), approved_post(nyc, "Two")]
    with django_capture_on_commit_callbacks(execute=True):
        html = batch(site, nyc, "publish", posts).content.decode()
    assert "2 posts sent to publish now." in html
    assert Publication.objects.filter(platform="sandbox").count() == 2
    assert set(Publication.objects.values_list("status", flat=True)) == {PublicationStatus.PUBLISHED}


def test_batch_reports_the_posts_that_could_not_be_scheduled(site, nyc, october):
    good, rejected = approved_post(nyc, "One"), approved_post(nyc, "Two")
    Post.objects.filter(pk=rejected.pk).update(status=PostStatus.REJECTED)
    html = batch(site, nyc, "schedule", [good, rejected], date="2026-11-02", time="09:00").content.decode()
    assert f"1 post scheduled; 1 could not be: #{rejected.pk}:" in html
    assert not Publication.objects.filter(post=rejected).exists()


def test_best_times_come_from_the_brands_own_posts_and_the_sandbox_only_advises_the_sandbox(nyc, october):
    from apps.publishing.selectors import best_time_suggestions

    post = approved_post(nyc)
    # Ten sandbox posts that did well on Thursdays at 16:00 in New York (20:00 UTC in October).
    for week in range(10):
        Publication.objects.create(
            post=post,
            brand=nyc,
            connection=None,
            platform="sandbox",
            copy_platform="x",
            status=PublicationStatus.PUBLISHED,
            scheduled_for=utc(2026, 10, 15, 20) - timedelta(weeks=week),
            due_at=utc(2026, 10, 15, 20) - timedelta(weeks=week),
            published_at=utc(2026, 10, 15, 20) - timedelta(weeks=week),
            engagement_rate=0.08,
        )
    sandbox = best_time_suggestions(brand=nyc, platform="sandbox")
    assert sandbox[0].label == "Thu 16:00" and sandbox[0].source == "history"
    assert sandbox[0].local.strftime("%a %d %b %H:%M") == "Thu 22 Oct 16:00"
    assert "from 10 of your posts" in sandbox[0].reason
    # X has no history of its own: its typical times, never the sandbox's simulated numbers.
    x = best_time_suggestions(brand=nyc, platform="x")
    assert [s.source for s in x] == ["default"] * 3 and "Thu 16:00" not in [s.label for s in x]
