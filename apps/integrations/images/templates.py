"""Template graphics drawn with Pillow from a brand's colours, logo and copy: three layouts for each
size (and a "photo" one over a generated background), text fitted to its box in a font chosen by
script, and every piece of text at least 4.5:1 against what is behind it (WCAG 2.x).

Arabic and Hebrew are shaped and laid out right to left by libraqm when Pillow has it
(`HAS_RAQM`; Pillow's wheels bundle raqm and load FriBiDi from the system, Debian's libfribidi0).
Without raqm, Pillow's basic layout draws Arabic letters unjoined and in logical order, which reads
wrongly, so a warning is logged once; Latin, Cyrillic, Greek, Devanagari without conjuncts and CJK
still render.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps, features

from .base import KIND_LABELS, Graphic, GraphicGenerator, GraphicSpec

logger = logging.getLogger(__name__)

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
HAS_RAQM = features.check("raqm")
LAYOUT_ENGINE = ImageFont.Layout.RAQM if HAS_RAQM else ImageFont.Layout.BASIC
MIN_CONTRAST = 4.5  # WCAG 2.x AA for normal text

RGB = tuple[int, int, int]
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
INK: RGB = (17, 24, 39)  # near-black for text on light backgrounds
SLATE: RGB = (71, 85, 105)  # secondary text on white (7.6:1)
ELLIPSIS = "…"

# --- colour and contrast ------------------------------------------------------------------------

_HEX6 = re.compile(r"[0-9a-fA-F]{6}")


def parse_color(value: str | Sequence[int]) -> RGB:
    """(r, g, b) from "#RRGGBB", "#RGB" (with or without "#") or a tuple."""
    if not isinstance(value, str):
        r, g, b = (int(v) for v in tuple(value)[:3])
        return r, g, b
    text = value.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if not _HEX6.fullmatch(text):
        raise ValueError(f"not a hex colour: {value!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def to_hex(color: str | Sequence[int]) -> str:
    r, g, b = parse_color(color)
    return f"#{r:02X}{g:02X}{b:02X}"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str | Sequence[int]) -> float:
    """WCAG 2.x relative luminance, 0 (black) to 1 (white)."""
    r, g, b = parse_color(color)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(fg: str | Sequence[int], bg: str | Sequence[int]) -> float:
    """WCAG 2.x contrast ratio, 1 to 21 (black on white)."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def mix(a: Sequence[int], b: Sequence[int], t: float) -> RGB:
    """`t` of the way from colour a to colour b."""
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a[:3], b[:3], strict=True))
    return r, g, bl


def _worst_contrast(fg: RGB, backgrounds: list[RGB]) -> float:
    return min(contrast_ratio(fg, bg) for bg in backgrounds)


def readable_color(fg, *backgrounds, minimum: float = MIN_CONTRAST) -> RGB:
    """`fg` if it reaches `minimum` against every background, else `fg` moved the least way toward
    black or white that does (a yellow on white becomes a dark olive, not black)."""
    color, bgs = parse_color(fg), [parse_color(bg) for bg in backgrounds]
    if _worst_contrast(color, bgs) >= minimum:
        return color
    best: tuple[float, RGB] | None = None
    for target in (BLACK, WHITE):
        if _worst_contrast(target, bgs) < minimum:
            continue
        # Contrast fails along the way until the colour has crossed the background's luminance, then
        # rises steadily: "passes" is monotonic in t, so a bisection finds the smallest step.
        low, high = 0.0, 1.0
        for _ in range(18):
            middle = (low + high) / 2
            if _worst_contrast(mix(color, target, middle), bgs) >= minimum:
                high = middle
            else:
                low = middle
        candidate = mix(color, target, high)
        while _worst_contrast(candidate, bgs) < minimum and high < 1.0:  # rounding to whole values
            high = min(high + 0.005, 1.0)
            candidate = mix(color, target, high)
        if best is None or high < best[0]:
            best = (high, candidate)
    if best is None:  # no colour passes against all these backgrounds at once: the better extreme
        return max((BLACK, WHITE), key=lambda c: _worst_contrast(c, bgs))
    return best[1]


def text_color_on(*backgrounds, light: RGB = WHITE, dark: RGB = INK, minimum: float = MIN_CONTRAST) -> RGB:
    """White text where it is readable (brands look best in it), else ink, else whichever is adjusted."""
    bgs = [parse_color(bg) for bg in backgrounds]
    for candidate in (light, dark):
        if _worst_contrast(candidate, bgs) >= minimum:
            return candidate
    return readable_color(dark, *bgs, minimum=minimum)


# --- scripts and fonts --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptFonts:
    """The font files for one script and how to lay them out."""

    script: str
    regular: str  # body copy
    label: str  # brand name, footer, slide counter
    headline: str
    language: str | None = None  # OpenType language for raqm (locl forms, e.g. Japanese kanji)
    rtl: bool = False
    leading: float = 1.0  # line spacing relative to Latin's
    top: float = 0.74  # ink above the baseline, as a share of the font size (line one's top)
    bottom: float = 0.22  # ink below the baseline on the last line

    def file(self, role: str) -> str:
        return {"headline": self.headline, "body": self.regular, "label": self.label}[role]


