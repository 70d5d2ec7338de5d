"""Image uploads: formats, size and pixel limits, bombs, metadata stripped; dominant colours."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.core.images import image_clean_upload, image_dominant_colors


def upload(fmt="PNG", size=(40, 30), color=(200, 30, 30), name="x", exif=None):
    buf = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buf, format=fmt, **kwargs)
    return SimpleUploadedFile(f"{name}.{fmt.lower()}", buf.getvalue())


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_accepted_formats_are_re_encoded(fmt):
    clean = image_clean_upload(upload(fmt), name="logo")
    assert clean.format == fmt
    assert (clean.width, clean.height) == (40, 30)
    assert Image.open(io.BytesIO(clean.content.read())).format == fmt


def test_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # camera make
    clean = image_clean_upload(upload("JPEG", exif=exif.tobytes()), name="logo")
    assert b"SpyCam" not in clean.content.read()


@pytest.mark.parametrize(
    "data,message",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not an image"),
        (b"GIF89a" + b"\x00" * 20, "not an image"),
        (b"hello", "not an image"),
    ],
)
def test_non_images_and_svg_are_refused(data, message):
    with pytest.raises(ValidationError, match=message):
        image_clean_upload(SimpleUploadedFile("x.png", data), name="logo")


def test_gif_is_refused_with_the_formats_named():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="GIF")
    with pytest.raises(ValidationError, match="PNG, JPEG or WebP"):
        image_clean_upload(SimpleUploadedFile("x.gif", buf.getvalue()), name="logo")


def test_files_over_5_mb_are_refused():
    big = SimpleUploadedFile("x.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10))
    with pytest.raises(ValidationError, match="limit is 5 MB"):
        image_clean_upload(big, name="logo")


def test_images_over_the_pixel_limit_are_refused():
    with pytest.raises(ValidationError, match="megapixels"):
        image_clean_upload(upload("PNG", size=(200, 200)), name="logo", max_pixels=10_000)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (how a decompression bomb looks)."""
    import struct
    import zlib

    data = bytearray(upload("PNG", size=(1, 1)).read())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def test_a_decompression_bomb_is_refused_with_a_message():
    bomb = SimpleUploadedFile("bomb.png", png_claiming(40000, 40000))  # 1.6 gigapixels claimed
    with pytest.raises(ValidationError) as exc:
        image_clean_upload(bomb, name="logo")
    assert "megapixels" in str(exc.value) or "bomb" in str(exc.value)


def test_dominant_colours_ignore_white_background():
    image = Image.new("RGB", (100, 100), (255, 255, 255))
    image.paste((30, 64, 175), (0, 0, 60, 100))
    image.paste((234, 88, 12), (60, 0, 90, 100))
    colors = image_dominant_colors(image, count=3)
    assert colors[0] == "#1E40AF"
    assert "#EA580C" in colors
    assert "#FFFFFF" not in colors
