"""Influencers' reposts on the sandbox: made from their own account (not the brand's), with their
audience; found again to reconcile; read back by get_post; shown to the influencer and the brand's
members on a page of their own, not on the brand's timeline; another account's a 404."""

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.integrations.social.base import PostNotFound, PublishAccount, PublishError, PublishErrorKind
from apps.sandbox.models import SandboxPost
from apps.sandbox.publisher import SandboxPublisher
from tests.factories import InfluencerFactory

from .conftest import POSTED, make_post


@pytest.fixture
def creator(db):
    return InfluencerFactory()


@pytest.fixture
def creator_account(creator):
    return PublishAccount(access_token="", user_id=f"user:{creator.pk}", handle="ada")


@pytest.fixture
def original(brand):
    return make_post(brand, "Our launch is live")


def test_a_repost_is_the_influencers_post_of_the_brands_post_with_their_audience(
    creator, creator_account, original
):
    created = SandboxPublisher().repost(
        account=creator_account,
        external_id=original.external_id,
        text="Worth it @northwind",
        meta={"audience": 12_000},
    )

    post = SandboxPost.objects.get(external_id=created.external_id)
    assert post.influencer_user == creator
    assert post.repost_of == original
    assert post.brand_id == original.brand_id
    assert post.author_handle == "ada"
    assert post.audience == 12_000
    assert created.url.endswith(reverse("sandbox:repost", args=[post.external_id]))


def test_reposting_the_same_post_twice_is_refused(creator_account, original):
    publisher = SandboxPublisher()
    publisher.repost(account=creator_account, external_id=original.external_id, text="")
    with pytest.raises(PublishError) as caught:
        publisher.repost(account=creator_account, external_id=original.external_id, text="")
    assert caught.value.kind == PublishErrorKind.REJECTED
    assert SandboxPost.objects.filter(repost_of=original).count() == 1


def test_reposting_a_post_the_sandbox_does_not_have_is_refused(creator_account, db):
    with pytest.raises(PublishError) as caught:
        SandboxPublisher().repost(account=creator_account, external_id="sbx_0000000000000000", text="")
    assert caught.value.kind == PublishErrorKind.REJECTED


def test_find_repost_finds_the_influencers_repost_since_then(creator_account, original):
    created = SandboxPublisher().repost(account=creator_account, external_id=original.external_id, text="")

    found = SandboxPublisher().find_repost(
        account=creator_account, external_id=original.external_id, since=POSTED - timedelta(hours=1)
    )

    assert found.external_id == created.external_id


def test_get_post_names_the_influencer_as_author_with_mentions_links_and_the_original(
    creator, creator_account, original
):
    created = SandboxPublisher().repost(
        account=creator_account,
        external_id=original.external_id,
        text="Look @Northwind https://example.com/launch",
    )

    post = SandboxPublisher().get_post(account=creator_account, external_id=created.external_id)

    assert post.author_id == f"user:{creator.pk}"
    assert post.author_handle == "ada"
    assert post.mentions == ("northwind",)
    assert post.urls == ("https://example.com/launch",)
    assert post.referenced_ids == (original.external_id,)


def test_get_post_of_a_brand_post_names_the_brand(creator_account, original):
    post = SandboxPublisher().get_post(account=creator_account, external_id=original.external_id)
    assert post.author_id == f"brand:{original.brand_id}"


def test_get_post_of_an_unknown_id_is_not_found(creator_account, db):
    with pytest.raises(PostNotFound):
        SandboxPublisher().get_post(account=creator_account, external_id="sbx_0000000000000000")


def test_a_brand_find_post_never_takes_an_influencers_repost(brand, account, creator_account, original):
    SandboxPublisher().repost(account=creator_account, external_id=original.external_id, text="Same words")
    assert SandboxPublisher().find_post(account=account, text="Same words", since=POSTED) is None


def test_the_repost_page_shows_to_the_influencer_and_the_brand_not_others(
    client, brand, brand_user, creator, creator_account, original
):
    created = SandboxPublisher().repost(
        account=creator_account, external_id=original.external_id, text="My words on it"
    )
    url = reverse("sandbox:repost", args=[created.external_id])

    client.force_login(creator)
    html = client.get(url).content.decode()
    assert "My words on it" in html and "Our launch is live" in html and "@ada" in html

    client.force_login(brand_user)
    assert client.get(url).status_code == 200

    client.force_login(InfluencerFactory())
    assert client.get(url).status_code == 404


def test_the_brand_timeline_and_post_page_leave_out_influencers_reposts(
    client, member, brand, creator_account, original
):
    created = SandboxPublisher().repost(
        account=creator_account, external_id=original.external_id, text="Quote"
    )

    html = client.get(reverse("sandbox:timeline", args=[brand.pk])).content.decode()
    assert original.external_id in html
    assert created.external_id not in html
    assert client.get(reverse("sandbox:post", args=[brand.pk, created.external_id])).status_code == 404