SCRIPT_FONTS: dict[str, ScriptFonts] = {
    # Inter covers Latin (with Vietnamese), Greek and Cyrillic.
    "latin": ScriptFonts("latin", "Inter-Regular.otf", "Inter-SemiBold.otf", "InterDisplay-Bold.otf"),
    # The Noto fonts below have a Latin subset of Noto Sans merged in (see fonts/README.md), so a
    # brand name or figures inside Arabic, Hindi, Hebrew or Thai copy are not empty boxes.
    "arabic": ScriptFonts(
        "arabic",
        "NotoSansArabicLatin-Regular.ttf",
        "NotoSansArabicLatin-Bold.ttf",
        "NotoSansArabicLatin-Bold.ttf",
        language="ar",
        rtl=True,
        leading=1.32,
        top=0.95,
        bottom=0.5,
    ),
    "hebrew": ScriptFonts(
        "hebrew",
        "NotoSansHebrewLatin-Regular.ttf",
        "NotoSansHebrewLatin-Bold.ttf",
        "NotoSansHebrewLatin-Bold.ttf",
        language="he",
        rtl=True,
        leading=1.08,
        bottom=0.25,
    ),
    "devanagari": ScriptFonts(
        "devanagari",
        "NotoSansDevanagariLatin-Regular.ttf",
        "NotoSansDevanagariLatin-Bold.ttf",
        "NotoSansDevanagariLatin-Bold.ttf",
        language="hi",
        leading=1.3,
        top=0.92,
        bottom=0.36,
    ),
    "thai": ScriptFonts(
        "thai",
        "NotoSansThaiLatin-Regular.ttf",
        "NotoSansThaiLatin-Bold.ttf",
        "NotoSansThaiLatin-Bold.ttf",
        language="th",
        leading=1.3,
        top=0.92,
        bottom=0.36,
    ),
    # A subset of Noto Sans CJK SC: Simplified and common Traditional Chinese, Japanese, Korean.
    "cjk": ScriptFonts(
        "cjk",
        "NotoSansCJKsc-Regular-subset.otf",
        "NotoSansCJKsc-Bold-subset.otf",
        "NotoSansCJKsc-Bold-subset.otf",
        language="zh-Hans",
        leading=1.16,
        top=0.86,
        bottom=0.16,
    ),
}
_SCRIPT_OF_NAME = {
    "ARABIC": "arabic",
    "HEBREW": "hebrew",
    "DEVANAGARI": "devanagari",
    "THAI": "thai",
    "CJK": "cjk",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "HANGUL": "ko",
    "BOPOMOFO": "cjk",
}
_raqm_warned = False


def text_script(text: str) -> str:
    """The script most of the text's non-Latin letters are in ("latin" when there are none), read
    from the Unicode character names: "arabic", "hebrew", "devanagari", "thai" or "cjk"."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ord(ch) < 0x0370 or unicodedata.category(ch)[0] not in "LM":
            continue  # Latin letters, digits, spaces and punctuation fit every font
        script = _SCRIPT_OF_NAME.get(unicodedata.name(ch, "").split(" ", 1)[0])
        if script:
            counts["cjk" if script in ("ja", "ko") else script] += 1
    return counts.most_common(1)[0][0] if counts else "latin"


def script_fonts_for(text: str) -> ScriptFonts:
    """The fonts for `text`, with the OpenType language set for Japanese and Korean."""
    fonts = SCRIPT_FONTS[text_script(text)]
    if fonts.script == "cjk":
        names = {unicodedata.name(ch, "").split(" ", 1)[0] for ch in text if ord(ch) >= 0x3000}
        if names & {"HIRAGANA", "KATAKANA"}:
            fonts = replace(fonts, language="ja")
        elif "HANGUL" in names:
            fonts = replace(fonts, language="ko")
    global _raqm_warned
    if fonts.rtl and not HAS_RAQM and not _raqm_warned:
        _raqm_warned = True
        logger.warning("Pillow has no raqm (install libfribidi0): right-to-left text will not be shaped")
    return fonts


def font_file_for(text: str, role: str = "headline") -> Path:
    """The font file `text` is drawn in for `role` ("headline", "body" or "label")."""
    return FONTS_DIR / script_fonts_for(text).file(role)


@lru_cache(maxsize=384)
def load_font(filename: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS_DIR / filename), size, layout_engine=LAYOUT_ENGINE)


def shaping(fonts: ScriptFonts) -> dict:
    """Keyword arguments for Pillow's text calls: direction and language (raqm only)."""
    if not HAS_RAQM:
        return {}
    options = {"direction": "rtl" if fonts.rtl else "ltr"}
    if fonts.language:
        options["language"] = fonts.language
    return options


# Emoji and pictographs are in none of the bundled fonts: they are left out rather than drawn as boxes.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U0001fc00-\U0001ffff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\U000e0020-\U000e007f]"
    "(?:[\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff]|\u200d[\U0001f000-\U0001faff\u2600-\u27bf\u2640\u2642])*"
    "[\ufe0e\ufe0f]?"
)


def clean_text(text: str) -> str:
    """NFC, emoji and control characters out, whitespace collapsed."""
    text = _EMOJI.sub("", unicodedata.normalize("NFC", text or ""))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\n\t")
    return re.sub(r"\s+", " ", text).strip()


# --- line breaking and fitting --------------------------------------------------------------------

