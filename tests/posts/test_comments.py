"""Comments on posts: a thread with @mentions of members (notified in-app, live and by email),
resolvable; preview links for outsiders (signed, expiring, revocable) where they comment with a
name and no account; another brand's post is 404 everywhere."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.brands.models import BrandMembership
from apps.notifications.models import Notification
from apps.posts import comments
from apps.posts.models import PostComment, PostCopy, PostPreviewLink
from tests.factories import BrandFactory, BrandUserFactory, PostFactory

pytestmark = pytest.mark.django_db


def _member(brand, role="editor", **kwargs):
    user = BrandUserFactory(**kwargs)
    BrandMembership.objects.create(brand=brand, user=user, role=role)
    return user


def _client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def team(brand):
    return {
        "maya": _member(brand, "owner", display_name="Maya Chen", email="maya@ledgerly.test"),
        "ada": _member(brand, "editor", display_name="Ada Lovelace", email="ada.l@ledgerly.test"),
        "bo": _member(brand, "editor", display_name="Bo", email="bo@ledgerly.test"),
    }


@pytest.fixture
def post(brand, team):
    post = PostFactory(brand=brand, created_by=team["maya"], origin="written", generation_state="ready")
    PostCopy.objects.create(post=post, platform="x", parts=["Ten-second euro transfers."], source="written")
    PostCopy.objects.create(
        post=post, platform="linkedin", parts=["Instant payments, explained."], source="written"
    )
    return post


# --- Mentions and comments -------------------------------------------------------------------------


def test_mentions_match_display_names_email_names_and_only_members(brand, team):
    outsider = BrandUserFactory(display_name="Zed")
    found = comments.mentions_parse(
        brand=brand, body="@Ada Lovelace and @bo, see this. Not @Zed, not mail@bo.example"
    )
    assert {u.pk for u in found} == {team["ada"].pk, team["bo"].pk}
    assert outsider not in found
    assert comments.mentions_parse(brand=brand, body="@ada.l please") == [team["ada"]]
    assert comments.mentions_parse(brand=brand, body="@AdaLovelace") == [team["ada"]]
    assert comments.mentions_parse(brand=brand, body="@Bob is nobody") == []


def test_a_comment_notifies_mentioned_members_live_and_by_email_but_not_its_author(
    post, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = comments.comment_create(
            post=post, user=team["maya"], body="@Ada Lovelace @Maya Chen check the hook"
        )
    assert set(comment.mentions.all()) == {team["maya"], team["ada"]}
    told = Notification.objects.get()
    assert told.user == team["ada"] and "Maya Chen mentioned you" in told.title
    assert told.url == f"/posts/{post.pk}/#comments"
    assert [m.to for m in mail.outbox] == [[team["ada"].email]]


def test_an_empty_or_too_long_comment_is_refused_and_nothing_is_written(post, team):
    for body in ("   ", "x" * 2001):
        with pytest.raises(ValidationError):
            comments.comment_create(post=post, user=team["ada"], body=body)
    assert not PostComment.objects.exists()


def test_resolve_and_reopen(post, team):
    comment = comments.comment_create(post=post, user=team["ada"], body="Typo in tweet 1")
    comments.comment_resolve(comment=comment, user=team["maya"])
    comment.refresh_from_db()
    assert comment.resolved_at and comment.resolved_by == team["maya"]
    comments.comment_resolve(comment=comment, user=team["maya"], resolved=False)
    comment.refresh_from_db()
    assert comment.resolved_at is None and comment.resolved_by is None


def test_thread_on_the_post_page_comment_and_resolve(post, team, django_assert_max_num_queries):
    c = _client(team["bo"])
    response = c.post(
        reverse("posts:comments", args=[post.pk]), {"body": "Love it @Maya Chen"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Love it @Maya Chen" in html and "Mentions: Maya Chen" in html
    empty = c.post(reverse("posts:comments", args=[post.pk]), {"body": ""}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 422 and "Write a comment first." in empty.content.decode()
    comment = PostComment.objects.get()
    resolved = c.post(
        reverse("posts:comment_resolve", args=[post.pk, comment.pk]),
        {"resolved": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert "Resolved by Bo" in resolved.content.decode()
    for i in range(5):
        comments.comment_create(post=post, user=team["ada"], body=f"note {i} @Bo")
    with django_assert_max_num_queries(40):
        page = c.get(reverse("posts:review", args=[post.pk]))
    assert page.status_code == 200 and page.content.decode().count('class="comment') >= 6


def test_another_brands_post_comments_are_404(post, team):
    stranger = _member(BrandFactory(), "owner")
    c = _client(stranger)
    comment = comments.comment_create(post=post, user=team["ada"], body="internal")
    assert c.get(reverse("posts:comments", args=[post.pk]), HTTP_HX_REQUEST="true").status_code == 404
    assert c.post(reverse("posts:comments", args=[post.pk]), {"body": "hi"}).status_code == 404
    assert c.post(reverse("posts:comment_resolve", args=[post.pk, comment.pk])).status_code == 404
    assert c.post(reverse("posts:preview_link_create", args=[post.pk]), {"days": 7}).status_code == 404
    assert c.get(f"/api/v1/posts/{post.pk}/comments").status_code == 404
    assert (
        c.post(
            f"/api/v1/posts/{post.pk}/comments", json.dumps({"body": "hi"}), content_type="application/json"
        ).status_code
        == 404
    )
    assert PostComment.objects.count() == 1


# --- Preview links -----------------------------------------------------------------------------------


def test_preview_link_shows_the_previews_and_takes_a_guest_comment(
    post, team, django_capture_on_commit_callbacks
):
    link = comments.preview_link_create(post=post, user=team["maya"])
    assert timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= timedelta(days=7)
    url = comments.preview_link_url(link)
    guest = _client()
    page = guest.get(url)
    html = page.content.decode()
    assert (
        page.status_code == 200
        and "Ten-second euro transfers." in html
        and "Instant payments, explained." in html
    )
    missing = guest.post(url, {"name": "", "body": "Looks good"})
    assert missing.status_code == 422 and "Give your name" in missing.content.decode()
    assert not PostComment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = guest.post(url, {"name": "Jo from Agency", "body": "Looks good @Ada Lovelace"})
    assert sent.status_code == 200 and "has your comment" in sent.content.decode()
    comment = PostComment.objects.get()
    assert comment.author is None and comment.author_name == "Jo from Agency" and comment.preview_link == link
    assert set(Notification.objects.values_list("user_id", flat=True)) == {team["ada"].pk, team["maya"].pk}
    thread = _client(team["maya"]).get(reverse("posts:review", args=[post.pk])).content.decode()
    assert "Jo from Agency (guest)" in thread


def test_expired_and_revoked_links_say_so_with_410_and_take_no_comment(post, team):
    link = comments.preview_link_create(post=post, user=team["maya"], days=1)
    url = comments.preview_link_url(link)
    PostPreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    gone = _client().post(url, {"name": "Jo", "body": "late"})
    assert gone.status_code == 410 and "expired" in gone.content.decode()
    fresh = comments.preview_link_create(post=post, user=team["maya"])
    owner = _client(team["maya"])
    revoked = owner.post(
        reverse("posts:preview_link_revoke", args=[post.pk, fresh.pk]), HTTP_HX_REQUEST="true"
    )
    assert revoked.status_code == 200 and "Revoked" in revoked.content.decode()
    page = _client().get(comments.preview_link_url(fresh))
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    assert not PostComment.objects.exists()


def test_a_tampered_or_unknown_token_is_404_never_500(post, team):
    link = comments.preview_link_create(post=post, user=team["maya"])
    token = comments.preview_link_token(link)
    assert _client().get(reverse("posts:preview", args=[token[:-2] + "xx"])).status_code == 404
    assert _client().get(reverse("posts:preview", args=["nonsense"])).status_code == 404
    link.delete()
    assert _client().get(reverse("posts:preview", args=[token])).status_code == 404


def test_preview_link_days_are_checked(post, team):
    for days in (0, 31, "seven"):
        with pytest.raises(ValidationError):
            comments.preview_link_create(post=post, user=team["maya"], days=days)
    response = _client(team["maya"]).post(
        reverse("posts:preview_link_create", args=[post.pk]), {"days": "45"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and "1 to 30 days" in response.content.decode()
    assert not PostPreviewLink.objects.exists()


def test_the_review_page_lists_live_links_with_their_address(post, team):
    link = comments.preview_link_create(post=post, user=team["maya"])
    page = _client(team["ada"]).get(reverse("posts:review", args=[post.pk])).content.decode()
    assert comments.preview_link_url(link) in page and "Revoke" in page


def test_another_brand_cannot_revoke_a_link(post, team):
    link = comments.preview_link_create(post=post, user=team["maya"])
    stranger = _member(BrandFactory(), "owner")
    c = _client(stranger)
    assert c.post(reverse("posts:preview_link_revoke", args=[post.pk, link.pk])).status_code == 404
    assert c.delete(f"/api/v1/posts/{post.pk}/preview-links/{link.pk}").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


# --- API ------------------------------------------------------------------------------------------------


def test_api_comments_list_create_resolve(post, team):
    c = _client(team["ada"])
    bad = c.post(
        f"/api/v1/posts/{post.pk}/comments", json.dumps({"body": " "}), content_type="application/json"
    )
    assert bad.status_code == 422 and "Write a comment first" in bad.json()["detail"]
    made = c.post(
        f"/api/v1/posts/{post.pk}/comments",
        json.dumps({"body": "@Bo thoughts?"}),
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["mentions"] == [team["bo"].pk]
    cid = made.json()["id"]
    resolved = c.post(
        f"/api/v1/posts/{post.pk}/comments/{cid}/resolve", json.dumps({}), content_type="application/json"
    )
    assert resolved.status_code == 200 and resolved.json()["resolved_by_id"] == team["ada"].pk
    listed = c.get(f"/api/v1/posts/{post.pk}/comments").json()
    assert [x["id"] for x in listed] == [cid] and listed[0]["author_name"] == "Ada Lovelace"


def test_api_preview_link_create_and_revoke(post, team):
    c = _client(team["maya"])
    bad = c.post(
        f"/api/v1/posts/{post.pk}/preview-links", json.dumps({"days": 0}), content_type="application/json"
    )
    assert bad.status_code == 422 and "1 to 30 days" in bad.json()["detail"]
    made = c.post(f"/api/v1/posts/{post.pk}/preview-links", json.dumps({}), content_type="application/json")
    assert made.status_code == 201
    url = made.json()["url"]
    assert _client().get(url).status_code == 200
    revoked = c.delete(f"/api/v1/posts/{post.pk}/preview-links/{made.json()['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert _client().get(url).status_code == 410


def test_a_preview_link_takes_a_limited_number_of_guest_comments(post, team, monkeypatch):
    monkeypatch.setattr(comments, "GUEST_COMMENTS_PER_LINK", 2)
    link = comments.preview_link_create(post=post, user=team["maya"])
    url = comments.preview_link_url(link)
    for i in range(2):
        assert _client().post(url, {"name": "Jo", "body": f"note {i}"}).status_code == 200
    refused = _client().post(url, {"name": "Jo", "body": "one more"})
    assert refused.status_code == 422 and "ask the brand for a new one" in refused.content.decode()
    assert PostComment.objects.count() == 2
