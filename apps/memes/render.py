"""The meme renderer: captions fitted to boxes on a template image, drawn with Pillow.

Fitting. For each box the largest font size is wanted at which the greedily wrapped text fits.
Trying every size from the top down and re-measuring the whole text each time (what memegen does)
spends most of a render in FreeType. Here:

- the size range is narrowed by a direct estimate first: the text measured once at a reference
  size gives its area per px², so no size above ``sqrt(box area / text area)`` (or above one line
  of the box height) can fit; a binary search then needs about 5-7 trials instead of ~100;
- font objects are cached per (file, size) (``ImageFont.truetype`` parses the file, ~0.3 ms), and
  the width of every word is cached per (file, size, word), so a trial measures each word once and
  wrapping is additions of cached widths;
- nothing is rendered to measure: ``font.getlength`` is an advance-width sum. The chosen lines are
  measured whole once at the end (kerning around spaces can differ from the sum); a line that
  turns out wider than the box steps the size down by one.

Words that do not fit a line even at the smallest size are broken between graphemes.

Drawing. Text is drawn once onto a transparent RGBA overlay the size of the output (stroke width
proportional to the font size, or a blurred drop shadow) and the overlay's non-empty part is
pasted on each frame, so an animated template is laid out once, not per frame. Frame durations
and the loop count are kept for GIF and animated WebP output; GIF frames get their own adaptive
palette.

Fonts. Latin captions use Anton (bundled in ``fonts/``, Latin subset); anything else picks the
bundled font of its script from ``apps/integrations/images`` (Inter Display Bold for Latin
Extended, Greek and Cyrillic; Noto for Arabic, Hebrew, Devanagari, Thai and CJK).

Emoji are drawn with Noto Emoji Bold (monochrome outlines, OFL, ``fonts/NotoEmoji-Bold-emoji.woff``):
in a caption's fill colour with the same outline or shadow as the words, which is how meme captions
look. A line is split into runs of emoji and of text (``_runs``); each run is measured and drawn in
its own font on the text's baseline. Lines without emoji take the single-draw path. Raqm shapes
ZWJ sequences, flags and skin tones into one glyph.

Safety. Inputs larger than ``MAX_PIXELS`` (checked from the header, before decoding), with more
than ``MAX_FRAMES`` frames, or that are not images raise ``RenderError``; output sides are capped
at ``MAX_SIDE``. The process-wide ``Image.MAX_IMAGE_PIXELS`` is not changed (other code shares
it); the same limit is checked here explicitly, and Pillow's own bomb error is turned into
``RenderError`` too.

Memory. A GIF's frames are tiny on disk and whole pictures in memory: 200 frames of 1400×1400 are
67 KB as a file and 1.5 GB decoded. Every render therefore has a budget, ``MAX_DECODED_BYTES``
(frames × width × height × ``BYTES_PER_PIXEL``, worked out from the header, after a JPEG's draft
scaling, before anything is decoded); a render over it raises ``RenderTooLarge`` (a
``RenderError``: a 4xx for the caller, never a 500 or an out-of-memory kill). Templates are made
to fit at upload instead: ``template_fit_budget`` scales a larger one down once (an animation
stays animated, with its frame durations and loop count) or refuses it when it would become
smaller than ``MIN_TEMPLATE_SIDE``.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps, ImageSequence

from apps.integrations.images.text import (
    EMOJI,
    FONTS_DIR,
    LAYOUT_ENGINE,
    SCRIPT_FONTS,
    graphemes,
    line_segments,
    parse_color,
    script_fonts_for,
    shaping,
)

MEME_FONTS_DIR = Path(__file__).resolve().parent / "fonts"
ANTON = MEME_FONTS_DIR / "Anton-Regular-latin.woff"
EMOJI_FONT = str(MEME_FONTS_DIR / "NotoEmoji-Bold-emoji.woff")
MAX_PIXELS = 40_000_000  # per frame, read from the header before decoding
MAX_TOTAL_PIXELS = 400_000_000  # all frames together (a 200-frame 1400×1400 GIF)
MAX_FRAMES = 200
# Decoded bytes one render may hold for its template's frames. Pillow keeps RGB and RGBA pixels in
# 32 bits, so a pixel costs 4 bytes whatever the mode; 64 MB is 16.7 megapixels over all frames
# (a 4096×4096 still, or 200 frames of 289×289). A render holds about twice this at its peak (the
# decoded frames and the captioned output frames, smaller or equal), which a web process can afford.
MAX_DECODED_BYTES = 64 * 1024 * 1024
BYTES_PER_PIXEL = 4
# A template is not scaled down below this many pixels on its shorter side; a larger upload that
# would have to be is refused instead (its captions would not be readable).
MIN_TEMPLATE_SIDE = 160
MAX_SIDE = 2048
MIN_SIZE = 10
SIZES = {"thumbnail": 320, "medium": 640, "full": MAX_SIDE}
FORMATS = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
FILTERS = ("blur", "sharpen", "edges", "grayscale", "sepia", "brightness", "contrast")
# Baseline-to-baseline pitch as a share of the font's ascent + descent (Anton's are loose).
LINE_SPACING = {str(ANTON): 0.85}

# Characters in the bundled Anton subset (fontsource's "latin" range).
_ANTON_EXTRA = {0x0131, 0x0152, 0x0153, 0x02BB, 0x02BC, 0x02C6, 0x02DA, 0x02DC, 0x20AC, 0x2122, 0x2212}


class RenderError(ValueError):
    """The input cannot be rendered (not an image, too large, too many frames, bad option)."""


class RenderTooLarge(RenderError):
    """Rendering the template would decode more than ``MAX_DECODED_BYTES``."""


def decoded_bytes(width: int, height: int, frames: int = 1) -> int:
    """What `frames` decoded frames of `width`×`height` take in memory."""
    return width * height * max(1, frames) * BYTES_PER_PIXEL


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB" if n < 1024**3 else f"{n / 1024**3:,.1f} GB"


def check_decoded_budget(width: int, height: int, frames: int = 1) -> None:
    """Raise ``RenderTooLarge`` when the frames would take more than ``MAX_DECODED_BYTES``."""
    need = decoded_bytes(width, height, frames)
    if need > MAX_DECODED_BYTES:
        what = f"{frames} frames of {width}×{height}" if frames > 1 else f"{width}×{height} pixels"
        raise RenderTooLarge(
            f"This template is too large to render: {what} take {_megabytes(need)} decoded, and a "
            f"render may use at most {_megabytes(MAX_DECODED_BYTES)}. Upload it again to have it "
            "scaled down, or use a smaller image."
        )


@dataclass(frozen=True)
class TextBox:
    """Where a caption goes, as fractions (0..1) of the image's width and height."""

    x: float = 0.05
    y: float = 0.02
    w: float = 0.9
    h: float = 0.25
    align: str = "center"  # left, center, right
    valign: str = "top"  # top, middle, bottom
    uppercase: bool = True