# Characters a CJK line may not start with, and ones it may not end with (simple kinsoku).
_NO_LINE_START = set(
    "、。，．・：；？！）］｝〕〉》」』】〙〗〟’”｠»%‰,.!?:;)]}…ーヽヾゝゞ々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
_NO_LINE_END = set("（［｛〔〈《「『【〘〖〝‘“｟«([{")


def _is_cjk_breakable(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x30FF
        or 0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFF60
        or cp >= 0x20000
    )


def _segments(text: str) -> list[str]:
    """Pieces a line may break after: words with their trailing space, and single ideographs or
    kana (Chinese and Japanese break between characters; Korean between words)."""
    pieces: list[str] = []
    for word in re.findall(r"\S+\s*", text):
        if not any(_is_cjk_breakable(ch) for ch in word):
            pieces.append(word)
            continue
        buffer = ""
        for ch in word:
            if _is_cjk_breakable(ch) or ch.isspace():
                if buffer and not buffer.isspace() and ch not in _NO_LINE_START and not ch.isspace():
                    pieces.append(buffer)
                    buffer = ""
                buffer += ch
            else:
                if buffer and _is_cjk_breakable(buffer[-1]) and buffer[-1] not in _NO_LINE_END:
                    pieces.append(buffer)
                    buffer = ""
                buffer += ch
        if buffer:
            pieces.append(buffer)
    merged: list[str] = []
    for piece in pieces:
        if merged and (piece[0] in _NO_LINE_START or merged[-1].rstrip()[-1:] in _NO_LINE_END):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


def _graphemes(word: str) -> list[str]:
    """Approximate grapheme clusters: a character with its combining marks, joiners and, after a
    virama, the consonant it joins (so a word broken by force never splits a conjunct)."""
    clusters: list[str] = []
    for ch in word:
        joins = clusters and (
            unicodedata.category(ch).startswith("M")
            or ch in "\u200c\u200d"
            or clusters[-1][-1] in "\u200d\u094d\u0e3a"
        )
        if joins:
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


HYPHEN = "-"
# Scripts written without spaces between words: with no dictionary to find the words, a line
# breaks between any two grapheme clusters, and that is not a split word.
_UNSPACED_SCRIPTS = {"thai"}


def wrap_text(
    text: str, font: ImageFont.FreeTypeFont, width: float, options: dict | None = None
) -> list[str]:
    """Greedy word wrap to `width` pixels; a word wider than the line is broken (see `_wrap`)."""
    return _wrap(text, font, width, options or {})[0]


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float, options: dict) -> tuple[list[str], bool]:
    """Greedy word wrap to `width` pixels, and whether a word had to be split. A word wider than
    the line is broken between graphemes, with a hyphen in scripts that hyphenate; callers choose
    a font size at which that does not happen (see `fit_text`)."""

    def fits(candidate: str) -> bool:
        return font.getlength(candidate.rstrip(), **options) <= width

    lines: list[str] = []
    current = ""
    split = False
    for piece in _segments(text):
        if fits(current + piece):
            current += piece
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = ""
        if fits(piece):
            current = piece
            continue
        script = text_script(piece)
        split = split or script not in _UNSPACED_SCRIPTS
        hyphen = HYPHEN if script == "latin" else ""  # Inter's Latin, Greek and Cyrillic hyphenate
        for cluster in _graphemes(piece):
            if not current or cluster.isspace() or fits(current + cluster + hyphen):
                current += cluster
            else:
                lines.append(current.rstrip() + hyphen)
                current = cluster
    if current.strip():
        lines.append(current.rstrip())
    return lines, split


@dataclass
class TextBlock:
    """Lines of text fitted to a box, ready to draw."""

    lines: list[str]
    fonts: ScriptFonts
    font: ImageFont.FreeTypeFont
    size: int
    pitch: int  # baseline to baseline
    truncated: bool = False
    split_word: bool = False  # a word wider than the box at this size was broken with a hyphen

    @property
    def top(self) -> int:
        return round(self.fonts.top * self.size)

    @property
    def height(self) -> int:
        if not self.lines:
            return 0
        return self.top + (len(self.lines) - 1) * self.pitch + round(self.fonts.bottom * self.size)

    @property
    def width(self) -> int:
        options = shaping(self.fonts)
        return max((round(self.font.getlength(line, **options)) for line in self.lines), default=0)

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def draw(self, draw: ImageDraw.ImageDraw, x: int, y: int, width: int, fill, align: str = "start") -> None:
        """Draw with the first line's ink top at `y`. `align`: "start" (left, or right for
        right-to-left scripts), "center" or "end"."""
        options = shaping(self.fonts)
        if align == "center":
            anchor, ax = "ms", x + width / 2
        elif (align == "start") != self.fonts.rtl:
            anchor, ax = "ls", x
        else:
            anchor, ax = "rs", x + width
        for i, line in enumerate(self.lines):
            draw.text(
                (ax, y + self.top + i * self.pitch), line, font=self.font, fill=fill, anchor=anchor, **options
            )


def fit_text(
    text: str,
    *,
    role: str,
    width: int,
    height: int,
    max_size: int,
    min_size: int,
    max_lines: int,
    leading: float = 1.1,
    balance: bool = False,
) -> TextBlock:
    """The largest size from `max_size` down to `min_size` at which the text fits the box in at
    most `max_lines` lines, breaking only between words. A word is split (with a hyphen) only when
    it alone is wider than the box at `min_size`; at `min_size` what does not fit ends in an ellipsis."""
    text = clean_text(text)
    fonts = script_fonts_for(text)
    filename, options = fonts.file(role), shaping(fonts)

    def attempt(size: int) -> TextBlock:
        font = load_font(filename, size)
        lines, split = _wrap(text, font, width, options)
        return TextBlock(lines, fonts, font, size, round(size * leading * fonts.leading), split_word=split)

    def fits(block: TextBlock) -> bool:
        return len(block.lines) <= max_lines and block.height <= height

    def fits_whole_words(block: TextBlock) -> bool:
        return not block.split_word and fits(block)

    if not text:
        return TextBlock([], fonts, load_font(filename, min_size), min_size, min_size)
    # Sizes that fit form a prefix of the small ones (a smaller font never splits a word that a
    # larger one kept whole, nor needs more lines): bisect for the largest.
    low, high, best = min_size, max_size, None
    while low <= high:
        size = (low + high) // 2
        block = attempt(size)
        if fits_whole_words(block):
            best, low = block, size + 1
        else:
            high = size - 1
    if best is None:
        # Too long for the box, or a word too wide for it even at the smallest size.
        smallest = attempt(min_size)
        return smallest if fits(smallest) else _truncate(smallest, width, height, max_lines)
    if balance and len(best.lines) > 1 and _has_orphan(best):
        # A lone short word on the last line: up to 12 % smaller may give a better shape.
        for size in range(best.size - 1, max(min_size, int(best.size * 0.88)) - 1, -1):
            block = attempt(size)
            if fits_whole_words(block) and not _has_orphan(block):
                best = block
                break
    if balance and len(best.lines) > 1:
        best = _balance(best, text, width, options)
    return best


