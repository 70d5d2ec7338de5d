"""The media API: multipart upload, list, get, alt text, crop, delete; refusals are 4xx with a
message (wrong type 415, too large or a bomb 413, a bad duration 422); another brand's is a 404."""

from __future__ import annotations

import pytest

from apps.accounts import services as account_services
from apps.media import limits
from apps.media.models import MediaAsset

from .conftest import bomb_png, gif_bytes, image_bytes, needs_ffmpeg, upload, video_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(brand_user):
    raw = account_services.api_token_create(user=brand_user, name="tests")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _url(brand, *rest):
    return "/".join([f"/api/v1/brands/{brand.pk}/media", *map(str, rest)])


def _upload(client, auth, brand, data, name, **extra):
    return client.post(_url(brand), {"file": upload(data, name), **extra}, **auth)


def test_upload_answers_201_with_the_asset_and_its_checks(client, auth, brand):
    response = _upload(client, auth, brand, image_bytes(), "launch.png", alt_text="A purple banner")
    body = response.json()
    assert response.status_code == 201
    assert body["kind"] == "image" and body["mime"] == "image/png" and body["alt_text"] == "A purple banner"
    assert body["created"] is True
    assert [c["platform"] for c in body["checks"]] == ["x", "linkedin"]
    assert body["file_url"] == f"/brand/{brand.pk}/media/{body['id']}/file/"
    assert client.get(body["file_url"], **auth).status_code in (200, 302)  # the page needs a session


def test_the_same_file_again_answers_200_with_the_existing_asset(client, auth, brand):
    first = _upload(client, auth, brand, image_bytes(), "a.png").json()
    again = _upload(client, auth, brand, image_bytes(), "b.png")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["created"] is False


def test_a_wrong_type_is_415_with_a_message(client, auth, brand):
    response = _upload(client, auth, brand, b"<html>not a picture</html>" * 10, "pic.png")
    assert response.status_code == 415
    assert "not an image or a video" in response.json()["detail"]
    assert not MediaAsset.objects.exists()


def test_a_bomb_is_413(client, auth, brand):
    response = _upload(client, auth, brand, bomb_png(), "bomb.png")
    assert response.status_code == 413 and "decompression bomb" in response.json()["detail"]


def test_too_large_is_413(client, auth, brand, monkeypatch):
    monkeypatch.setattr(limits, "GIF_MAX_UPLOAD_BYTES", 50)
    response = _upload(client, auth, brand, gif_bytes(), "dance.gif")
    assert response.status_code == 413 and "the limit is" in response.json()["detail"]


def test_alt_text_over_the_limit_on_upload_is_422_and_nothing_is_stored(client, auth, brand):
    response = _upload(client, auth, brand, image_bytes(), "a.png", alt_text="x" * 1001)
    assert response.status_code == 422 and "X takes up to 1000" in response.json()["detail"]
    assert not MediaAsset.objects.exists()


def test_a_missing_file_is_422(client, auth, brand):
    assert client.post(_url(brand), {}, **auth).status_code == 422


def test_list_get_alt_text_crop_delete(client, auth, brand):
    asset_id = _upload(client, auth, brand, image_bytes((400, 200)), "banner.png").json()["id"]
    assert [a["id"] for a in client.get(_url(brand), **auth).json()] == [asset_id]
    got = client.get(_url(brand, asset_id), **auth).json()
    assert got["original_name"] == "banner.png"
    assert got["checks"][0]["warnings"] == ["Add alt text before publishing to X."]

    put = client.put(
        _url(brand, asset_id, "alt-text"), {"alt_text": "Our banner"}, content_type="application/json", **auth
    )
    assert put.status_code == 200 and put.json()["alt_text"] == "Our banner"
    assert put.json()["checks"][0]["warnings"] == []

    crop = client.post(
        _url(brand, asset_id, "crop"), {"preset": "16x9"}, content_type="application/json", **auth
    )
    assert crop.status_code == 201
    assert (crop.json()["width"], crop.json()["height"], crop.json()["cropped_from"]) == (356, 200, asset_id)

    bad = client.post(
        _url(brand, asset_id, "crop"), {"preset": "2x3"}, content_type="application/json", **auth
    )
    assert bad.status_code == 400 and "Choose a crop" in bad.json()["detail"]

    assert client.delete(_url(brand, asset_id), **auth).status_code == 204
    assert not MediaAsset.objects.filter(pk=asset_id).exists()


def test_list_filters_by_kind_and_refuses_an_unknown_kind(client, auth, brand):
    _upload(client, auth, brand, image_bytes(), "a.png")
    _upload(client, auth, brand, gif_bytes(), "b.gif")
    assert [a["kind"] for a in client.get(_url(brand) + "?kind=gif", **auth).json()] == ["gif"]
    assert client.get(_url(brand) + "?kind=pdf", **auth).status_code == 400


def test_another_brands_media_is_a_404(client, auth, brand, other_brand):
    from apps.media import services

    theirs, _ = services.media_asset_upload(
        brand=other_brand, user=None, upload=upload(image_bytes(), "a.png")
    )
    assert client.get(_url(other_brand), **auth).status_code == 404
    assert client.get(_url(other_brand, theirs.pk), **auth).status_code == 404
    assert client.get(_url(brand, theirs.pk), **auth).status_code == 404
    assert client.delete(_url(other_brand, theirs.pk), **auth).status_code == 404
    assert _upload(client, auth, other_brand, image_bytes(color=(1, 1, 1)), "b.png").status_code == 404
    assert MediaAsset.objects.filter(brand=other_brand).count() == 1


@needs_ffmpeg
def test_a_video_upload_reports_its_probe(client, auth, brand, tmp_path):
    response = _upload(client, auth, brand, video_bytes(tmp_path, seconds=1.0), "clip.mp4")
    body = response.json()
    assert response.status_code == 201
    assert (body["kind"], body["codec"], body["audio_codec"]) == ("video", "h264", "aac")
    assert body["poster_url"] and body["thumbnail_url"]


@needs_ffmpeg
def test_a_video_with_the_wrong_codec_is_415(client, auth, brand, tmp_path):
    response = _upload(client, auth, brand, video_bytes(tmp_path, codec="mpeg4", audio=False), "old.mp4")
    assert response.status_code == 415 and "H.264" in response.json()["detail"]


@needs_ffmpeg
def test_a_video_too_short_is_422(client, auth, brand, tmp_path):
    response = _upload(client, auth, brand, video_bytes(tmp_path, seconds=0.2, audio=False), "blink.mp4")
    assert response.status_code == 422 and "0.5 s" in response.json()["detail"]
