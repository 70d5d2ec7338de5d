"""The media library's services: type by content, images cleaned as logos are, GIFs kept animated,
bombs and oversized files refused, videos probed with ffprobe, dedupe per brand, crops, delete."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from apps.media import limits, processing, services
from apps.media.models import MediaAsset
from apps.media.processing import MediaRejected
from tests.factories import BrandFactory

from .conftest import bomb_png, gif_bytes, image_bytes, jpeg_with_exif, needs_ffmpeg, upload, video_bytes

pytestmark = pytest.mark.django_db


def test_a_jpeg_is_re_encoded_without_its_exif_and_comment(brand, brand_user):
    asset, created = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(jpeg_with_exif(), "holiday.jpg")
    )
    assert created
    assert (asset.kind, asset.mime, asset.width, asset.height) == ("image", "image/jpeg", 320, 240)
    stored = asset.file.read()
    assert b"SpyCam" not in stored and b"secret comment" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert asset.thumbnail and asset.uploaded_by == brand_user
    assert asset.bytes == len(stored)


def test_the_type_comes_from_the_bytes_not_the_name(brand, brand_user):
    asset, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(image_bytes(), "photo.jpg")
    )
    assert asset.mime == "image/png"
    assert asset.file.name.endswith(".png")
    assert asset.original_name == "photo.jpg"


def test_a_text_file_named_like_a_picture_is_refused(brand, brand_user):
    with pytest.raises(MediaRejected) as refused:
        services.media_asset_upload(
            brand=brand, user=brand_user, upload=upload(b"hello, not a picture" * 50, "cat.jpg")
        )
    assert refused.value.status == 415
    assert "not an image or a video" in refused.value.messages[0]
    assert not MediaAsset.objects.exists()


def test_an_svg_is_refused(brand, brand_user):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(MediaRejected) as refused:
        services.media_asset_upload(brand=brand, user=brand_user, upload=upload(svg, "logo.svg"))
    assert refused.value.status == 415


def test_a_decompression_bomb_is_refused(brand, brand_user):
    with pytest.raises(MediaRejected) as refused:
        services.media_asset_upload(brand=brand, user=brand_user, upload=upload(bomb_png(), "tiny.png"))
    assert refused.value.status == 413
    assert "decompression bomb" in refused.value.messages[0]
    assert not MediaAsset.objects.exists()


def test_an_image_over_the_pixel_limit_is_refused(brand, brand_user):
    data = image_bytes(size=(7000, 6000), fmt="PNG", optimize=True)  # 42 megapixels
    with pytest.raises(MediaRejected) as refused:
        services.media_asset_upload(brand=brand, user=brand_user, upload=upload(data, "wide.png"))
    assert "the limit is 36 megapixels" in refused.value.messages[0]


def test_an_image_over_the_size_limit_is_refused(brand, brand_user, monkeypatch):
    monkeypatch.setattr(limits, "IMAGE_MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(MediaRejected) as refused:
        services.media_asset_upload(
            brand=brand, user=brand_user, upload=upload(jpeg_with_exif((800, 800)), "big.jpg")
        )
    assert refused.value.status == 413
    assert "the limit is 0 MB" in refused.value.messages[0] or "MB" in refused.value.messages[0]


def test_an_animated_gif_stays_animated(brand, brand_user):
    asset, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(gif_bytes(3), "dance.gif")
    )
    assert (asset.kind, asset.mime, asset.frames) == ("gif", "image/gif", 3)
    assert asset.duration_s == pytest.approx(0.36)
    assert Image.open(asset.file.open("rb")).n_frames == 3


def test_a_gifs_comment_is_dropped(brand, brand_user):
    frames = [Image.new("RGB", (20, 20), (10 * i, 0, 0)) for i in range(2)]
    out = io.BytesIO()
    frames[0].save(
        out, format="GIF", save_all=True, append_images=frames[1:], comment=b"made at home, 12 Elm St"
    )
    asset, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(out.getvalue(), "a.gif")
    )
    assert b"Elm St" not in asset.file.read()


def test_a_gif_over_15_mb_is_refused(brand, brand_user, monkeypatch):
    monkeypatch.setattr(limits, "GIF_MAX_UPLOAD_BYTES", 100)
    with pytest.raises(MediaRejected) as refused:
        services.media_asset_upload(brand=brand, user=brand_user, upload=upload(gif_bytes(3), "dance.gif"))
    assert refused.value.status == 413


def test_the_same_file_twice_is_one_asset_per_brand(brand, brand_user):
    data = image_bytes()
    first, created = services.media_asset_upload(brand=brand, user=brand_user, upload=upload(data, "a.png"))
    again, created_again = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(data, "b.png")
    )
    other = BrandFactory()
    theirs, created_theirs = services.media_asset_upload(brand=other, user=None, upload=upload(data, "a.png"))
    assert created and not created_again and created_theirs
    assert again.pk == first.pk and theirs.pk != first.pk
    assert MediaAsset.objects.filter(brand=brand).count() == 1


@pytest.mark.parametrize(
    ("preset", "size"),
    [("1x1", (200, 200)), ("16x9", (356, 200)), ("1.91x1", (382, 200)), ("4x5", (160, 200))],
)
def test_a_crop_is_a_new_centred_asset_at_the_presets_ratio(brand, brand_user, preset, size):
    source, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(image_bytes((400, 200)), "banner.png")
    )
    crop, created = services.media_asset_crop(asset=source, preset=preset, user=brand_user)
    assert created and crop.pk != source.pk
    assert (crop.width, crop.height) == size
    assert crop.cropped_from == source and crop.crop_preset == preset
    assert crop.original_name == f"banner-{preset}.png"
    assert Image.open(crop.file.open("rb")).size == size


def test_a_crop_keeps_the_centre(brand, brand_user):
    image = Image.new("RGB", (300, 100), (255, 0, 0))
    image.paste((0, 0, 255), (100, 0, 200, 100))  # a blue middle third
    out = io.BytesIO()
    image.save(out, format="PNG")
    source, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(out.getvalue(), "flag.png")
    )
    crop, _ = services.media_asset_crop(asset=source, preset="1x1", user=brand_user)
    cropped = Image.open(crop.file.open("rb")).convert("RGB")
    assert cropped.getpixel((0, 50)) == (0, 0, 255) and cropped.getpixel((99, 50)) == (0, 0, 255)


def test_an_unknown_crop_preset_is_refused(brand, brand_user):
    source, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(image_bytes(), "a.png")
    )
    with pytest.raises(MediaRejected, match="Choose a crop"):
        services.media_asset_crop(asset=source, preset="3x7", user=brand_user)
    assert MediaAsset.objects.count() == 1


def test_alt_text_over_1000_characters_is_refused_and_nothing_changes(brand, brand_user):
    asset, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(image_bytes(), "a.png")
    )
    services.media_asset_set_alt_text(asset=asset, alt_text="A purple banner")
    with pytest.raises(MediaRejected, match="1001 characters"):
        services.media_asset_set_alt_text(asset=asset, alt_text="x" * 1001)
    asset.refresh_from_db()
    assert asset.alt_text == "A purple banner"


def test_the_alt_text_suggestion_comes_from_the_file_name_and_brand(brand, brand_user):
    named, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(image_bytes(), "team-offsite_2026.png")
    )
    camera, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(image_bytes(color=(1, 2, 3)), "IMG_1234.PNG")
    )
    assert services.media_alt_text_suggest(asset=named) == f"Image: Team offsite 2026 — {brand.name}"
    assert services.media_alt_text_suggest(asset=camera) == f"Image from {brand.name}"


def test_delete_removes_the_files_once_committed(brand, brand_user, django_capture_on_commit_callbacks):
    asset, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(image_bytes(), "a.png")
    )
    storage, names = asset.file.storage, [asset.file.name, asset.thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        services.media_asset_delete(asset=asset)
    assert not MediaAsset.objects.exists()
    assert not any(storage.exists(name) for name in names)


def test_platform_checks_flag_a_webp_for_linkedin_and_missing_alt_text_for_x(brand, brand_user):
    asset, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(image_bytes(fmt="WEBP"), "a.webp")
    )
    x, linkedin = limits.asset_platform_checks(asset)
    assert x.ok and x.warnings == ["Add alt text before publishing to X."]
    assert not linkedin.ok and "not WebP" in linkedin.problems[0]


def test_platform_checks_flag_an_image_over_5_mb_for_x(brand):
    asset = MediaAsset(
        brand=brand, kind="image", mime="image/png", bytes=6 * limits.MB, width=10, height=10, alt_text="x"
    )
    x, linkedin = limits.asset_platform_checks(asset)
    assert x.problems == ["Image is 6.0 MB; X takes up to 5 MB."]
    assert linkedin.ok


# Video: generated with ffmpeg (lavfi testsrc), 1–2 seconds.


@needs_ffmpeg
def test_an_h264_video_is_probed_with_a_poster_and_its_metadata_dropped(brand, brand_user, tmp_path):
    data = video_bytes(tmp_path, seconds=1.0)
    asset, created = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(data, "clip.mp4")
    )
    assert created
    assert (asset.kind, asset.mime, asset.codec, asset.audio_codec) == ("video", "video/mp4", "h264", "aac")
    assert (asset.width, asset.height) == (160, 120)
    assert asset.duration_s == pytest.approx(1.0, abs=0.1)
    assert asset.poster and asset.thumbnail
    assert Image.open(asset.poster.open("rb")).size == (160, 120)
    assert b"Secret location" not in asset.file.read()
    x, linkedin = limits.asset_platform_checks(asset)
    assert x.ok
    assert not linkedin.ok and "LinkedIn takes 3 s–30 min" in " ".join(linkedin.problems)


@needs_ffmpeg
def test_a_video_not_in_h264_is_refused_with_the_reason(brand, brand_user, tmp_path):
    data = video_bytes(tmp_path, seconds=1.0, codec="mpeg4", audio=False)
    with pytest.raises(MediaRejected) as refused:
        services.media_asset_upload(brand=brand, user=brand_user, upload=upload(data, "old.mp4"))
    assert refused.value.status == 415
    assert "encoded as mpeg4" in refused.value.messages[0] and "H.264" in refused.value.messages[0]
    assert not MediaAsset.objects.exists()


@needs_ffmpeg
def test_a_video_shorter_than_half_a_second_is_refused(brand, brand_user, tmp_path):
    data = video_bytes(tmp_path, seconds=0.2, audio=False)
    with pytest.raises(MediaRejected, match=r"shortest any platform takes is 0\.5 s"):
        services.media_asset_upload(brand=brand, user=brand_user, upload=upload(data, "blink.mp4"))


@needs_ffmpeg
def test_a_video_longer_than_any_platform_takes_is_refused(brand, brand_user, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "VIDEO_MAX_S", 1.5)  # stands in for 30 minutes
    data = video_bytes(tmp_path, seconds=2.0, audio=False)
    with pytest.raises(MediaRejected, match="the longest any platform takes is 30 minutes"):
        services.media_asset_upload(brand=brand, user=brand_user, upload=upload(data, "long.mp4"))


@needs_ffmpeg
def test_a_video_over_the_upload_cap_is_refused(brand, brand_user, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "VIDEO_MAX_UPLOAD_BYTES", 1000)
    data = video_bytes(tmp_path, seconds=1.0, audio=False)
    with pytest.raises(MediaRejected) as refused:
        services.media_asset_upload(brand=brand, user=brand_user, upload=upload(data, "clip.mp4"))
    assert refused.value.status == 413


@needs_ffmpeg
def test_a_video_cannot_be_cropped(brand, brand_user, tmp_path):
    asset, _ = services.media_asset_upload(
        brand=brand, user=brand_user, upload=upload(video_bytes(tmp_path), "clip.mp4")
    )
    with pytest.raises(MediaRejected, match="Only still images"):
        services.media_asset_crop(asset=asset, preset="1x1", user=brand_user)


def test_without_ffmpeg_a_video_is_refused_plainly(brand, brand_user, monkeypatch):
    monkeypatch.setattr(processing, "ffprobe_available", lambda: False)
    with pytest.raises(MediaRejected, match="ffmpeg is not installed"):
        services.media_asset_upload(
            brand=brand, user=brand_user, upload=upload(b"\x00\x00\x00\x18ftypmp42" + b"\0" * 100, "a.mp4")
        )


@needs_ffmpeg
def test_a_video_bigger_than_any_image_is_probed_from_disk_and_its_scratch_files_removed(
    brand, brand_user, tmp_path, monkeypatch
):
    import glob
    import tempfile

    from django.core.files.uploadedfile import TemporaryUploadedFile

    monkeypatch.setattr(limits, "IMAGE_MAX_UPLOAD_BYTES", 1000)  # so this small clip takes the big-file path
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = video_bytes(tmp_path, seconds=1.0)
    big = TemporaryUploadedFile("clip.mp4", "video/mp4", len(data), None)
    big.write(data)
    big.flush()
    big.size = len(data)

    def no_whole_read(*args, **kwargs):
        raise AssertionError("a big upload must not be read into memory whole")

    monkeypatch.setattr(processing, "_read_upload", no_whole_read)
    asset, created = services.media_asset_upload(brand=brand, user=brand_user, upload=big)
    assert created and asset.kind == "video" and asset.codec == "h264"
    assert not glob.glob(str(tmp_path / "smai-media-*"))


@needs_ffmpeg
def test_an_image_bigger_than_the_image_limit_is_refused_without_reading_it_whole(
    brand, brand_user, monkeypatch
):
    monkeypatch.setattr(limits, "IMAGE_MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(MediaRejected) as refused:
        services.media_asset_upload(
            brand=brand, user=brand_user, upload=upload(jpeg_with_exif((900, 900)), "big.jpg")
        )
    assert refused.value.status == 413 and refused.value.messages[0].startswith("The image is")