def _has_orphan(block: TextBlock) -> bool:
    options = shaping(block.fonts)
    widths = [block.font.getlength(line, **options) for line in block.lines]
    return widths[-1] < 0.34 * max(widths)


def _truncate(block: TextBlock, width: int, height: int, max_lines: int) -> TextBlock:
    room = 1 + max(0, (height - block.top - round(block.fonts.bottom * block.size)) // max(block.pitch, 1))
    keep = max(1, min(max_lines, room))
    lines = block.lines[:keep]
    options = shaping(block.fonts)
    last = lines[-1]
    while last and block.font.getlength(last + ELLIPSIS, **options) > width:
        words = last.rsplit(" ", 1)
        last = words[0] if len(words) == 2 and words[0] else "".join(_graphemes(last)[:-1])
    lines[-1] = last.rstrip(" ,.;:-–—") + ELLIPSIS
    return replace(block, lines=lines, truncated=True)


def _balance(block: TextBlock, text: str, width: int, options: dict) -> TextBlock:
    """The same number of lines at the narrowest width that keeps it with every word whole (CSS
    text-wrap: balance). A narrower measure that only keeps the count by splitting a word ("Christma
    / s Markets") is not a balance."""
    count, low, high = len(block.lines), width // 2, width
    best = block.lines
    while high - low > 4:
        middle = (low + high) // 2
        lines, split = _wrap(text, block.font, middle, options)
        if len(lines) <= count and not split:
            best, high = lines, middle
        else:
            low = middle
    return replace(block, lines=best)


# --- drawing helpers ----------------------------------------------------------------------------

SUPERSAMPLE = 3  # shapes are drawn 3× and reduced, for smooth edges


def _paint_shape(
    canvas: Image.Image,
    box,
    fill,
    *,
    shape: str = "ellipse",
    radius: int = 0,
    outline: int = 0,
    opacity: float = 1.0,
) -> None:
    x0, y0, x1, y1 = (round(v) for v in box)
    w, h = max(x1 - x0, 1), max(y1 - y0, 1)
    s = SUPERSAMPLE
    mask = Image.new("L", (w * s, h * s), 0)
    draw = ImageDraw.Draw(mask)
    full = (0, 0, w * s - 1, h * s - 1)
    if shape == "rect":
        draw.rectangle(full, fill=255)
    elif shape == "ellipse":
        draw.ellipse(full, fill=None if outline else 255, outline=255 if outline else None, width=outline * s)
    else:
        draw.rounded_rectangle(
            full,
            radius=radius * s,
            fill=None if outline else 255,
            outline=255 if outline else None,
            width=outline * s,
        )
    mask = mask.reduce(s)
    if opacity < 1:
        mask = mask.point(lambda v: round(v * opacity))
    canvas.paste(parse_color(fill), (x0, y0, x0 + w, y0 + h), mask)


def _rect(canvas: Image.Image, box, fill) -> None:
    ImageDraw.Draw(canvas).rectangle([round(v) for v in box], fill=parse_color(fill))


def _logo_digest(logo) -> str:
    if isinstance(logo, bytes):
        return hashlib.sha256(logo).hexdigest()
    path = Path(logo)
    return f"{path.resolve()}:{path.stat().st_mtime_ns}"


@lru_cache(maxsize=8)  # a carousel draws the same logo on every slide
def _load_logo(digest: str, logo) -> Image.Image | None:
    try:
        with Image.open(io.BytesIO(logo) if isinstance(logo, bytes) else logo) as source:
            if source.width * source.height > 25_000_000:
                raise ValueError(f"{source.width}×{source.height} is too large for a logo")
            image = ImageOps.exif_transpose(source).convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        logger.warning("logo could not be read (%s); drawing the brand's initial instead", exc)
        return None
    box = image.getchannel("A").getbbox()
    if box is None:
        return None  # fully transparent
    image = image.crop(box)
    image.thumbnail((1200, 1200), Image.Resampling.LANCZOS)
    return image


def load_logo(logo) -> Image.Image | None:
    """The logo as RGBA with transparent margins cropped, or None when absent or unreadable."""
    if logo is None or logo == b"" or logo == "":
        return None
    try:
        digest = _logo_digest(logo)
    except OSError as exc:
        logger.warning("logo %s could not be read (%s)", logo, exc)
        return None
    return _load_logo(digest, logo if isinstance(logo, bytes) else str(logo))


def _logo_color(logo: Image.Image) -> tuple[RGB, bool]:
    """The logo's average visible colour, and whether it has transparent parts."""
    small = logo.copy()
    small.thumbnail((48, 48))
    alpha = small.getchannel("A")
    opaque = [
        p[:3] for p, a in zip(small.get_flattened_data(), alpha.get_flattened_data(), strict=True) if a > 128
    ]
    if not opaque:
        return WHITE, True
    n = len(opaque)
    average = tuple(round(sum(p[i] for p in opaque) / n) for i in range(3))
    return (average[0], average[1], average[2]), alpha.getextrema()[0] < 250


def _fit_logo(logo: Image.Image, max_w: int, max_h: int) -> Image.Image:
    scale = min(max_w / logo.width, max_h / logo.height)
    size = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
    return logo.resize(size, Image.Resampling.LANCZOS)


def _rounded_corners(image: Image.Image, radius: int) -> Image.Image:
    s = SUPERSAMPLE
    mask = Image.new("L", (image.width * s, image.height * s), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, mask.width - 1, mask.height - 1), radius=radius * s, fill=255
    )
    image = image.copy()
    image.putalpha(ImageChops.multiply(image.getchannel("A"), mask.reduce(s)))
    return image