TOP = TextBox()
BOTTOM = TextBox(y=0.73, valign="bottom")


@dataclass(frozen=True)
class Style:
    font: str = "impact"  # "impact" (Anton) or "sans" (Inter Display Bold); other scripts: Noto
    fill: str = "#ffffff"
    stroke: str = "#000000"
    stroke_ratio: float = 0.07  # stroke width as a share of the font size
    effect: str = "outline"  # "outline", "shadow" or "none"


@dataclass(frozen=True)
class Filter:
    name: str  # one of FILTERS
    value: float | None = None  # blur radius; brightness/contrast factor (1 = unchanged)


@dataclass
class RenderRequest:
    template: bytes | Image.Image
    texts: Sequence[str] = ()
    boxes: Sequence[TextBox] = (TOP, BOTTOM)
    style: Style = field(default_factory=Style)
    filters: Sequence[Filter] = ()
    size: str = "full"  # thumbnail, medium, full (see SIZES: max widths)
    format: str = "jpeg"  # jpeg, png, webp, gif
    animated: bool = True  # keep an animated template's frames (GIF and WebP output only)
    quality: int = 85


@dataclass(frozen=True)
class Rendered:
    data: bytes
    mime: str
    width: int
    height: int
    frames: int
    durations: tuple[int, ...]
    loop: int | None = None


