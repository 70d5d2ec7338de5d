"""What each platform accepts, and the per-platform checks shown on every asset of the library.

The limits, from the platforms' own documentation (read 2026-12):

X — docs.x.com, "Media upload: best practices" (x-api/media/quickstart/best-practices) and the
media introduction (x-api/media): up to 4 photos, 1 animated GIF or 1 video per post; images
JPG/PNG/GIF/WEBP up to 5 MB; animated GIFs up to 15 MB (recommended <= 1280x1080, <= 350
frames); video: H.264 (High profile recommended) with AAC-LC audio, at least 0.5 s, frame rate
<= 60 fps, aspect ratio between 1:3 and 3:1, YUV 4:2:0. The upload endpoint's historical cap for
`tweet_video` is 512 MB and 140 s; the current page allows up to 20 minutes / 8 GB for accounts
with the long-video entitlement. We check against 0.5–140 s and 512 MB, which every X account
accepts, so nothing passes here and then fails at publishing time.

LinkedIn — learn.microsoft.com, Marketing "Videos API" and "Images API" (community-management/
shares): video MP4, 3 seconds to 30 minutes, 75 KB to 5 GB; images JPG, PNG or GIF (GIF up to 250
frames) under 36,152,320 pixels; a post takes up to 20 images (MultiImage) or 1 video.

The library refuses at upload only what fits *no* platform (not H.264, shorter than 0.5 s, longer
than 30 minutes, bigger than the upload cap); what fits one platform but not the other is kept
and marked on the asset, so a 2-second clip can still go to X.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

MB = 1024 * 1024

# Upload caps of the library itself (what the server will receive).
IMAGE_MAX_UPLOAD_BYTES = 20 * MB  # a phone photo; re-encoding usually brings it under 5 MB
GIF_MAX_UPLOAD_BYTES = 15 * MB
VIDEO_MAX_UPLOAD_BYTES = getattr(settings, "MEDIA_VIDEO_MAX_BYTES", 512 * MB)
MAX_PIXELS = 36_152_320  # LinkedIn's image limit, the stricter of the two
MAX_GIF_FRAMES = 1000
MAX_GIF_TOTAL_PIXELS = 300_000_000  # X: width * height * frames

VIDEO_MIN_S = 0.5  # the shortest any platform takes (X)
VIDEO_MAX_S = 30 * 60  # the longest any platform takes (LinkedIn)

X_IMAGE_MAX_BYTES = 5 * MB
X_GIF_MAX_BYTES = 15 * MB
X_GIF_MAX_FRAMES = 350
X_VIDEO_MAX_BYTES = 512 * MB
X_VIDEO_MIN_S, X_VIDEO_MAX_S = 0.5, 140.0
X_VIDEO_MAX_FPS = 60
X_VIDEO_ASPECT = (1 / 3, 3.0)
X_ALT_TEXT_MAX = 1000
X_MAX_IMAGES = 4

LINKEDIN_IMAGE_MAX_PIXELS = 36_152_320
LINKEDIN_IMAGE_MIMES = {"image/jpeg", "image/png", "image/gif"}
LINKEDIN_GIF_MAX_FRAMES = 250
LINKEDIN_VIDEO_MIN_BYTES = 75 * 1024
LINKEDIN_VIDEO_MAX_BYTES = 5 * 1024 * MB
LINKEDIN_VIDEO_MIN_S, LINKEDIN_VIDEO_MAX_S = 3.0, 30 * 60.0
LINKEDIN_MAX_IMAGES = 20


@dataclass(frozen=True)
class CropPreset:
    key: str
    label: str
    ratio: float
    used_for: str


CROP_PRESETS = {
    "1x1": CropPreset("1x1", "1:1", 1.0, "square"),
    "16x9": CropPreset("16x9", "16:9", 16 / 9, "landscape, X"),
    "1.91x1": CropPreset("1.91x1", "1.91:1", 1.91, "LinkedIn landscape"),
    "4x5": CropPreset("4x5", "4:5", 4 / 5, "portrait"),
}


@dataclass
class PlatformCheck:
    platform: str
    label: str
    problems: list[str] = field(default_factory=list)  # it cannot go there
    warnings: list[str] = field(default_factory=list)  # it can once fixed here (alt text)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


def _x_check(asset) -> PlatformCheck:
    check = PlatformCheck("x", "X")
    if asset.kind == "video":
        if asset.bytes > X_VIDEO_MAX_BYTES:
            check.problems.append(f"Video is {_mb(asset.bytes)}; X takes up to 512 MB.")
        if asset.duration_s is not None and not X_VIDEO_MIN_S <= asset.duration_s <= X_VIDEO_MAX_S:
            check.problems.append(f"Video is {asset.duration_s:.1f} s; X takes 0.5–140 s.")
        if asset.audio_codec and asset.audio_codec != "aac":
            check.problems.append(f"Audio is {asset.audio_codec}; X needs AAC.")
        if asset.fps and asset.fps > X_VIDEO_MAX_FPS + 0.01:
            check.problems.append(f"Video runs at {asset.fps:.0f} fps; X takes up to 60.")
        low, high = X_VIDEO_ASPECT
        if asset.aspect and not low <= asset.aspect <= high:
            check.problems.append("X takes video between 1:3 and 3:1.")
        check.notes.append("1 video per post.")
    elif asset.kind == "gif":
        if asset.bytes > X_GIF_MAX_BYTES:
            check.problems.append(f"GIF is {_mb(asset.bytes)}; X takes up to 15 MB.")
        if asset.frames > X_GIF_MAX_FRAMES:
            check.problems.append(f"GIF has {asset.frames} frames; X takes up to 350.")
        check.notes.append("1 GIF per post.")
    else:
        if asset.bytes > X_IMAGE_MAX_BYTES:
            check.problems.append(f"Image is {_mb(asset.bytes)}; X takes up to 5 MB.")
        check.notes.append(f"Up to {X_MAX_IMAGES} images per post.")
    if asset.kind != "video" and not asset.alt_text.strip():
        check.warnings.append("Add alt text before publishing to X.")
    return check


def _linkedin_check(asset) -> PlatformCheck:
    check = PlatformCheck("linkedin", "LinkedIn")
    if asset.kind == "video":
        if asset.bytes < LINKEDIN_VIDEO_MIN_BYTES:
            check.problems.append("Video is under 75 KB; LinkedIn takes 75 KB–5 GB.")
        if asset.bytes > LINKEDIN_VIDEO_MAX_BYTES:
            check.problems.append(f"Video is {_mb(asset.bytes)}; LinkedIn takes up to 5 GB.")
        if (
            asset.duration_s is not None
            and not LINKEDIN_VIDEO_MIN_S <= asset.duration_s <= LINKEDIN_VIDEO_MAX_S
        ):
            check.problems.append(f"Video is {asset.duration_s:.1f} s; LinkedIn takes 3 s–30 min.")
        check.notes.append("1 video per post.")
    else:
        if asset.mime not in LINKEDIN_IMAGE_MIMES:
            check.problems.append("LinkedIn takes JPEG, PNG or GIF images (not WebP).")
        if asset.width * asset.height >= LINKEDIN_IMAGE_MAX_PIXELS:
            check.problems.append("LinkedIn takes images under 36 megapixels.")
        if asset.kind == "gif" and asset.frames > LINKEDIN_GIF_MAX_FRAMES:
            check.problems.append(f"GIF has {asset.frames} frames; LinkedIn takes up to 250.")
        check.notes.append(f"Up to {LINKEDIN_MAX_IMAGES} images per post.")
    return check


def asset_platform_checks(asset) -> list[PlatformCheck]:
    """Whether `asset` can go to each platform, with the reason when it cannot."""
    return [_x_check(asset), _linkedin_check(asset)]