def place_logo(
    canvas: Image.Image, logo: Image.Image, box, background, *, align: str = "start"
) -> tuple[int, int, int, int]:
    """Scale the logo into `box` (x, y, w, h) keeping its alpha. A transparent logo that would vanish
    against `background` sits on a rounded chip; an opaque (rectangular) one gets rounded corners.
    Returns the box it took."""
    x, y, w, h = box
    color, transparent = _logo_color(logo)
    bg = parse_color(background)
    chip = transparent and contrast_ratio(color, bg) < 1.8
    pad = round(h * 0.16) if chip else 0
    scaled = _fit_logo(logo, w - 2 * pad, h - 2 * pad)
    if not transparent:
        scaled = _rounded_corners(scaled, max(2, round(min(scaled.size) * 0.12)))
    outer_w, outer_h = scaled.width + 2 * pad, scaled.height + 2 * pad
    left = x if align == "start" else x + (w - outer_w) // 2
    top = y + (h - outer_h) // 2
    if chip:
        chip_color = max((WHITE, INK), key=lambda c: contrast_ratio(c, color))
        _paint_shape(
            canvas,
            (left, top, left + outer_w, top + outer_h),
            chip_color,
            shape="rounded",
            radius=round(outer_h * 0.22),
        )
    canvas.alpha_composite(scaled, (left + pad, top + pad))
    return left, top, outer_w, outer_h


def _monogram(
    canvas: Image.Image, spec: GraphicSpec, box, background, *, align: str = "start"
) -> tuple[int, int, int, int]:
    """No logo: the brand's initial in a disc of the text colour (so the pair keeps its contrast)."""
    x, y, w, h = box
    d = min(w, h)
    left = x if align == "start" else x + (w - d) // 2
    top = y + (h - d) // 2
    disc = text_color_on(background)
    _paint_shape(canvas, (left, top, left + d, top + d), disc)
    initial = clean_text(spec.brand_name)[:1].upper() or "•"
    fonts = script_fonts_for(initial)
    font = load_font(fonts.headline, round(d * 0.5))
    ImageDraw.Draw(canvas).text(
        (left + d / 2, top + d / 2),
        initial,
        font=font,
        fill=readable_color(background, disc),
        anchor="mm",
        **shaping(fonts),
    )
    return left, top, d, d


def _brand_mark(canvas, spec, logo, box, background, *, align="start"):
    if logo is not None:
        return place_logo(canvas, logo, box, background, align=align)
    return _monogram(canvas, spec, box, background, align=align)


def _label(canvas, text: str, x: int, y: int, size: int, fill, *, max_width: int, anchor: str = "lm") -> int:
    """One line of label text (brand name, footer) shrunk or cut to `max_width`; returns its width."""
    text = clean_text(text)
    if not text:
        return 0
    block = fit_text(
        text,
        role="label",
        width=max_width,
        height=size * 3,
        max_size=size,
        min_size=max(12, round(size * 0.75)),
        max_lines=1,
    )
    if not block.lines:
        return 0
    options = shaping(block.fonts)
    line = block.lines[0]
    ImageDraw.Draw(canvas).text((x, y), line, font=block.font, fill=fill, anchor=anchor, **options)
    return round(block.font.getlength(line, **options))


def _counter(canvas, spec: GraphicSpec, right: int, cy: int, size: int, color, *, arrow: bool = True) -> None:
    """ "n / total" for a carousel slide, right-aligned at `right`, with a → when more slides follow."""
    if not spec.is_carousel:
        return
    font = load_font(SCRIPT_FONTS["latin"].label, size)
    draw = ImageDraw.Draw(canvas)
    if arrow and spec.slide_index < spec.slide_total:
        d = round(size * 1.9)
        _paint_shape(
            canvas, (right - d, cy - d / 2, right, cy + d / 2), color, outline=max(2, round(size / 12))
        )
        draw.text((right - d / 2, cy), "→", font=font, fill=color, anchor="mm")
        right -= d + round(size * 0.6)
    draw.text((right, cy), f"{spec.slide_index} / {spec.slide_total}", font=font, fill=color, anchor="rm")


# --- layouts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    margin: int
    top: int  # y of the top row (stories keep clear of the app's own header)
    bottom: int  # distance from the bottom edge to the footer's centre line
    mark: int  # logo height
    label: int  # brand name, footer and counter size
    headline: tuple[int, int, int]  # max size, min size, max lines
    body: tuple[int, int, int]
    gap: int


METRICS = {
    "post_card": Metrics(
        margin=72, top=60, bottom=64, mark=56, label=24, headline=(78, 34, 4), body=(30, 21, 3), gap=24
    ),
    "story": Metrics(
        margin=96, top=180, bottom=240, mark=96, label=38, headline=(124, 56, 7), body=(50, 32, 6), gap=48
    ),
    "carousel_slide": Metrics(
        margin=88, top=84, bottom=92, mark=72, label=30, headline=(104, 44, 6), body=(42, 28, 6), gap=36
    ),
}


@dataclass
class Palette:
    background: RGB
    headline: RGB
    body: RGB
    label: RGB
    accent: RGB