@dataclass(frozen=True)
class Fit:
    """Result of ``fit_text``; unpacks as ``size, lines``."""

    size: int
    lines: tuple[str, ...]
    font_path: str
    line_height: int  # baseline to baseline
    ascent: int
    descent: int
    stroke: int
    overflow: bool = False  # True when even the minimum size does not fit the box

    def __iter__(self):
        return iter((self.size, self.lines))

    @property
    def height(self) -> int:
        if not self.lines:
            return 0
        return (len(self.lines) - 1) * self.line_height + self.ascent + self.descent + 2 * self.stroke


# --- fonts and measuring ------------------------------------------------------------------------


def font_path_for(text: str, font_key: str = "impact") -> str:
    """The font file that has the glyphs of `text`: Anton for text in its Latin subset (with the
    "impact" key), Inter Display Bold for other Latin, Greek and Cyrillic, Noto for other scripts."""
    fonts = script_fonts_for(text)
    if fonts.script != "latin":
        return str(FONTS_DIR / fonts.headline)
    if font_key == "impact" and all(
        ord(ch) <= 0xFF or ord(ch) in _ANTON_EXTRA or 0x2000 <= ord(ch) <= 0x206F for ch in text
    ):
        return str(ANTON)
    return str(FONTS_DIR / SCRIPT_FONTS["latin"].headline)


@lru_cache(maxsize=512)
def get_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=LAYOUT_ENGINE)


@lru_cache(maxsize=64)
def _options(text_script_key: str) -> dict:
    return shaping(SCRIPT_FONTS[text_script_key])


@lru_cache(maxsize=512)
def _metrics(path: str, size: int) -> tuple[int, int]:
    return get_font(path, size).getmetrics()


