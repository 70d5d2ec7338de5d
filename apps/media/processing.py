"""Turning an uploaded file into a clean library file: its type read from its content (Pillow for
images, ffprobe for video), images re-encoded without metadata (the logo pipeline of
apps.core.images), animated GIFs re-encoded frame by frame, videos probed and re-muxed without
metadata, a poster frame and a thumbnail made, and centred crops to a platform's aspect ratio.

Nothing is stored here; every refusal is a MediaRejected with a message a person can act on.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from apps.core.images import image_clean_upload

from . import limits

IMAGE_MIMES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
IMAGE_EXTS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
THUMB_SIDE = 480
FFPROBE_TIMEOUT_S = 30
FFMPEG_TIMEOUT_S = 120


class MediaRejected(ValidationError):
    """A file the library will not keep. `status` is the HTTP status the API answers with."""

    def __init__(self, message: str, *, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass
class CleanMedia:
    kind: str
    content: ContentFile
    mime: str
    width: int
    height: int
    sha256: str
    frames: int = 1
    duration_s: float | None = None
    codec: str = ""
    audio_codec: str = ""
    fps: float | None = None
    poster: ContentFile | None = None
    thumbnail: ContentFile | None = None
    workdir: str = ""  # a video's temporary directory (the re-muxed file is read from it)
    extra: dict = field(default_factory=dict)

    def discard(self) -> None:
        """Close and remove the temporary files behind `content` (videos); call once stored."""
        if self.workdir:
            self.content.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = ""


def ffprobe_available() -> bool:
    return bool(shutil.which("ffprobe") and shutil.which("ffmpeg"))


def _read_upload(upload) -> bytes:
    size = getattr(upload, "size", None)
    cap = limits.IMAGE_MAX_UPLOAD_BYTES
    if size is not None and size > cap:
        raise MediaRejected(
            f"The file is {size / limits.MB:.1f} MB; the limit is {cap // limits.MB} MB.", status=413
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(cap + 1)
    if len(data) > cap:
        raise MediaRejected(f"The file is larger than {cap // limits.MB} MB.", status=413)
    if not data:
        raise MediaRejected("The file is empty.", status=400)
    return data


def _sniff_image(data: bytes) -> Image.Image | None:
    """The image Pillow finds in `data` (not loaded), None when it is not an image at all."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            width, height = probe.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaRejected(
            "The image is too large to open safely (a decompression bomb?).", status=413
        ) from None
    except UnidentifiedImageError:
        return None
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaRejected(f"The image is damaged and could not be read ({exc}).") from None
    if probe.format not in IMAGE_MIMES:
        raise MediaRejected(
            f"{probe.format or 'This'} images are not accepted: upload JPEG, PNG, WebP or GIF.", status=415
        )
    if width * height > limits.MAX_PIXELS:
        raise MediaRejected(
            f"The image is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"the limit is {limits.MAX_PIXELS / 1e6:.0f} megapixels.",
            status=413,
        )
    return probe


def _thumbnail(image: Image.Image) -> ContentFile:
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    if thumb.mode in ("RGBA", "LA", "P"):
        rgba = thumb.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        thumb = flat
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, format="JPEG", quality=82, optimize=True)
    return ContentFile(out.getvalue(), name="thumb.jpg")


def _clean_gif(data: bytes, probe: Image.Image) -> CleanMedia:
    if len(data) > limits.GIF_MAX_UPLOAD_BYTES:
        raise MediaRejected(
            f"The GIF is {len(data) / limits.MB:.1f} MB; the limit is {limits.GIF_MAX_UPLOAD_BYTES // limits.MB} MB.",
            status=413,
        )
    frames = getattr(probe, "n_frames", 1)
    width, height = probe.size
    if frames > limits.MAX_GIF_FRAMES or width * height * frames > limits.MAX_GIF_TOTAL_PIXELS:
        raise MediaRejected(
            f"The GIF has {frames} frames of {width}×{height}: too many to open safely "
            f"(the limit is {limits.MAX_GIF_TOTAL_PIXELS // 1_000_000} million pixels over all frames).",
            status=413,
        )
    try:
        gif = Image.open(io.BytesIO(data))
        durations, images = [], []
        for frame in ImageSequence.Iterator(gif):
            durations.append(frame.info.get("duration", 100) or 100)
            clean_frame = frame.convert("RGBA")
            clean_frame.info = {}  # Pillow would write the GIF's comment and XMP back out
            images.append(clean_frame)
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaRejected(f"The GIF is damaged and could not be read ({exc}).") from None
    out = io.BytesIO()
    # A fresh file: frames and timing kept; comments and application extensions (XMP) dropped.
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0, disposal=2
    )
    animated = len(images) > 1
    return CleanMedia(
        kind="gif" if animated else "image",
        content=ContentFile(out.getvalue(), name="media.gif"),
        mime="image/gif",
        width=width,
        height=height,
        frames=len(images),
        duration_s=round(sum(durations) / 1000, 2) if animated else None,
        sha256=hashlib.sha256(data).hexdigest(),
        thumbnail=_thumbnail(images[0]),
    )