def _copy_block(
    spec: GraphicSpec, m: Metrics, width: int, height: int
) -> tuple[TextBlock, TextBlock | None, int]:
    """Headline and body fitted into one column; the body gets what the headline leaves."""
    accent_h = round(m.gap * 0.9)  # the accent bar above the headline, with its gap
    body_text = clean_text(spec.body)
    room = height - accent_h
    head_room = round(room * (0.64 if body_text else 1.0))
    hmax, hmin, hlines = m.headline
    headline = fit_text(
        spec.headline,
        role="headline",
        width=width,
        height=head_room,
        max_size=hmax,
        min_size=hmin,
        max_lines=hlines,
        leading=1.08,
        balance=True,
    )
    body = None
    if body_text:
        bmax, bmin, blines = m.body
        bmax = min(bmax, max(bmin, round(headline.size * 0.5)))  # keep the hierarchy
        body = fit_text(
            body_text,
            role="body",
            width=width,
            height=max(room - headline.height - m.gap, bmin * 2),
            max_size=bmax,
            min_size=bmin,
            max_lines=blines,
            leading=1.38,
        )
    return headline, body, accent_h


def _draw_copy(
    canvas, spec, m: Metrics, box, palette: Palette, *, valign: str = "center", accent: bool = True
) -> tuple[int, int]:
    """Accent bar, headline and body in `box` (x, y, w, h). Returns the copy's top and bottom."""
    x, y, w, h = box
    headline, body, accent_h = _copy_block(spec, m, w, h)
    total = accent_h + headline.height + ((m.gap + body.height) if body and body.lines else 0)
    top = y + (h - total) // 2 if valign == "center" else (y + h - total if valign == "bottom" else y)
    top = max(top, y)
    rtl = headline.fonts.rtl
    draw = ImageDraw.Draw(canvas)
    if accent:
        bar_w, bar_h = round(m.margin * 1.1), max(6, round(m.gap * 0.3))
        left = x + w - bar_w if rtl else x
        _paint_shape(
            canvas, (left, top, left + bar_w, top + bar_h), palette.accent, shape="rounded", radius=bar_h // 2
        )
    cursor = top + accent_h
    headline.draw(draw, x, cursor, w, palette.headline)
    cursor += headline.height
    if body and body.lines:
        cursor += m.gap
        body.draw(draw, x, cursor, w, palette.body)
        cursor += body.height
    return top, cursor


def _top_row(
    canvas, spec, m: Metrics, logo, x: int, width: int, background, label_color, *, show_name: bool = True
) -> None:
    mark_box = (x, m.top, round(m.mark * 3.2), m.mark)
    _, _, mark_w, _ = _brand_mark(canvas, spec, logo, mark_box, background)
    if show_name and spec.brand_name and (logo is None or mark_w < m.mark * 1.6):
        # A wide logo is usually a wordmark that already says the name.
        name_x = x + mark_w + round(m.mark * 0.32)
        _label(
            canvas,
            spec.brand_name,
            name_x,
            m.top + m.mark // 2,
            m.label,
            label_color,
            max_width=x + width - name_x,
        )


def _footer(canvas, spec, m: Metrics, x: int, width: int, H: int, palette: Palette) -> None:
    cy = H - m.bottom
    if spec.footer:
        _label(canvas, spec.footer, x, cy, m.label, palette.label, max_width=round(width * 0.6))
    _counter(canvas, spec, x + width, cy, m.label, palette.label)


def layout_bold(canvas: Image.Image, spec: GraphicSpec, logo) -> None:
    """Full brand-colour background, a big headline, a secondary-colour shape away from the text."""
    W, H = canvas.size
    m = METRICS[spec.kind]
    primary, secondary = parse_color(spec.primary_color), parse_color(spec.secondary_color)
    text = text_color_on(primary)
    palette = Palette(
        primary,
        text,
        readable_color(mix(text, primary, 0.12), primary),
        text,
        _accent_on(secondary, primary, text),
    )
    _rect(canvas, (0, 0, W, H), primary)
    if spec.kind == "post_card":
        r = round(H * 0.55)
        cx, cy = round(W * 0.97), round(H * 1.08)
        _paint_shape(canvas, (cx - r, cy - r, cx + r, cy + r), secondary)
        r2 = round(r * 1.21)
        _paint_shape(canvas, (cx - r2, cy - r2, cx + r2, cy + r2), text, outline=3, opacity=0.22)
        copy_box = (
            m.margin,
            m.top + m.mark + m.gap,
            round(W * 0.64) - m.margin,
            H - m.bottom - m.top - m.mark - 2 * m.gap - m.label,
        )
    else:
        r = round(W * (0.22 if spec.kind == "carousel_slide" else 0.36))
        cx, cy = round(W * 1.0), round(m.top * 0.2)
        _paint_shape(canvas, (cx - r, cy - r, cx + r, cy + r), secondary)
        r2 = round(r * 1.3)
        _paint_shape(canvas, (cx - r2, cy - r2, cx + r2, cy + r2), text, outline=3, opacity=0.22)
        top = max(m.top + m.mark, cy + r2) + m.gap
        copy_box = (m.margin, top, W - 2 * m.margin, H - m.bottom - m.label - m.gap - top)
    _top_row(canvas, spec, m, logo, m.margin, round(W * 0.55), primary, text)
    _draw_copy(canvas, spec, m, copy_box, palette)
    _footer(canvas, spec, m, m.margin, W - 2 * m.margin, H, palette)


