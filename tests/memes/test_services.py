"""Making memes (validation, content-addressed cache), votes, reactions, trending, moderation and
uploads, through the services."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from PIL import Image

from apps.memes import generation, services, trending
from apps.memes.models import Meme, MemeTemplate
from tests.factories import StaffFactory, UserFactory


def make(template, user, texts=("top text", "bottom text"), **kwargs):
    size = kwargs.pop("size", "medium")
    public = kwargs.pop("is_public", True)
    spec = generation.spec_from_input(template=template, texts=list(texts), **kwargs)
    return services.meme_create(user=user, spec=spec, size=size, is_public=public)


def test_a_meme_is_rendered_stored_and_found_again_without_rendering(starter, monkeypatch):
    user, other = UserFactory(), UserFactory()
    meme, created = make(starter["this-is-fine"], user)
    assert created and meme.images["medium"].startswith("memes/r/")
    assert default_storage.exists(meme.images["medium"])
    with default_storage.open(meme.images["medium"]) as handle:
        assert Image.open(handle).size[0] == 640

    calls = []
    monkeypatch.setattr(generation, "render_spec", lambda *a, **k: calls.append(a))
    again, created_again = make(starter["this-is-fine"], user)
    assert (again.pk, created_again) == (meme.pk, False)
    theirs, created_theirs = make(starter["this-is-fine"], other)
    assert created_theirs and theirs.pk != meme.pk
    assert theirs.images == meme.images and calls == []


def test_the_cache_key_covers_everything_that_decides_the_pixels(starter):
    template = starter["this-is-fine"]
    base = generation.spec_from_input(template=template, texts=["a", "b"])
    variants = [
        generation.spec_from_input(template=template, texts=["a", "c"]),
        generation.spec_from_input(template=template, texts=["a", "b"], fill="#ff0000"),
        generation.spec_from_input(template=template, texts=["a", "b"], effect="shadow"),
        generation.spec_from_input(template=template, texts=["a", "b"], filters=["blur"]),
        generation.spec_from_input(template=template, texts=["a", "b"], format="png"),
        generation.spec_from_input(template=template, texts=["a", "b"], font="sans"),
        generation.spec_from_input(template=starter["two-buttons"], texts=["a", "b"]),
    ]
    keys = {spec.key for spec in variants}
    assert base.key not in keys and len(keys) == len(variants)
    assert generation.spec_from_input(template=template, texts=["a", "b", ""]).key == base.key


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"texts": ["x" * 201]}, "texts"),
        ({"texts": ["a", "b", "c", "d", "e"]}, "texts"),
        ({"texts": ["", " "]}, "texts"),
        ({"texts": ["a"], "fill": "red-ish"}, "fill"),
        ({"texts": ["a"], "stroke": "#12"}, "stroke"),
        ({"texts": ["a"], "filters": ["melt"]}, "filters"),
        ({"texts": ["a"], "filters": [{"name": "blur", "value": 99}]}, "filters.blur"),
        ({"texts": ["a"], "format": "bmp"}, "format"),
        ({"texts": ["a"], "font": "comic"}, "font"),
        ({"texts": ["a"], "boxes": [{"x": 2, "y": 0, "w": 0.5, "h": 0.5}]}, "boxes[0].x"),
        ({"texts": ["a"], "boxes": [{"x": 0, "y": 0, "w": 0.5, "h": 0.5}] * 11}, "boxes"),
    ],
)
def test_bad_input_names_the_field(starter, kwargs, field):
    with pytest.raises(ValidationError) as info:
        generation.spec_from_input(template=starter["this-is-fine"], **kwargs)
    assert field in info.value.message_dict


def test_votes_count_once_per_user_and_can_change_or_be_taken_back(starter):
    meme, _ = make(starter["this-is-fine"], UserFactory())
    voter = UserFactory()
    services.meme_vote(meme=meme, user=voter, value=1)
    meme, _ = services.meme_vote(meme=meme, user=voter, value=1)
    assert (meme.up_votes, meme.down_votes, meme.score) == (1, 0, 1)
    meme, _ = services.meme_vote(meme=meme, user=voter, value=-1)
    assert (meme.up_votes, meme.down_votes, meme.score) == (0, 1, -1)
    meme, _ = services.meme_vote(meme=meme, user=voter, value=0)
    assert (meme.up_votes, meme.down_votes, meme.score) == (0, 0, 0)
    with pytest.raises(ValidationError):
        services.meme_vote(meme=meme, user=voter, value=2)


def test_reactions_toggle_and_are_counted_per_emoji(starter):
    meme, _ = make(starter["this-is-fine"], UserFactory())
    a, b = UserFactory(), UserFactory()
    services.meme_react(meme=meme, user=a, emoji="fire")
    services.meme_react(meme=meme, user=b, emoji="fire")
    meme, on = services.meme_react(meme=meme, user=a, emoji="laugh")
    assert on and meme.reactions == {"laugh": 1, "fire": 2}
    meme, on = services.meme_react(meme=meme, user=a, emoji="fire")
    assert not on and meme.reactions == {"laugh": 1, "fire": 1}
    with pytest.raises(ValidationError):
        services.meme_react(meme=meme, user=a, emoji="poop")


def test_trending_orders_by_votes_with_time_decay_and_rebuilds_from_the_database(starter):
    from datetime import timedelta

    from django.utils import timezone

    owner = UserFactory()
    old, _ = make(starter["this-is-fine"], owner, texts=["old"])
    new, _ = make(starter["this-is-fine"], owner, texts=["new"])
    Meme.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=30))
    old.refresh_from_db()
    for _ in range(5):  # 5 votes do not beat 30 hours of age
        services.meme_vote(meme=old, user=UserFactory(), value=1)
    ids, total = trending.trending_ids(limit=10)
    assert (ids[:2], total) == ([new.pk, old.pk], 2)
    assert trending.hot(up=10, down=0, reactions=0, created_at=new.created_at) == pytest.approx(
        trending.hot(up=1, down=0, reactions=0, created_at=new.created_at) + 1, abs=1e-6
    )

    client = trending.redis_client()
    if client is not None:  # Redis emptied: the set comes back from the database
        client.delete(trending._key(trending.ZSET))
        assert trending.trending_ids(limit=10) == ([new.pk, old.pk], 2)
        assert client.zcard(trending._key(trending.ZSET)) == 2


def test_offensive_captions_wait_for_staff_and_hidden_memes_leave_the_feed(
    starter, django_capture_on_commit_callbacks
):
    owner, staff = UserFactory(), StaffFactory()
    flagged, _ = make(starter["this-is-fine"], owner, texts=["you absolute sh1t"])
    assert flagged.moderation == Meme.Moderation.FLAGGED and "Offensive" in flagged.moderation_reason
    with django_capture_on_commit_callbacks(execute=True):
        fine, _ = make(starter["this-is-fine"], owner, texts=["all good here"])
    assert trending.trending_ids()[0] == [fine.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.meme_moderate(meme=fine, user=staff, action="hide")
    assert trending.trending_ids()[0] == []
    with django_capture_on_commit_callbacks(execute=True):
        services.meme_moderate(meme=flagged, user=staff, action="show")
    assert trending.trending_ids()[0] == [flagged.pk]
    with pytest.raises(Exception, match="staff"):
        services.meme_moderate(meme=fine, user=owner, action="show")


def test_only_the_owner_or_staff_delete_and_private_memes_are_not_votable(starter):
    owner = UserFactory()
    private, _ = make(starter["this-is-fine"], owner, is_public=False)
    with pytest.raises(Http404):
        services.meme_vote(meme=private, user=UserFactory(), value=1)
    with pytest.raises(Http404):
        services.meme_delete(meme=private, user=UserFactory())
    services.meme_delete(meme=private, user=owner)
    assert not Meme.objects.filter(pk=private.pk).exists()


def _png(size=(300, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#3366cc").save(buffer, "PNG")
    return buffer.getvalue()


def test_uploads_wait_for_staff_and_bad_files_store_nothing(db, media):
    user = UserFactory()
    template = services.template_upload(user=user, name="Blue wall", data=_png(), tags="blue, wall")
    assert template.status == MemeTemplate.Status.PENDING and template.image_hash
    spec = generation.spec_from_input(template=template, texts=["mine"])
    with pytest.raises(ValidationError):  # own pending template: private only
        services.meme_create(user=user, spec=spec, is_public=True)
    services.meme_create(user=user, spec=spec, is_public=False)
    with pytest.raises(Http404):
        services.meme_create(user=UserFactory(), spec=spec, is_public=False)
    services.template_review(template=template, user=StaffFactory(), approve=True)
    services.meme_create(user=UserFactory(), spec=spec, is_public=True)

    before = sorted(p.name for p in (media / "memes" / "templates").iterdir())
    for data in (b"not an image", b"GIF89a" + b"\0" * 20):
        with pytest.raises(ValidationError) as info:
            services.template_upload(user=user, name="Bad", data=data)
        assert "image" in info.value.message_dict
    assert sorted(p.name for p in (media / "memes" / "templates").iterdir()) == before