def _clean_still(data: bytes) -> CleanMedia:
    clean = image_clean_upload(
        ContentFile(data), name="media", max_bytes=limits.IMAGE_MAX_UPLOAD_BYTES, max_pixels=limits.MAX_PIXELS
    )
    return CleanMedia(
        kind="image",
        content=clean.content,
        mime=IMAGE_MIMES[clean.format],
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(data).hexdigest(),
        thumbnail=_thumbnail(clean.image),
    )


def _run(args: list[str], timeout: int) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        raise MediaRejected("The video took too long to read; try a shorter or smaller file.") from None


def video_probe(path: str) -> dict:
    """ffprobe's JSON for the file at `path` (format and streams)."""
    result = _run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        FFPROBE_TIMEOUT_S,
    )
    if result.returncode != 0:
        return {}
    try:
        return json.loads(result.stdout or b"{}")
    except ValueError:
        return {}


def _fps(stream: dict) -> float | None:
    rate = stream.get("avg_frame_rate") or stream.get("r_frame_rate") or ""
    if "/" in rate:
        num, den = rate.split("/", 1)
        try:
            return round(int(num) / int(den), 2) if int(den) else None
        except ValueError:
            return None
    return None


def _clean_video(source: str, *, size: int, sha256: str) -> CleanMedia:
    """Probe the video at `source` (a file on disk: a large upload is never held in memory)."""
    if not ffprobe_available():
        raise MediaRejected(
            "Video uploads are not available on this server (ffmpeg is not installed).", status=415
        )
    if size > limits.VIDEO_MAX_UPLOAD_BYTES:
        raise MediaRejected(
            f"The video is {size / limits.MB:.0f} MB; the limit is {limits.VIDEO_MAX_UPLOAD_BYTES // limits.MB} MB.",
            status=413,
        )
    tmp = tempfile.mkdtemp(prefix="smai-media-")
    try:
        return _clean_video_in(source, tmp, sha256)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _clean_video_in(source: str, tmp: str, sha256: str) -> CleanMedia:
    info = video_probe(source)
    fmt = (info.get("format") or {}).get("format_name", "")
    streams = info.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if not info or video is None:
        raise MediaRejected(
            "The file is not an image or a video we can read. Upload JPEG, PNG, WebP, GIF or MP4 (H.264).",
            status=415,
        )
    if "mp4" not in fmt.split(","):
        raise MediaRejected("The video is not an MP4 file. Export it as MP4 with H.264 video.", status=415)
    codec = video.get("codec_name", "")
    if codec != "h264":
        raise MediaRejected(
            f"The video is encoded as {codec or 'an unknown codec'}; X and LinkedIn need H.264. "
            "Export it again as MP4 with H.264 video.",
            status=415,
        )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    try:
        duration = float((info.get("format") or {}).get("duration") or video.get("duration") or 0)
    except ValueError:
        duration = 0.0
    if duration < limits.VIDEO_MIN_S:
        raise MediaRejected(
            f"The video is {duration:.2f} s long; the shortest any platform takes is 0.5 s (X)."
        )
    if duration > limits.VIDEO_MAX_S:
        raise MediaRejected(
            f"The video is {duration / 60:.1f} minutes long; the longest any platform takes is 30 minutes (LinkedIn)."
        )
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if not width or not height:
        raise MediaRejected("The video has no picture size; it may be damaged.")
    # Re-mux without metadata (location, device, names) and with the index first, so it starts
    # playing before it is all downloaded. The streams are copied, not re-encoded.
    clean = os.path.join(tmp, "clean.mp4")
    remux = _run(
        ["ffmpeg", "-v", "error", "-y", "-i", source, "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy",
         "-map_metadata", "-1", "-movflags", "+faststart", clean],
        FFMPEG_TIMEOUT_S,
    )  # fmt: skip
    if remux.returncode != 0:
        raise MediaRejected("The video is damaged and could not be read.")
    poster_path = os.path.join(tmp, "poster.jpg")
    at = min(1.0, duration / 2)
    grab = _run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-ss",
            f"{at:.2f}",
            "-i",
            clean,
            "-frames:v",
            "1",
            "-q:v",
            "3",
            poster_path,
        ],
        FFMPEG_TIMEOUT_S,
    )
    poster = thumbnail = None
    if grab.returncode == 0 and os.path.exists(poster_path):
        with open(poster_path, "rb") as handle:
            poster_bytes = handle.read()
        poster = ContentFile(poster_bytes, name="poster.jpg")
        with Image.open(io.BytesIO(poster_bytes)) as frame:
            thumbnail = _thumbnail(ImageOps.exif_transpose(frame))
    content = File(open(clean, "rb"), name="media.mp4")  # noqa: SIM115 (closed by discard())
    return CleanMedia(
        kind="video",
        content=content,
        mime="video/mp4",
        width=width,
        height=height,
        duration_s=round(duration, 2),
        codec=codec,
        audio_codec=(audio or {}).get("codec_name", ""),
        fps=_fps(video),
        sha256=sha256,
        poster=poster,
        thumbnail=thumbnail,
        workdir=tmp,
    )


