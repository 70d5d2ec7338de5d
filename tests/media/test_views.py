"""The media library page: upload (XHR and plain form), the grid, alt text in place (htmx), crop,
delete, files served only to the brand's members (another brand's asset is a 404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.media import services
from apps.media.models import MediaAsset
from tests.factories import BrandUserFactory, MembershipFactory

from .conftest import bomb_png, image_bytes, needs_ffmpeg, upload, video_bytes

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _asset(brand, name="banner.png", **kwargs):
    return services.media_asset_upload(brand=brand, user=None, upload=upload(image_bytes(**kwargs), name))[0]


def test_the_nav_link_opens_the_current_brands_library(client, member, brand):
    response = client.get(reverse("media:current"))
    assert response.status_code == 302
    assert response["Location"] == reverse("media:library", args=[brand.pk])


def test_the_library_shows_each_asset_with_its_checks(client, member, brand, django_assert_max_num_queries):
    for i in range(3):
        _asset(brand, name=f"pic-{i}.png", color=(i, 0, 0))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("media:library", args=[brand.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="card media-card"') == 3
    assert "pic-0.png" in page and "✓ X" in page and "Add alt text before publishing to X." in page
    assert 'id="media-drop"' in page and 'accept="image/jpeg' in page


def test_the_query_count_does_not_grow_with_the_library(client, member, brand, django_assert_max_num_queries):
    for i in range(10):
        _asset(brand, name=f"pic-{i}.png", color=(i, 1, 0))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("media:library", args=[brand.pk])).status_code == 200


def test_an_xhr_upload_answers_with_the_new_card(client, member, brand):
    response = client.post(
        reverse("media:upload", args=[brand.pk]), {"file": upload(image_bytes(), "launch.png")}, **XHR
    )
    assert response.status_code == 201
    assert response["X-Media-Created"] == "1"
    asset = MediaAsset.objects.get()
    assert f'id="asset-{asset.pk}"' in response.content.decode()
    assert asset.uploaded_by == member


def test_the_same_file_again_says_it_is_already_there(client, member, brand):
    _asset(brand, name="launch.png")
    response = client.post(
        reverse("media:upload", args=[brand.pk]), {"file": upload(image_bytes(), "copy.png")}, **XHR
    )
    assert response.status_code == 200 and response["X-Media-Created"] == "0"
    assert "Already in your library." in response.content.decode()
    assert MediaAsset.objects.count() == 1


def test_an_xhr_upload_of_a_bomb_answers_413_with_the_reason(client, member, brand):
    response = client.post(
        reverse("media:upload", args=[brand.pk]), {"file": upload(bomb_png(), "x.png")}, **XHR
    )
    assert response.status_code == 413
    assert "decompression bomb" in response.content.decode()
    assert not MediaAsset.objects.exists()


def test_a_plain_form_upload_of_a_wrong_file_shows_the_error_next_to_the_field(client, member, brand):
    response = client.post(
        reverse("media:upload", args=[brand.pk]), {"file": upload(b"%PDF-1.4 not a picture", "cat.jpg")}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="media-upload-errors"' in page and "cat.jpg: The file is not an image or a video" in page
    assert 'aria-invalid="true"' in page


def test_a_plain_form_upload_adds_and_redirects(client, member, brand):
    response = client.post(
        reverse("media:upload", args=[brand.pk]),
        {"file": [upload(image_bytes(), "a.png"), upload(image_bytes(color=(9, 9, 9)), "b.png")]},
        follow=True,
    )
    assert "Added 2 files to the library." in response.content.decode()
    assert MediaAsset.objects.filter(brand=brand).count() == 2


def test_uploading_nothing_is_a_clear_400(client, member, brand):
    response = client.post(reverse("media:upload", args=[brand.pk]), {}, **XHR)
    assert response.status_code == 400 and "Choose a file" in response.content.decode()


def test_alt_text_is_saved_in_place(client, member, brand):
    asset = _asset(brand)
    response = client.post(
        reverse("media:alt_text", args=[brand.pk, asset.pk]), {"alt_text": "A purple launch banner"}, **HTMX
    )
    assert response.status_code == 200
    assert "Alt text saved." in response.content.decode()
    asset.refresh_from_db()
    assert asset.alt_text == "A purple launch banner"


def test_too_long_alt_text_shows_the_error_at_the_field_and_changes_nothing(client, member, brand):
    asset = _asset(brand)
    response = client.post(
        reverse("media:alt_text", args=[brand.pk, asset.pk]), {"alt_text": "x" * 1200}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert f'id="alt-error-{asset.pk}"' in page and "1200 characters; X takes up to 1000" in page
    asset.refresh_from_db()
    assert asset.alt_text == ""


def test_crop_makes_a_new_asset(client, member, brand):
    asset = _asset(brand)
    response = client.post(reverse("media:crop", args=[brand.pk, asset.pk]), {"preset": "1x1"}, follow=True)
    assert "Cropped to 1:1: banner-1x1.png is in the library." in response.content.decode()
    crop = MediaAsset.objects.get(cropped_from=asset)
    assert (crop.width, crop.height) == (200, 200)


def test_delete_by_htmx_removes_the_card(client, member, brand):
    asset = _asset(brand)
    response = client.post(reverse("media:delete", args=[brand.pk, asset.pk]), **HTMX)
    assert response.status_code == 200 and response.content == b""
    assert not MediaAsset.objects.exists()


def test_a_member_gets_the_file_with_its_type_and_private_caching(client, member, brand):
    asset = _asset(brand)
    response = client.get(reverse("media:file", args=[brand.pk, asset.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(reverse("media:thumbnail", args=[brand.pk, asset.pk])).status_code == 200
    assert (
        client.get(reverse("media:poster", args=[brand.pk, asset.pk])).status_code == 404
    )  # images have none


@pytest.mark.parametrize("name", ["file", "thumbnail", "alt_text", "crop", "delete"])
def test_another_brands_asset_is_a_404_everywhere(client, member, other_brand, name):
    theirs = _asset(other_brand)
    method = client.get if name in ("file", "thumbnail") else client.post
    assert method(reverse(f"media:{name}", args=[other_brand.pk, theirs.pk])).status_code == 404
    assert MediaAsset.objects.filter(pk=theirs.pk, alt_text="").exists()


def test_an_asset_asked_for_under_my_brand_id_but_owned_by_another_is_a_404(
    client, member, brand, other_brand
):
    theirs = _asset(other_brand)
    assert client.get(reverse("media:file", args=[brand.pk, theirs.pk])).status_code == 404


def test_another_brands_library_page_is_a_404(client, member, other_brand):
    assert client.get(reverse("media:library", args=[other_brand.pk])).status_code == 404
    response = client.post(
        reverse("media:upload", args=[other_brand.pk]), {"file": upload(image_bytes(), "a.png")}
    )
    assert response.status_code == 404
    assert not MediaAsset.objects.exists()


def test_a_fellow_member_sees_the_same_library(client, brand):
    colleague = BrandUserFactory()
    MembershipFactory(brand=brand, user=colleague, role="editor")
    asset = _asset(brand)
    client.force_login(colleague)
    assert client.get(reverse("media:file", args=[brand.pk, asset.pk])).status_code == 200


def test_the_posts_list_links_to_the_library(client, member, brand):
    page = client.get(reverse("posts:list")).content.decode()
    assert f'href="{reverse("media:library", args=[brand.pk])}" id="media-library-link"' in page


@needs_ffmpeg
def test_a_video_card_shows_its_poster_and_the_platforms_it_fits(client, member, brand, tmp_path):
    response = client.post(
        reverse("media:upload", args=[brand.pk]), {"file": upload(video_bytes(tmp_path), "teaser.mp4")}, **XHR
    )
    page = response.content.decode()
    asset = MediaAsset.objects.get()
    assert response.status_code == 201
    assert "Video · 1.0 s" in page and "H264/AAC" in page
    assert "✓ X" in page and "✗ LinkedIn" in page and "LinkedIn takes 3 s–30 min" in page
    assert 'class="media-crop"' not in page  # videos are not cropped here
    poster = client.get(reverse("media:poster", args=[brand.pk, asset.pk]))
    assert poster.status_code == 200 and poster["Content-Type"] == "image/jpeg"
    video = client.get(reverse("media:file", args=[brand.pk, asset.pk]))
    assert video["Content-Type"] == "video/mp4"
