"""From scheduled on, a post's status follows its publications: publishing works out which status
they call for, and posts' services write it, only along TRANSITIONS."""

import pytest
from django.db.models import Exists, OuterRef

from apps.posts import services
from apps.posts.models import TRANSITIONS, Post, PostEdit, PostStatus
from tests.factories import BrandFactory, BrandUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return Post.objects.create(
        brand=BrandFactory(), tone="professional", post_format="post", status=PostStatus.SCHEDULED
    )


def status_of(post) -> str:
    post.refresh_from_db()
    return post.status


def test_a_scheduled_post_whose_publication_went_out_is_published_with_the_time(post):
    assert services.post_status_set_from_publications(post_id=post.pk, status=PostStatus.PUBLISHED)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.published_at
    assert not PostEdit.objects.exists()  # the publications are the record


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (s, t)
        for s in PostStatus.values
        for t in services.FOLLOWS_PUBLICATIONS
        if s != t and (t not in TRANSITIONS[s] or s in (PostStatus.DRAFT, PostStatus.REJECTED))
    ],
)
def test_a_status_outside_the_table_or_on_a_draft_or_rejected_post_is_not_written(post, start, to):
    Post.objects.filter(pk=post.pk).update(status=start)
    assert not services.post_status_set_from_publications(post_id=post.pk, status=to)
    assert status_of(post) == start


def test_the_same_status_again_is_no_change(post):
    assert not services.post_status_set_from_publications(post_id=post.pk, status=PostStatus.SCHEDULED)


def test_a_draft_or_rejected_status_is_never_one_the_publications_decide(post):
    with pytest.raises(ValueError):
        services.post_status_set_from_publications(post_id=post.pk, status=PostStatus.DRAFT)


def test_the_callers_condition_must_hold_too(post):
    other = Post.objects.filter(pk=OuterRef("pk"), status=PostStatus.DRAFT)
    assert not services.post_status_set_from_publications(
        post_id=post.pk, status=PostStatus.PUBLISHED, only_if=Exists(other)
    )
    assert status_of(post) == PostStatus.SCHEDULED


def test_putting_a_post_on_the_calendar_is_recorded_and_a_draft_cannot_be(post):
    user = BrandUserFactory()
    Post.objects.filter(pk=post.pk).update(status=PostStatus.APPROVED)
    post.refresh_from_db()
    services.post_mark_scheduled(post=post, at=post.created_at, user=user, note="Scheduled for Mon")
    assert status_of(post) == PostStatus.SCHEDULED
    edit = post.edits.get()
    assert (edit.field, edit.before, edit.after, edit.note) == (
        "schedule",
        "approved",
        "scheduled",
        "Scheduled for Mon",
    )
    Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT)
    post.refresh_from_db()
    with pytest.raises(services.TransitionError):
        services.post_mark_scheduled(post=post, at=post.created_at, user=user, note="")