def _video_from_upload(upload, *, data: bytes | None = None) -> CleanMedia:
    """The upload as a file on disk for ffprobe: Django's temporary file when it made one, else
    copied there in chunks; hashed on the way."""
    digest = hashlib.sha256()
    path = getattr(upload, "temporary_file_path", lambda: "")() if data is None else ""
    scratch = ""
    try:
        if path:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1024 * 1024), b""):
                    digest.update(block)
            size = os.path.getsize(path)
        else:
            handle = tempfile.NamedTemporaryFile(prefix="smai-upload-", delete=False)  # noqa: SIM115
            scratch = path = handle.name
            with handle:
                if data is not None:
                    handle.write(data)
                    digest.update(data)
                else:
                    upload.seek(0)
                    for block in upload.chunks():
                        handle.write(block)
                        digest.update(block)
            size = os.path.getsize(path)
        if not size:
            raise MediaRejected("The file is empty.", status=400)
        return _clean_video(path, size=size, sha256=digest.hexdigest())
    finally:
        if scratch:
            os.unlink(scratch)


def media_clean_upload(upload, *, original_name: str = "") -> CleanMedia:
    """The upload as a clean library file, its type read from its bytes (never from its name).
    Call `discard()` on the result once it is stored."""
    size = getattr(upload, "size", None)
    if size is not None and size > limits.IMAGE_MAX_UPLOAD_BYTES:
        # Too big for any image: a video (read from disk), or refused.
        cap = limits.VIDEO_MAX_UPLOAD_BYTES
        if size > cap:
            raise MediaRejected(
                f"The file is {size / limits.MB:.1f} MB; the limit is {cap // limits.MB} MB.", status=413
            )
        upload.seek(0)
        head = upload.read(64 * 1024)
        try:
            kind = Image.open(io.BytesIO(head)).format
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            kind = None
        if kind:
            limit = limits.GIF_MAX_UPLOAD_BYTES if kind == "GIF" else limits.IMAGE_MAX_UPLOAD_BYTES
            raise MediaRejected(
                f"The image is {size / limits.MB:.1f} MB; the limit is {limit // limits.MB} MB.", status=413
            )
        return _video_from_upload(upload)
    data = _read_upload(upload)
    probe = _sniff_image(data)
    if probe is None:
        return _video_from_upload(upload, data=data)
    if probe.format == "GIF":
        return _clean_gif(data, probe)
    try:
        return _clean_still(data)
    except MediaRejected:
        raise
    except ValidationError as exc:
        raise MediaRejected(exc.messages[0]) from None


def image_crop_centered(data: bytes, *, ratio: float) -> CleanMedia:
    """The largest centred crop of the image in `data` with width/height == `ratio`, re-encoded."""
    with Image.open(io.BytesIO(data)) as source:
        fmt = source.format
        image = ImageOps.exif_transpose(source)
        image.load()
    width, height = image.size
    if width / height > ratio:
        new_w, new_h = max(1, round(height * ratio)), height
    else:
        new_w, new_h = width, max(1, round(width / ratio))
    left, top = (width - new_w) // 2, (height - new_h) // 2
    cropped = image.crop((left, top, left + new_w, top + new_h))
    cropped.info = {}
    if fmt == "JPEG" and cropped.mode not in ("RGB", "L"):
        cropped = cropped.convert("RGB")
    out = io.BytesIO()
    options = {"JPEG": {"quality": 90, "optimize": True}, "PNG": {"optimize": True}, "WEBP": {"quality": 90}}
    cropped.save(out, format=fmt, **options.get(fmt, {}))
    payload = out.getvalue()
    return CleanMedia(
        kind="image",
        content=ContentFile(payload, name=f"crop.{IMAGE_EXTS[fmt]}"),
        mime=IMAGE_MIMES[fmt],
        width=new_w,
        height=new_h,
        sha256=hashlib.sha256(payload).hexdigest(),
        thumbnail=_thumbnail(cropped),
    )
