"""Media library helpers: a temporary MEDIA_ROOT, small images made with Pillow and tiny videos
made with ffmpeg (lavfi testsrc), and a signed-in member of the brand."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

HAVE_FFMPEG = bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))
needs_ffmpeg = pytest.mark.skipif(
    not HAVE_FFMPEG, reason="ffmpeg/ffprobe are not installed here (make install and .ci/run install them)"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def member(client, brand, brand_user):
    client.force_login(brand_user)
    return brand_user


def image_bytes(size=(400, 200), color=(79, 70, 229), fmt="PNG", **save) -> bytes:
    out = io.BytesIO()
    mode = "RGB" if fmt in ("JPEG",) else "RGBA"
    Image.new(mode, size, color if mode == "RGB" else (*color, 255)).save(out, format=fmt, **save)
    return out.getvalue()


def jpeg_with_exif(size=(320, 240)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0110] = "Model 7"  # Model
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return out.getvalue()


def gif_bytes(frames=3, size=(60, 40)) -> bytes:
    images = [Image.new("RGB", size, (40 * i, 100, 200)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=120, loop=0)
    return out.getvalue()


def bomb_png() -> bytes:
    """A tiny file that opens into 400 megapixels: Pillow's decompression-bomb guard must refuse it."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def video_bytes(
    tmp_path, *, seconds: float = 1.0, codec: str = "libx264", audio: bool = True, name="clip.mp4"
) -> bytes:
    path = tmp_path / name
    args = [
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc=size=160x120:rate=15:duration={seconds}",
    ]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", "-shortest"]
    args += ["-c:v", codec, "-pix_fmt", "yuv420p", "-metadata", "title=Secret location", str(path)]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return path.read_bytes()


def upload(data: bytes, name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
