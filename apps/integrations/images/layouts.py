"""Template graphics drawn with Pillow from a brand's colours, logo and copy: three layouts for each
size (and a "photo" one over a generated background), the copy laid out by the public text module
(text.py: fonts by script, fitting, contrast), and the TemplateGenerator that renders them.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageOps

from .base import KIND_LABELS, Graphic, GraphicGenerator, GraphicSpec
from .text import (
    BLACK,
    ELLIPSIS,
    INK,
    MIN_CONTRAST,
    RGB,
    SCRIPT_FONTS,
    SLATE,
    WHITE,
    TextBlock,
    clean_text,
    contrast_ratio,
    fit_text,
    load_font,
    mix,
    parse_color,
    readable_color,
    relative_luminance,
    script_fonts_for,
    shaping,
    text_color_on,
)

logger = logging.getLogger(__name__)


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
