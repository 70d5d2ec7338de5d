"""Text layout for graphics and memes, drawn with Pillow: colour and contrast (every piece of text
at least 4.5:1 against what is behind it, WCAG 2.x), fonts chosen by script, emoji and control
characters cleaned out, line breaking (words, CJK characters with simple kinsoku, grapheme
clusters) and text fitted to a box. The post-graphic layouts (layouts.py) and the meme renderer
(apps.memes.render) both draw with it.

Arabic and Hebrew are shaped and laid out right to left by libraqm when Pillow has it
(`HAS_RAQM`; Pillow's wheels bundle raqm and load FriBiDi from the system, Debian's libfribidi0).
Without raqm, Pillow's basic layout draws Arabic letters unjoined and in logical order, which reads
wrongly, so a warning is logged once; Latin, Cyrillic, Greek, Devanagari without conjuncts and CJK
still render.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from PIL import ImageDraw, ImageFont, features

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
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U0001fc00-\U0001ffff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\U000e0020-\U000e007f]"
    "(?:[\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff]|\u200d[\U0001f000-\U0001faff\u2600-\u27bf\u2640\u2642])*"
    "[\ufe0e\ufe0f]?"
)


def clean_text(text: str) -> str:
    """NFC, emoji and control characters out, whitespace collapsed."""
    text = EMOJI.sub("", unicodedata.normalize("NFC", text or ""))
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


def line_segments(text: str) -> list[str]:
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


def graphemes(word: str) -> list[str]:
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
    for piece in line_segments(text):
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
        for cluster in graphemes(piece):
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
        last = words[0] if len(words) == 2 and words[0] else "".join(graphemes(last)[:-1])
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