def clean_caption(text: str) -> str:
    """NFC, control characters out, whitespace collapsed; emoji kept (unlike templates.clean_text)."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\n\t")
    return re.sub(r"\s+", " ", text).strip()


def _without_emoji(text: str) -> str:
    return EMOJI.sub("", text)


@lru_cache(maxsize=8192)
def _runs(piece: str) -> tuple[tuple[str, bool], ...]:
    """`piece` as runs of (text, is_emoji)."""
    runs, last = [], 0
    for match in EMOJI.finditer(piece):
        if match.start() > last:
            runs.append((piece[last : match.start()], False))
        runs.append((match.group(0), True))
        last = match.end()
    if last < len(piece):
        runs.append((piece[last:], False))
    return tuple(runs)


@lru_cache(maxsize=65536)
def _width(path: str, size: int, piece: str, script: str) -> float:
    if not EMOJI.search(piece):
        return get_font(path, size).getlength(piece, **_options(script))
    return sum(
        get_font(EMOJI_FONT, size).getlength(run)
        if emoji
        else get_font(path, size).getlength(run, **_options(script))
        for run, emoji in _runs(piece)
    )


def _wrap(pieces: list[str], path: str, size: int, script: str, width: float) -> tuple[list[str], bool]:
    """Greedy wrap by summing cached piece widths. Returns the lines and whether a piece had to be
    broken between graphemes."""
    lines: list[str] = []
    current, current_w, broken = "", 0.0, False
    for piece in pieces:
        stripped_w = _width(path, size, piece.rstrip(), script)
        if current and current_w + stripped_w <= width:
            current += piece
            current_w += _width(path, size, piece, script)
            continue
        if current.strip():
            lines.append(current.rstrip())
        current, current_w = "", 0.0
        if stripped_w <= width:
            current, current_w = piece, _width(path, size, piece, script)
            continue
        broken = True
        font, options = get_font(path, size), _options(script)
        for cluster in graphemes(piece):
            if not current or font.getlength(current + cluster, **options) <= width:
                current += cluster
            else:
                lines.append(current.rstrip())
                current = cluster
        current_w = font.getlength(current, **options)
    if current.strip():
        lines.append(current.rstrip())
    return lines, broken


def fit_text(
    text: str,
    box_w: int,
    box_h: int,
    font_key: str = "impact",
    *,
    stroke_ratio: float = 0.0,
    min_size: int = MIN_SIZE,
    max_size: int = 400,
) -> Fit:
    """The largest size at which `text` wrapped to `box_w` fits `box_h` (stroke included), and its
    lines. Long words are broken only when the text cannot fit unbroken at `min_size` or more. At
    `min_size` text that still does not fit is returned with ``overflow=True``."""
    text = clean_caption(text)
    plain = _without_emoji(text)
    path = font_path_for(plain, font_key)
    script = script_fonts_for(plain).script
    pieces = line_segments(text)

    def stroke_of(size: int) -> int:
        return math.ceil(size * stroke_ratio) if stroke_ratio else 0

    def attempt(size: int, allow_break: bool) -> tuple[list[str], bool]:
        s = stroke_of(size)
        lines, broken = _wrap(pieces, path, size, script, box_w - 2 * s)
        if broken and not allow_break:
            return lines, False
        ascent, descent = _metrics(path, size)
        pitch = round((ascent + descent) * LINE_SPACING.get(path, 1.0))
        height = (len(lines) - 1) * pitch + ascent + descent + 2 * s
        return lines, height <= box_h

    def make(size: int, lines: list[str], overflow: bool = False) -> Fit:
        ascent, descent = _metrics(path, size)
        pitch = round((ascent + descent) * LINE_SPACING.get(path, 1.0))
        return Fit(size, tuple(lines), path, pitch, ascent, descent, stroke_of(size), overflow)

    if not text:
        return make(min_size, [])
    if not plain.strip():  # emoji only: measure with the emoji font's line metrics' stand-in
        script = "latin"
    # Direct estimate of the upper bound: the text's advance width and line height scale with the
    # size, so its area at size s is about s² × (area at 100 px) / 100².
    ascent, descent = _metrics(path, 100)
    total_w = sum(_width(path, 100, p, script) for p in pieces) or 1.0
    line_h = (ascent + descent) * LINE_SPACING.get(path, 1.0)
    area_bound = 100 * math.sqrt(box_w * box_h / (total_w * line_h))
    line_bound = 100 * box_h / (ascent + descent)
    high = max(min_size, min(max_size, int(min(area_bound, line_bound) * 1.05) + 1))

    best: tuple[int, list[str]] | None = None
    for allow_break in (False, True):
        low, hi = min_size, high
        while low <= hi:  # sizes that fit are (nearly) a prefix of the small ones: bisect
            size = (low + hi) // 2
            lines, ok = attempt(size, allow_break)
            if ok:
                best, low = (size, lines), size + 1
            else:
                hi = size - 1
        if best:
            break
    if best is None:
        lines, _ = _wrap(pieces, path, min_size, script, box_w - 2 * stroke_of(min_size))
        return make(min_size, lines, overflow=True)
    size, lines = best
    # Whole-line check (kerning across spaces is not in the sum of piece widths).
    options = _options(script)
    while size > min_size:
        font = get_font(path, size)
        if all(font.getlength(line, **options) + 2 * stroke_of(size) <= box_w for line in lines):
            break
        size -= 1
        lines, _ = _wrap(pieces, path, size, script, box_w - 2 * stroke_of(size))
    return make(size, lines)


# --- loading and frames ---------------------------------------------------------------------------


def open_template(template: bytes | Image.Image) -> Image.Image:
    if isinstance(template, Image.Image):
        im = template
    else:
        try:
            im = Image.open(io.BytesIO(template))
        except Image.DecompressionBombError as exc:
            raise RenderError("The image has too many pixels.") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise RenderError("The file is not an image Pillow can read.") from exc
    w, h = im.size
    if w < 1 or h < 1 or w * h > MAX_PIXELS:
        raise RenderError(f"The image is {w}×{h}; at most {MAX_PIXELS // 1_000_000} megapixels are allowed.")
    frames = getattr(im, "n_frames", 1)
    if frames > MAX_FRAMES:
        raise RenderError(f"The image has {frames} frames; at most {MAX_FRAMES} are allowed.")
    if w * h * frames > MAX_TOTAL_PIXELS:
        raise RenderError("The animation has too many pixels in all.")
    return im


def _frames(im: Image.Image, keep_animation: bool) -> tuple[list[Image.Image], list[int], int | None]:
    """RGB frames (RGBA when the template has transparency), their durations in ms, and the loop."""
    if not keep_animation or getattr(im, "n_frames", 1) == 1:
        with contextlib.suppress(EOFError):
            im.seek(0)
        return [_rgb(im)], [int(im.info.get("duration", 0) or 0)], None
    frames, durations = [], []
    try:
        for frame in ImageSequence.Iterator(im):
            durations.append(int(frame.info.get("duration", 100) or 0))
            frames.append(_rgb(frame))
    except (OSError, SyntaxError, ValueError) as exc:
        raise RenderError("The animation could not be decoded.") from exc
    return frames, durations, im.info.get("loop")


# Decoded templates. The same template is rendered again and again with new captions (the maker's
# live preview, the API, the feed), and decoding it is a sixth of a static render (2 ms of 13 for an
# 800×600 JPEG on a 2-core server) and more of an animated one. The decoded frames of recent
# templates are kept, keyed by the file's bytes (``generation`` passes the same bytes object every
# time, and Python keeps a bytes object's hash) and how they were decoded, up to DECODED_PIXELS
# pixels in all (~36 MB of RGB) per process. The output is never cached here.
DECODED_PIXELS = 12_000_000
_decoded_frames: OrderedDict[tuple, tuple[list[Image.Image], list[int], int | None]] = OrderedDict()
_decoded_lock = threading.Lock()


def _decoded(template: bytes | Image.Image, animated: bool, size: str):
    """The template's frames, durations and loop (see ``_frames``), from the cache when decoded
    before. Callers must not draw on the frames."""
    key = (template, animated, size) if isinstance(template, bytes) else None
    if key is not None:
        with _decoded_lock:
            hit = _decoded_frames.get(key)
            if hit is not None:
                _decoded_frames.move_to_end(key)
                return hit
    im = open_template(template)
    if im.format == "JPEG" and size in SIZES:
        # Decode a large JPEG at 1/2, 1/4 or 1/8 scale when the output is that much smaller.
        im.draft("RGB", _target_size(*im.size, size))
    # Before anything is decoded: the frames this render would hold (only the first one when the
    # output is a still) must fit the budget.
    check_decoded_budget(*im.size, getattr(im, "n_frames", 1) if animated else 1)
    result = _frames(im, animated)
    pixels = sum(f.width * f.height for f in result[0])
    if key is not None and pixels <= DECODED_PIXELS // 2:
        with _decoded_lock:
            _decoded_frames[key] = result
            total = sum(sum(f.width * f.height for f in v[0]) for v in _decoded_frames.values())
            while total > DECODED_PIXELS and len(_decoded_frames) > 1:
                _, (old, _, _) = _decoded_frames.popitem(last=False)
                total -= sum(f.width * f.height for f in old)
    return result


def _rgb(frame: Image.Image) -> Image.Image:
    try:
        frame.load()
    except Image.DecompressionBombError as exc:
        raise RenderError("The image has too many pixels.") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise RenderError("The image could not be decoded.") from exc
    has_alpha = frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info
    return frame.convert("RGBA" if has_alpha else "RGB")


def _target_size(w: int, h: int, size: str) -> tuple[int, int]:
    if size not in SIZES:
        raise RenderError(f"Unknown size {size!r}; use one of {', '.join(SIZES)}.")
    scale = min(1.0, SIZES[size] / w, MAX_SIDE / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def apply_filter(im: Image.Image, flt: Filter) -> Image.Image:
    name, value = flt.name, flt.value
    if name == "blur":
        return im.filter(ImageFilter.GaussianBlur(2 if value is None else value))
    if name == "sharpen":
        return im.filter(ImageFilter.SHARPEN)
    if name == "edges":
        return im.filter(ImageFilter.FIND_EDGES)
    if name in ("grayscale", "sepia"):
        alpha = im.getchannel("A") if im.mode == "RGBA" else None
        gray = ImageOps.grayscale(im)
        out = gray.convert("RGB") if name == "grayscale" else ImageOps.colorize(gray, "#2b1d0e", "#fff3d6")
        if alpha is not None:
            out.putalpha(alpha)
        return out
    if name == "brightness":
        return ImageEnhance.Brightness(im).enhance(1.25 if value is None else value)
    if name == "contrast":
        return ImageEnhance.Contrast(im).enhance(1.25 if value is None else value)
    raise RenderError(f"Unknown filter {name!r}; use one of {', '.join(FILTERS)}.")


# --- drawing --------------------------------------------------------------------------------------


def _draw_captions(
    draw: ImageDraw.ImageDraw,
    width: int,
    height: int,
    texts: Sequence[str],
    boxes: Sequence[TextBox],
    style: Style,
    shadow_draw: ImageDraw.ImageDraw | None = None,
) -> list[tuple[int, int]]:
    """Draw the captions with `draw` (and their shadows with `shadow_draw`); returns the rows
    (top, bottom) each caption's ink can reach, so callers composite only those bands."""
    fill, stroke_fill = parse_color(style.fill), parse_color(style.stroke)
    outline = style.effect == "outline"
    rows: list[tuple[int, int]] = []
    for text, box in zip(texts, boxes, strict=False):
        if not text or not text.strip():
            continue
        text = text.upper() if box.uppercase else text
        bx, by = round(box.x * width), round(box.y * height)
        bw, bh = max(1, round(box.w * width)), max(1, round(box.h * height))
        fit = fit_text(text, bw, bh, style.font, stroke_ratio=style.stroke_ratio if outline else 0.0)
        if not fit.lines:
            continue
        font = get_font(fit.font_path, fit.size)
        fonts = script_fonts_for(_without_emoji(" ".join(fit.lines)))
        options = shaping(fonts)
        block_h = fit.height
        top = by + {"top": 0, "middle": (bh - block_h) // 2, "bottom": bh - block_h}.get(box.valign, 0)
        # Glyphs may reach a little past their metrics (accents, emoji): a generous margin.
        margin = fit.size // 2 + fit.stroke + 2
        rows.append((max(0, top - margin), min(height, top + block_h + margin)))
        align = box.align if box.align in ("left", "right") else "center"
        if align == "center":
            anchor, ax = "ma", bx + bw / 2
        elif align == "left":
            anchor, ax = "la", bx + fit.stroke
        else:
            anchor, ax = "ra", bx + bw - fit.stroke
        for i, line in enumerate(fit.lines):
            y = top + fit.stroke + i * fit.line_height
            targets = []
            if shadow_draw is not None:
                offset = max(1, round(fit.size * 0.05))
                targets.append((shadow_draw, offset, (*stroke_fill, 200), 0))
            targets.append((draw, 0, (*fill, 255), fit.stroke if outline else 0))
            for target, offset, colour, stroke in targets:
                pen = {"fill": colour, "stroke_width": stroke, "stroke_fill": (*stroke_fill, 255)}
                if not EMOJI.search(line):
                    target.text((ax + offset, y + offset), line, font=font, anchor=anchor, **options, **pen)
                    continue
                # Mixed runs: laid out left to right from the line's start, on the text's baseline.
                line_w = _width(fit.font_path, fit.size, line, fonts.script)
                x = {"ma": ax - line_w / 2, "la": ax, "ra": ax - line_w}[anchor] + offset
                baseline = y + offset + fit.ascent
                for run, emoji in _runs(line):
                    run_font = get_font(EMOJI_FONT, fit.size) if emoji else font
                    run_options = {} if emoji else options
                    target.text((x, baseline), run, font=run_font, anchor="ls", **run_options, **pen)
                    x += _width(fit.font_path, fit.size, run, fonts.script)
    return rows


def _merged(rows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for top, bottom in sorted(rows):
        if merged and top <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], bottom)
        else:
            merged.append([top, bottom])
    return [(a, b) for a, b in merged]


