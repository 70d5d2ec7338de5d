"""Post statuses move only along TRANSITIONS, through services, with a history of who did what."""

import pytest
from django.core.exceptions import ValidationError

from apps.posts import services
from apps.posts.models import TRANSITIONS, Post, PostCopy, PostEdit, PostStatus
from tests.factories import BrandFactory, BrandUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    post = Post.objects.create(brand=BrandFactory(), tone="professional", post_format="post")
    PostCopy.objects.create(post=post, platform="x", parts=["Instant payments are here."], source="template")
    return post


def test_the_happy_path_from_draft_to_published_is_recorded(post):
    user = BrandUserFactory()
    services.post_approve(post=post, user=user)
    assert post.status == PostStatus.APPROVED and post.approved_by == user and post.approved_at
    for status in (PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED):
        services.post_transition(post=post, to=status, user=user)
    assert post.status == PostStatus.PUBLISHED and post.published_at
    history = list(post.edits.order_by("created_at").values_list("before", "after"))
    assert history == [
        ("draft", "approved"),
        ("approved", "scheduled"),
        ("scheduled", "publishing"),
        ("publishing", "published"),
    ]


@pytest.mark.parametrize(
    ("start", "to"),
    [(s, t) for s in PostStatus.values for t in PostStatus.values if t not in TRANSITIONS[s] and t != s],
)
def test_every_transition_outside_the_table_is_refused(post, start, to):
    Post.objects.filter(pk=post.pk).update(status=start)
    post.refresh_from_db()
    with pytest.raises(services.TransitionError):
        services.post_transition(post=post, to=to)
    post.refresh_from_db()
    assert post.status == start and not PostEdit.objects.exists()


def test_a_published_post_is_final(post):
    assert TRANSITIONS[PostStatus.PUBLISHED] == frozenset()


def test_copy_over_the_limit_cannot_be_approved(post):
    PostCopy.objects.filter(post=post).update(parts=["x" * 281])
    with pytest.raises(ValidationError) as exc:
        services.post_approve(post=post, user=BrandUserFactory())
    assert "280" in str(exc.value.message_dict["x"])
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


def test_rejecting_needs_a_reason_and_keeps_it(post):
    with pytest.raises(ValidationError):
        services.post_reject(post=post, user=None, reason="  ")
    services.post_reject(post=post, user=None, reason="Off-brand joke")
    assert post.status == PostStatus.REJECTED and post.rejected_reason == "Off-brand joke"


def test_editing_copy_is_kept_in_the_history_and_sends_an_approved_post_back_to_draft(post):
    user = BrandUserFactory()
    services.post_approve(post=post, user=user)
    services.post_copy_update(post=post, platform="x", parts=["Instant payments, finally."], user=user)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    edit = post.edits.get(field="copy")
    assert edit.before["parts"] == ["Instant payments are here."]
    assert edit.after["parts"] == ["Instant payments, finally."] and edit.user == user
