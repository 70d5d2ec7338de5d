"""Meme data: vote and reaction uniqueness, their check constraints, tag search, default boxes."""

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from apps.memes.models import Meme, MemeReaction, MemeTemplate, MemeVote, normalize_tags
from apps.memes.render import TextBox
from tests.factories import UserFactory


@pytest.fixture
def template(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    template = MemeTemplate(
        name="Galaxy brain", slug="galaxy-brain", tags=normalize_tags(["cosmic", "Top Bottom"])
    )
    template.image.save("galaxy-brain.png", ContentFile(b"png"), save=False)
    template.save()
    return template


@pytest.fixture
def meme(template):
    return Meme.objects.create(template=template, owner=UserFactory(), texts=["a", "b"], cache_key="0" * 64)


def test_a_second_vote_by_the_same_user_is_refused(meme):
    user = UserFactory()
    MemeVote.objects.create(meme=meme, user=user, value=MemeVote.UP)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemeVote.objects.create(meme=meme, user=user, value=MemeVote.DOWN)
    MemeVote.objects.create(meme=meme, user=UserFactory(), value=MemeVote.DOWN)
    assert meme.votes.count() == 2


def test_a_vote_is_up_or_down_only(meme):
    with pytest.raises(IntegrityError), transaction.atomic():
        MemeVote.objects.create(meme=meme, user=UserFactory(), value=5)


def test_a_user_reacts_once_per_emoji_but_with_several_emoji(meme):
    user = UserFactory()
    MemeReaction.objects.create(meme=meme, user=user, emoji="fire")
    MemeReaction.objects.create(meme=meme, user=user, emoji="laugh")
    with pytest.raises(IntegrityError), transaction.atomic():
        MemeReaction.objects.create(meme=meme, user=user, emoji="fire")
    assert meme.reaction_set.count() == 2


def test_a_reaction_outside_the_allow_list_is_refused(meme):
    with pytest.raises(IntegrityError), transaction.atomic():
        MemeReaction.objects.create(meme=meme, user=UserFactory(), emoji="poop")


def test_templates_are_found_by_tag(template):
    MemeTemplate.objects.create(name="Cosmic ray", slug="cosmic-ray", tags=normalize_tags("cosmically"))
    assert template.tag_list == ["cosmic", "top-bottom"]
    assert list(MemeTemplate.objects.with_tag("Cosmic")) == [template]
    assert list(MemeTemplate.objects.with_tag("top bottom")) == [template]
    assert not MemeTemplate.objects.with_tag("").exists()


def test_a_template_without_boxes_gets_top_and_bottom_captions(template):
    assert len(template.text_boxes()) == 2
    template.default_boxes = [{"x": 0.1, "y": 0.2, "w": 0.5, "h": 0.3, "align": "left", "extra": 1}]
    assert template.text_boxes() == [TextBox(x=0.1, y=0.2, w=0.5, h=0.3, align="left")]


def test_a_template_used_by_a_meme_cannot_be_deleted(meme):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        meme.template.delete()


def test_models_read_as_text(meme):
    vote = MemeVote.objects.create(meme=meme, user=UserFactory(), value=MemeVote.UP)
    reaction = MemeReaction.objects.create(meme=meme, user=UserFactory(), emoji="fire")
    assert str(meme.template) == "Galaxy brain"
    assert str(meme) == "Galaxy brain — a / b"
    assert str(vote).startswith("+1 by")
    assert str(reaction).startswith("🔥 by")


def test_staff_approve_templates_and_hide_memes_in_the_admin(client, staff, meme):
    from django.urls import reverse

    client.force_login(staff)
    for name in ("memetemplate", "meme", "memevote", "memereaction"):
        assert client.get(reverse(f"admin:memes_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:memes_memetemplate_change", args=[meme.template.pk])).status_code == 200
    assert client.get(reverse("admin:memes_meme_change", args=[meme.pk])).status_code == 200
    client.post(
        reverse("admin:memes_memetemplate_changelist"),
        {"action": "approve", "_selected_action": [meme.template.pk]},
    )
    client.post(reverse("admin:memes_meme_changelist"), {"action": "hide", "_selected_action": [meme.pk]})
    meme.refresh_from_db()
    assert meme.template.status == MemeTemplate.Status.APPROVED
    assert meme.moderation == Meme.Moderation.HIDDEN