def layout_split(canvas: Image.Image, spec: GraphicSpec, logo) -> None:
    """A brand-colour band holding the logo, and a white panel with the copy."""
    W, H = canvas.size
    m = METRICS[spec.kind]
    primary, secondary = parse_color(spec.primary_color), parse_color(spec.secondary_color)
    paper = WHITE
    palette = Palette(paper, INK, SLATE, readable_color(primary, paper), primary)
    _rect(canvas, (0, 0, W, H), paper)
    stripe = max(8, round(m.gap * 0.4))
    if spec.kind == "post_card":
        band_w = round(W * 0.36)
        _rect(canvas, (0, 0, band_w, H), primary)
        _rect(canvas, (band_w - stripe, 0, band_w, H), secondary)
        mark = round(min(band_w * 0.5, H * 0.36))
        _badge(
            canvas, spec, logo, (band_w - stripe) // 2, H // 2, mark, primary, max_width=round(band_w * 0.8)
        )
        x = band_w + m.margin
        width = W - x - m.margin
        top = m.top
    else:
        band_h = round(H * (0.28 if spec.kind == "carousel_slide" else 0.33))
        _rect(canvas, (0, 0, W, band_h), primary)
        _rect(canvas, (0, band_h - stripe, W, band_h), secondary)
        mark = round(min(W * 0.3, band_h * 0.46))
        band_top = m.top if spec.kind == "story" else 0
        _badge(
            canvas,
            spec,
            logo,
            W // 2,
            band_top + (band_h - stripe - band_top) // 2,
            mark,
            primary,
            max_width=round(W * 0.6),
        )
        _counter(canvas, spec, W - m.margin, m.top + m.label, m.label, text_color_on(primary))
        x, width = m.margin, W - 2 * m.margin
        top = band_h + m.gap * 2
    name_cy = top + m.label // 2
    if spec.brand_name:
        _label(canvas, spec.brand_name, x, name_cy, m.label, palette.label, max_width=width)
    copy_top = name_cy + m.label + m.gap // 2
    copy_box = (x, copy_top, width, H - m.bottom - m.label - m.gap - copy_top)
    _draw_copy(canvas, spec, m, copy_box, palette, valign="center")
    if spec.kind == "post_card":
        _footer(canvas, spec, m, x, width, H, palette)
    elif spec.footer:
        _label(canvas, spec.footer, x, H - m.bottom, m.label, palette.label, max_width=width)