def _overlay(
    width: int, height: int, texts: Sequence[str], boxes: Sequence[TextBox], style: Style
) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """All captions on one transparent layer the size of the output, and the boxes of that layer
    that hold ink (one per caption band, so a frame is composited only where there is text)."""
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    shadow_layer = Image.new("RGBA", layer.size, (0, 0, 0, 0)) if style.effect == "shadow" else None
    rows = _draw_captions(
        ImageDraw.Draw(layer),
        width,
        height,
        texts,
        boxes,
        style,
        shadow_draw=ImageDraw.Draw(shadow_layer) if shadow_layer is not None else None,
    )
    if shadow_layer is not None and shadow_layer.getbbox():
        radius = max(1, round(min(width, height) / 200))
        shadow_layer = shadow_layer.filter(ImageFilter.GaussianBlur(radius))
        shadow_layer.alpha_composite(layer)
        layer = shadow_layer
        rows = [(max(0, a - 4 * radius), min(height, b + 4 * radius)) for a, b in rows]
    bands = []
    for top, bottom in _merged(rows):
        box = layer.crop((0, top, width, bottom)).getbbox()
        if box:
            bands.append((box[0], box[1] + top, box[2], box[3] + top))
    return layer, bands


def _composite(frame: Image.Image, overlay: Image.Image, bands) -> Image.Image:
    for band in bands:
        region = overlay.crop(band)
        if frame.mode == "RGBA":
            frame.alpha_composite(region, dest=band[:2])
        else:
            frame.paste(region, band[:2], region)
    return frame


