# ruff: noqa: F811 (the repost tests' fixtures, imported, are these tests' arguments)
"""The repost through the API: through a linked account or by the address of a post, queued for
the worker and read by both sides; refused input is a 422 with the field's message and nothing
written; the brand cannot repost for the influencer; another influencer's collaboration is a 404.
Set up with the repost tests' fixtures (the local X fake, a linked X account, a sandbox post)."""

import json

import pytest
from django.test import Client

from apps.collaborations.models import CollaborationStatus, Repost, RepostStatus
from apps.collaborations.services.accounts import influencer_sandbox_account_create
from apps.publishing.models import Publication
from tests.collaborations.test_repost import (  # noqa: F401 (fixtures)
    CREATOR_X,
    brand,
    brand_tweet,
    creator,
    fake_x,
    membership,
    owner,
    queued,
    run_queued,
    sandbox_collab,
    snapshot,
    words,
    x_collab,
    x_link,
)
from tests.factories import InfluencerProfileFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_submitted_address_is_checked_and_both_sides_read_the_result(
    fake_x,
    x_collab,
    x_link,
    creator,
    owner,
    queued,
    django_capture_on_commit_callbacks,
):
    theirs = fake_x.add_tweet(words(x_collab), user_id=CREATOR_X)
    url = f"/api/v1/collaborations/{x_collab.pk}/repost"
    assert signed_in(owner).get(url).status_code == 404  # none yet
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            signed_in(creator.user), f"{url}/url", {"url": f"https://x.com/ada/status/{theirs.id}"}
        )
    assert response.status_code == 202
    assert (response.json()["method"], response.json()["status"]) == ("url", "verifying")
    run_queued(queued, django_capture_on_commit_callbacks)
    for user in (creator.user, owner):
        body = signed_in(user).get(url).json()
        assert body["status"] == "verified" and body["failures"] == [] and body["external_id"] == theirs.id
    x_collab.refresh_from_db()
    assert x_collab.status == CollaborationStatus.VERIFIED


def test_a_bad_address_is_a_422_naming_the_field_and_nothing_is_written(x_collab, x_link, creator, queued):
    before = snapshot(x_collab)
    response = post_json(
        signed_in(creator.user),
        f"/api/v1/collaborations/{x_collab.pk}/repost/url",
        {"url": "https://example.com/1"},
    )
    assert response.status_code == 422
    assert response.json()["errors"]["url"] == [
        "That is not the address of a post. Paste the link of your X post."
    ]
    assert snapshot(x_collab) == before and not queued


def test_someone_elses_address_is_refused(x_collab, x_link, creator, queued):
    response = post_json(
        signed_in(creator.user),
        f"/api/v1/collaborations/{x_collab.pk}/repost/url",
        {"url": "https://x.com/mallory/status/123"},
    )
    assert response.status_code == 422 and "another account (@mallory)" in response.json()["detail"]
    assert not Repost.objects.exists()


def test_repost_now_from_the_sandbox_account_is_queued_then_verified(
    brand,
    creator,
    sandbox_collab,
    queued,
    django_capture_on_commit_callbacks,
    settings,
):
    from apps.brands.models import SocialConnection

    settings.SITE_URL = "http://testserver"
    account = influencer_sandbox_account_create(profile=creator)
    handle = SocialConnection.objects.get(brand=brand, platform="sandbox").handle
    publication = Publication.objects.get(post=sandbox_collab.offer.post)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            signed_in(creator.user),
            f"/api/v1/collaborations/{sandbox_collab.pk}/repost",
            {"account_id": account.pk, "text": f"Have a look @{handle} {publication.external_url}"},
        )
    assert response.status_code == 202 and response.json()["method"] == "pipeline"
    assert response.json()["account_id"] == account.pk
    run_queued(queued, django_capture_on_commit_callbacks)
    assert Repost.objects.get().status == RepostStatus.VERIFIED


def test_repost_now_from_an_account_that_is_not_theirs_is_a_422(x_collab, creator, queued):
    stranger = influencer_sandbox_account_create(profile=InfluencerProfileFactory())
    before = snapshot(x_collab)
    response = post_json(
        signed_in(creator.user),
        f"/api/v1/collaborations/{x_collab.pk}/repost",
        {"account_id": stranger.pk, "text": "hi"},
    )
    assert response.status_code == 422 and response.json()["errors"]["account"] == [
        "Choose one of your accounts."
    ]
    assert snapshot(x_collab) == before


def test_the_brand_cannot_repost_and_another_influencer_finds_nothing(x_collab, x_link, owner, queued):
    before = snapshot(x_collab)
    for path, body in (("repost/url", {"url": "https://x.com/ada/status/1"}), ("repost", {"account_id": 1})):
        url = f"/api/v1/collaborations/{x_collab.pk}/{path}"
        assert post_json(signed_in(owner), url, body).status_code == 403
        assert post_json(signed_in(InfluencerProfileFactory().user), url, body).status_code == 404
    assert (
        signed_in(InfluencerProfileFactory().user)
        .get(f"/api/v1/collaborations/{x_collab.pk}/repost")
        .status_code
        == 404
    )
    assert snapshot(x_collab) == before