def _badge(canvas, spec, logo, cx: int, cy: int, d: int, background, *, max_width: int) -> None:
    """The logo (or initial) centred on the colour band: in a white disc, or on a white card when
    it is a wide wordmark that a disc would shrink to nothing."""
    if logo is None:
        _monogram(canvas, spec, (cx - d // 2, cy - d // 2, d, d), background, align="center")
        return
    color, transparent = _logo_color(logo)
    chip = WHITE if contrast_ratio(color, WHITE) >= 1.5 or not transparent else INK
    if logo.width / logo.height > 1.6:
        pad = round(d * 0.16)
        scaled = _fit_logo(logo, max_width - 2 * pad, round(d * 0.5))
        w, h = scaled.width + 2 * pad, scaled.height + 2 * pad
        box = (cx - w // 2, cy - h // 2, cx - w // 2 + w, cy - h // 2 + h)
        _paint_shape(canvas, box, chip, shape="rounded", radius=round(min(h, d) * 0.18))
    else:
        _paint_shape(canvas, (cx - d // 2, cy - d // 2, cx + d // 2, cy + d // 2), chip)
        inner = round(d * 0.62)
        scaled = _fit_logo(logo, inner, inner)
    if not transparent:
        scaled = _rounded_corners(scaled, max(2, round(min(scaled.size) * 0.12)))
    canvas.alpha_composite(scaled, (cx - scaled.width // 2, cy - scaled.height // 2))


def layout_minimal(canvas: Image.Image, spec: GraphicSpec, logo) -> None:
    """Near-white paper, a brand-colour edge and accent bar, ink type."""
    W, H = canvas.size
    m = METRICS[spec.kind]
    primary, secondary = parse_color(spec.primary_color), parse_color(spec.secondary_color)
    paper = mix(WHITE, primary, 0.035)
    palette = Palette(paper, INK, SLATE, readable_color(primary, paper), primary)
    _rect(canvas, (0, 0, W, H), paper)
    edge = max(10, round(m.margin * 0.16))
    _rect(canvas, (0, 0, edge, H), primary)
    x, width = m.margin + edge, W - 2 * m.margin - edge
    _top_row(canvas, spec, m, logo, x, width, paper, INK)
    if spec.is_carousel:
        _counter(canvas, spec, x + width, m.top + m.mark // 2, m.label, SLATE, arrow=False)
    rule_y = H - m.bottom - m.label - round(m.gap * 0.6)
    _rect(canvas, (x, rule_y, x + width, rule_y + 2), mix(secondary, paper, 0.25))
    copy_top = m.top + m.mark + m.gap * 2
    measure = min(width, round(W * 0.8))  # long lines are hard to read
    _draw_copy(canvas, spec, m, (x, copy_top, measure, rule_y - m.gap - copy_top), palette, valign="center")
    cy = H - m.bottom
    if spec.footer:
        _label(canvas, spec.footer, x, cy, m.label, palette.label, max_width=round(width * 0.6))
    if spec.is_carousel and spec.slide_index < spec.slide_total:
        font = load_font(SCRIPT_FONTS["latin"].label, m.label)
        ImageDraw.Draw(canvas).text((x + width, cy), "Swipe →", font=font, fill=SLATE, anchor="rm")


def _accent_on(accent: RGB, background: RGB, text: RGB) -> RGB:
    """The accent bar colour: the secondary colour when it stands out from the background, else the text's."""
    return accent if contrast_ratio(accent, background) >= 1.6 else text


# --- a generated background (Stability) with our type over it ----------------------------------


def _luminance_percentile(canvas: Image.Image, box, percentile: float = 0.95) -> RGB:
    """The colour at the given luminance percentile inside `box` (bright spots are what white text
    has to beat)."""
    region = canvas.crop(tuple(round(v) for v in box)).convert("RGB")
    region.thumbnail((64, 64), Image.Resampling.BOX)
    pixels = sorted(region.get_flattened_data(), key=relative_luminance)
    return pixels[min(len(pixels) - 1, int(len(pixels) * percentile))]


def _shade_until_readable(photo: Image.Image, mask_for, region, strengths) -> Image.Image | None:
    """The photo under the first of ever stronger black scrims (`mask_for(strength)` gives its alpha)
    that makes white text readable in `region`; None when even the strongest does not."""
    for strength in strengths:
        shaded = photo.copy()
        shade = Image.new("RGBA", photo.size, (*BLACK, 0))
        shade.putalpha(mask_for(strength))
        shaded.alpha_composite(shade)
        if contrast_ratio(WHITE, _luminance_percentile(shaded, region)) >= MIN_CONTRAST:
            return shaded
    return None


def layout_photo(canvas: Image.Image, spec: GraphicSpec, logo, background: Image.Image) -> None:
    """The image covers the canvas; dark scrims grow from the bottom (under the copy) and the top
    (under the brand) until white text there reaches 4.5:1 against its brightest spots."""
    W, H = canvas.size
    m = METRICS[spec.kind]
    primary, secondary = parse_color(spec.primary_color), parse_color(spec.secondary_color)
    photo = ImageOps.fit(background.convert("RGB"), (W, H), Image.Resampling.LANCZOS).convert("RGBA")
    x, width = m.margin, W - 2 * m.margin
    copy_h = round(H * (0.5 if spec.kind == "post_card" else 0.42))
    copy_box = (x, H - m.bottom - m.label - m.gap - copy_h, width, copy_h)
    headline, body, accent_h = _copy_block(spec, m, width, copy_h)
    copy_height = accent_h + headline.height + (m.gap + body.height if body and body.lines else 0)
    text_top = copy_box[1] + copy_h - copy_height
    gradient = Image.linear_gradient("L").resize((W, H))  # 0 at the top, 255 at the bottom

    top_full, top_end = (m.top + m.mark) / H, (m.top + m.mark * 2.2) / H
    top_region = (m.margin, m.top, round(W * 0.6), m.top + m.mark)

    def top_mask(strength: float) -> Image.Image:
        return gradient.point(
            lambda v: round(255 * strength * min(1.0, max(0.0, (top_end - v / 255) / (top_end - top_full))))
        )

    shaded = _shade_until_readable(photo, top_mask, top_region, (0.3, 0.45, 0.6, 0.75, 0.9))
    if shaded is None:
        shaded = photo
        _paint_shape(shaded, (0, 0, W, top_region[3] + m.gap), INK, shape="rect", opacity=0.9)
    photo = shaded

    fade_from = max(0.0, text_top / H - 0.18)
    fade_to = min(1.0, text_top / H + 0.05)

    def bottom_mask(strength: float) -> Image.Image:
        return gradient.point(
            lambda v: round(
                255 * strength * min(1.0, max(0.0, (v / 255 - fade_from) / (fade_to - fade_from)))
            )
        )

    copy_region = (x, text_top, x + width, H - m.bottom + m.label)
    shaded = _shade_until_readable(photo, bottom_mask, copy_region, (0.5, 0.6, 0.7, 0.8, 0.88, 0.95))
    if shaded is None:  # a very bright image: a near-solid panel behind the copy
        shaded = photo
        _paint_shape(shaded, (0, text_top - m.gap, W, H), mix(INK, primary, 0.15), shape="rect", opacity=0.96)
    canvas.paste(shaded, (0, 0))
    accent = secondary if contrast_ratio(secondary, INK) >= 2 else WHITE
    palette = Palette(BLACK, WHITE, WHITE, WHITE, accent)
    brand_bg = _luminance_percentile(canvas, top_region, 0.5)
    _top_row(canvas, spec, m, logo, m.margin, round(W * 0.6), brand_bg, WHITE)
    _draw_copy(canvas, spec, m, copy_box, palette, valign="bottom")
    _footer(canvas, spec, m, x, width, H, palette)


# --- rendering ------------------------------------------------------------------------------------

LAYOUT_FUNCTIONS = {"bold": layout_bold, "split": layout_split, "minimal": layout_minimal}


_SENTENCE_END = (".", "!", "?", "”", "…", "。", "！", "？", "؟", "।")


def alt_text(spec: GraphicSpec, limit: int = 420) -> str:
    """What the graphic shows, for screen readers: kind, brand, the headline and body as written."""
    intro = KIND_LABELS[spec.kind].capitalize()
    if clean_text(spec.brand_name):
        intro += f" for {clean_text(spec.brand_name)}"
    parts = [f"{intro}: “{clean_text(spec.headline)}”"]
    if clean_text(spec.body):
        parts.append(clean_text(spec.body))
    text = " ".join(p if p.endswith(_SENTENCE_END) else p + "." for p in parts)
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + ELLIPSIS
    if spec.is_carousel:
        text += f" Slide {spec.slide_index} of {spec.slide_total}."
    return text


def render_graphic(spec: GraphicSpec, *, background: Image.Image | None = None) -> Graphic:
    """Draw `spec` with its layout (or over `background`, the "photo" layout) as a PNG."""
    started = time.perf_counter()
    W, H = spec.size
    canvas = Image.new("RGBA", (W, H), (*WHITE, 255))
    logo = load_logo(spec.logo)
    if background is not None:
        layout_photo(canvas, spec, logo, background)
        layout = "photo"
    else:
        LAYOUT_FUNCTIONS[spec.layout](canvas, spec, logo)
        layout = spec.layout
    out = io.BytesIO()
    canvas.convert("RGB").save(out, format="PNG", compress_level=6)
    logger.debug(
        "graphic %s/%s rendered in %.0f ms", spec.kind, layout, (time.perf_counter() - started) * 1000
    )
    return Graphic(
        png=out.getvalue(),
        width=W,
        height=H,
        layout=layout,
        source="template",
        alt_text=alt_text(spec),
        kind=spec.kind,
    )


class TemplateGenerator(GraphicGenerator):
    """Graphics drawn locally with Pillow: no outside service, always configured."""

    name = "template"

    def generate(self, spec: GraphicSpec) -> Graphic:
        return render_graphic(spec)