def render(request: RenderRequest) -> Rendered:
    """Draw the request's captions on its template and encode it (see the module docstring)."""
    fmt = request.format.lower()
    if fmt not in FORMATS:
        raise RenderError(f"Unknown format {request.format!r}; use one of {', '.join(FORMATS)}.")
    for flt in request.filters:
        if flt.name not in FILTERS:
            raise RenderError(f"Unknown filter {flt.name!r}; use one of {', '.join(FILTERS)}.")
    animated = request.animated and fmt in ("gif", "webp")
    frames, durations, loop = _decoded(request.template, animated, request.size)
    width, height = _target_size(*frames[0].size, request.size)
    # One frame in RGB without a shadow: the captions are drawn straight onto (a copy of) it.
    # Otherwise they are drawn once on a transparent layer, composited onto every frame only
    # where the layer has ink.
    direct = len(frames) == 1 and request.style.effect != "shadow"
    overlay, bands = (
        (None, []) if direct else _overlay(width, height, request.texts, request.boxes, request.style)
    )
    out = []
    for frame in frames:
        shared = frame  # decoded frames may be kept for the next render: never drawn on
        if frame.size != (width, height):
            frame = frame.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=2.0)
        for flt in request.filters:
            frame = apply_filter(frame, flt)
        if direct and frame.mode != "RGB":
            direct = False
            overlay, bands = _overlay(width, height, request.texts, request.boxes, request.style)
        if frame is shared and (direct or bands):
            frame = frame.copy()
        if direct:
            _draw_captions(ImageDraw.Draw(frame), width, height, request.texts, request.boxes, request.style)
            out.append(frame)
        else:
            out.append(_composite(frame, overlay, bands))
    buffer = io.BytesIO()
    if fmt == "jpeg":
        first = out[0]
        if first.mode == "RGBA":
            background = Image.new("RGB", first.size, (255, 255, 255))
            background.paste(first, mask=first.getchannel("A"))
            first = background
        first.save(buffer, "JPEG", quality=request.quality, optimize=False)
    elif fmt == "png":
        out[0].save(buffer, "PNG", compress_level=3)
    elif fmt == "webp":
        extra = {"save_all": True, "append_images": out[1:], "duration": durations, "loop": loop or 0}
        out[0].save(buffer, "WEBP", quality=request.quality, method=2, **(extra if len(out) > 1 else {}))
    else:
        paletted = [_to_palette(frame) for frame in out]
        extra = {"loop": loop} if loop is not None else {}
        paletted[0].save(
            buffer,
            "GIF",
            save_all=len(paletted) > 1,
            append_images=paletted[1:],
            duration=durations if len(paletted) > 1 else durations[0],
            disposal=1,
            optimize=False,
            **extra,
        )
    return Rendered(buffer.getvalue(), FORMATS[fmt], width, height, len(out), tuple(durations), loop)


def _to_palette(frame: Image.Image) -> Image.Image:
    """One adaptive palette per frame (fast octree); transparent pixels become palette index 255."""
    if frame.mode == "RGBA":
        alpha = frame.getchannel("A")
        p = frame.convert("RGB").quantize(255, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        mask = alpha.point(lambda a: 255 if a < 128 else 0)
        p.paste(255, mask=mask)
        p.info["transparency"] = 255
        return p
    return frame.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


# --- fitting a template to the budget (once, at upload) --------------------------------------------


@dataclass(frozen=True)
class FittedTemplate:
    """A template image that fits ``MAX_DECODED_BYTES``, and its dimensions."""

    data: bytes
    width: int
    height: int
    frames: int
    scaled_from: tuple[int, int] | None = None  # the uploaded size, when it was scaled down


def template_fit_budget(data: bytes) -> FittedTemplate:
    """`data` itself when all its frames decoded fit ``MAX_DECODED_BYTES``; otherwise the image
    scaled down once so they do, re-encoded in its own format (an animation keeps every frame, its
    durations and loop count). Frames are decoded one at a time, so this holds one frame of the
    original and the scaled-down result. Raises ``RenderError`` (not an image, over the header
    limits) and ``RenderTooLarge`` when the image would have to become smaller than
    ``MIN_TEMPLATE_SIDE`` on its shorter side."""
    im = open_template(data)
    width, height = im.size
    frames = getattr(im, "n_frames", 1)
    need = decoded_bytes(width, height, frames)
    if need <= MAX_DECODED_BYTES:
        return FittedTemplate(data, width, height, frames)
    scale = math.sqrt(MAX_DECODED_BYTES / need)
    new_w, new_h = max(1, math.floor(width * scale)), max(1, math.floor(height * scale))
    if min(new_w, new_h) < MIN_TEMPLATE_SIDE:
        what = f"{frames} frames of {width}×{height}" if frames > 1 else f"{width}×{height} pixels"
        raise RenderTooLarge(
            f"This image is too large for a template: {what} take {_megabytes(need)} decoded, and "
            f"scaled down to the {_megabytes(MAX_DECODED_BYTES)} a render may use it would be "
            f"{new_w}×{new_h}, under {MIN_TEMPLATE_SIDE} px a side. Use fewer or smaller frames."
        )
    fmt = im.format
    if fmt == "JPEG":
        im.draft("RGB", (new_w, new_h))  # decode at 1/2, 1/4 or 1/8 scale when that is enough
    out: list[Image.Image] = []
    durations: list[int] = []
    transparent = False
    try:
        for index in range(frames):
            im.seek(index)
            durations.append(int(im.info.get("duration", 100) or 0))
            frame = _rgb(im).resize((new_w, new_h), Image.Resampling.BILINEAR, reducing_gap=2.0)
            transparent = transparent or frame.mode == "RGBA"
            # A GIF's frames are paletted at once: one byte a pixel kept instead of four.
            out.append(_to_palette(frame) if fmt == "GIF" else frame)
    except EOFError as exc:
        raise RenderError("The animation could not be decoded.") from exc
    loop = im.info.get("loop")
    if transparent and fmt != "GIF":
        out = [frame if frame.mode == "RGBA" else frame.convert("RGBA") for frame in out]
    animation = {"save_all": True, "append_images": out[1:], "duration": durations} if frames > 1 else {}
    buffer = io.BytesIO()
    if fmt == "GIF":
        extra = {"loop": loop} if loop is not None else {}
        # Every frame is a whole picture; with transparency the previous one must be cleared first.
        out[0].save(buffer, "GIF", disposal=2 if transparent else 1, optimize=False, **extra, **animation)
    elif fmt == "WEBP":
        extra = {"loop": loop or 0, **animation} if frames > 1 else {}
        out[0].save(buffer, "WEBP", quality=90, method=4, **extra)
    elif fmt == "PNG":
        extra = {"loop": loop or 0, **animation} if frames > 1 else {}
        out[0].save(buffer, "PNG", compress_level=6, **extra)
    else:
        out[0].convert("RGB").save(buffer, "JPEG", quality=90)
    return FittedTemplate(buffer.getvalue(), new_w, new_h, frames, scaled_from=(width, height))
