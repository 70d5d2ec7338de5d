"""Template graphics: sizes, layouts, contrast, text fitting, fonts for non-Latin scripts, logos,
storage of the variants, and the speed of one post card."""

from __future__ import annotations

import io
import time
from collections import Counter

import pytest
from PIL import Image, ImageDraw

from apps.integrations.images import layouts
from apps.integrations.images import text as text_layout
from apps.integrations.images.base import LAYOUTS, SIZES, GraphicSpec, graphic_generate
from apps.integrations.images.layouts import render_graphic
from apps.integrations.images.storage import graphic_delete, graphic_store
from apps.integrations.images.text import (
    ELLIPSIS,
    contrast_ratio,
    fit_text,
    font_file_for,
    load_font,
    readable_color,
    text_color_on,
    text_script,
)

HEADLINE = "Open banking payments pass 30 million a month in the UK"
BODY = "What it means for merchants: lower fees, instant settlement and fewer chargebacks."


def spec(**changes) -> GraphicSpec:
    fields = {
        "headline": HEADLINE,
        "body": BODY,
        "brand_name": "Northwind Pay",
        "primary_color": "#4F46E5",
        "secondary_color": "#0EA5E9",
        "footer": "@northwindpay",
    }
    fields.update(changes)
    return GraphicSpec(**fields)


def png_logo(color=(220, 38, 38), size=(400, 400)) -> bytes:
    """A red disc on a transparent square."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((40, 40, size[0] - 40, size[1] - 40), fill=(*color, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


# --- sizes and layouts ----------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", SIZES)
def test_every_kind_and_layout_renders_at_its_size(kind, layout):
    extra = {"slide_index": 2, "slide_total": 5} if kind == "carousel_slide" else {}
    graphic = render_graphic(spec(kind=kind, layout=layout, logo=png_logo(), **extra))

    image = open_png(graphic.png)
    assert image.size == SIZES[kind] == (graphic.width, graphic.height)
    assert (graphic.layout, graphic.source, graphic.kind) == (layout, "template", kind)
    assert HEADLINE in graphic.alt_text
    assert len(image.convert("RGB").getcolors(1_000_000)) > 50  # type and shapes, not a blank fill


def test_sizes_are_the_platform_shapes():
    assert SIZES == {"post_card": (1200, 630), "story": (1080, 1920), "carousel_slide": (1080, 1080)}


def test_carousel_slides_say_which_slide_they_are():
    graphic = render_graphic(spec(kind="carousel_slide", layout="bold", slide_index=3, slide_total=7))
    assert graphic.alt_text.endswith("Slide 3 of 7.")


def test_carousel_counter_is_drawn_as_n_of_total(monkeypatch):
    drawn = record_text(monkeypatch)
    render_graphic(spec(kind="carousel_slide", layout="minimal", slide_index=2, slide_total=5))
    assert "2 / 5" in [text for text, *_ in drawn]


def test_a_spec_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError, match="kind"):
        spec(kind="banner")
    with pytest.raises(ValueError, match="layout"):
        spec(layout="fancy")
    with pytest.raises(ValueError, match="hex colour"):
        spec(primary_color="blue")
    with pytest.raises(ValueError, match="out of range"):
        spec(kind="carousel_slide", slide_index=6, slide_total=5)
    with pytest.raises(ValueError, match="headline"):
        spec(headline="   ", body="")


def test_a_slide_with_only_body_text_shows_it_as_the_headline():
    s = spec(kind="carousel_slide", headline="", body="Three takeaways", slide_index=2, slide_total=3)
    assert (s.headline, s.body) == ("Three takeaways", "")


def test_graphic_generate_uses_the_template_by_default(settings):
    settings.GRAPHICS_GENERATOR = "apps.integrations.images.layouts.TemplateGenerator"
    graphic = graphic_generate(spec())
    assert graphic.source == "template"
    assert graphic.fallback_reason == ""


# --- contrast -------------------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#000") == pytest.approx(21.0)
    assert contrast_ratio("#4F46E5", "#4F46E5") == pytest.approx(1.0)
    # #767676 is the lightest grey that passes AA on white; #777777 just fails.
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#FFFFFF") < 4.5
    assert contrast_ratio("#FF0000", "#FFFFFF") == pytest.approx(4.0, abs=0.01)


@pytest.mark.parametrize(
    ("fg", "bg"),
    [("#FFE600", "#FFFFFF"), ("#808080", "#777777"), ("#0EA5E9", "#FFFFFF"), ("#1E3A8A", "#111827")],
)
def test_a_brand_colour_that_fails_is_moved_just_far_enough(fg, bg):
    assert contrast_ratio(fg, bg) < 4.5
    adjusted = readable_color(fg, bg)
    assert contrast_ratio(adjusted, bg) >= 4.5
    assert contrast_ratio(adjusted, bg) < 5.2  # the smallest step that passes, not black or white


def test_a_passing_colour_is_left_alone():
    assert readable_color("#4F46E5", "#FFFFFF") == (0x4F, 0x46, 0xE5)


@pytest.mark.parametrize("bg", ["#FFE600", "#808080", "#777777", "#0EA5E9", "#FFFFFF", "#000000", "#4F46E5"])
def test_text_on_any_brand_colour_reaches_4_5(bg):
    assert contrast_ratio(text_color_on(bg), bg) >= 4.5


def record_text(monkeypatch) -> list:
    """Every text draw: (text, contrast of its fill against the commonest colour under it before drawing)."""
    drawn = []
    original = ImageDraw.ImageDraw.text

    def text(self, xy, text, fill=None, font=None, anchor=None, *args, **kwargs):
        options = {k: v for k, v in kwargs.items() if k in ("direction", "language", "features")}
        box = self.textbbox(xy, text, font=font, anchor=anchor, **options)
        region = self._image.crop(box).convert("RGB")
        background = Counter(region.get_flattened_data()).most_common(1)[0][0]
        drawn.append((text, contrast_ratio(fill, background), fill, background))
        return original(self, xy, text, fill, font, anchor, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    return drawn


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", SIZES)
@pytest.mark.parametrize(
    ("primary", "secondary"),
    [("#FFE600", "#FFFFFF"), ("#808080", "#A0A0A0"), ("#0EA5E9", "#FDE68A"), ("#111827", "#1F2937")],
)
def test_every_piece_of_text_reaches_4_5_even_with_failing_brand_colours(
    monkeypatch, kind, layout, primary, secondary
):
    drawn = record_text(monkeypatch)
    extra = {"slide_index": 1, "slide_total": 3} if kind == "carousel_slide" else {}
    render_graphic(spec(kind=kind, layout=layout, primary_color=primary, secondary_color=secondary, **extra))

    assert len(drawn) >= 4  # brand name or initial, headline, body, footer
    failing = [(text, round(ratio, 2), fill, bg) for text, ratio, fill, bg in drawn if ratio < 4.5]
    assert failing == []


def test_white_copy_over_a_bright_generated_background_still_reaches_4_5(monkeypatch):
    drawn = record_text(monkeypatch)
    white = Image.new("RGB", (1344, 768), (255, 255, 240))
    graphic = render_graphic(spec(), background=white)
    assert graphic.layout == "photo"
    assert [text for text, ratio, *_ in drawn if ratio < 4.5] == []


# --- fitting text ---------------------------------------------------------------------------------


def test_a_long_headline_shrinks_to_fit_its_box():
    block = fit_text(
        HEADLINE * 2,
        role="headline",
        width=600,
        height=320,
        max_size=80,
        min_size=30,
        max_lines=5,
        balance=True,
    )
    assert 30 < block.size < 80
    assert not block.truncated and len(block.lines) <= 5 and block.height <= 320
    font = load_font(font_file_for(HEADLINE).name, block.size)
    assert all(font.getlength(line) <= 600 for line in block.lines)
    assert " ".join(block.lines) == " ".join((HEADLINE * 2).split())


def test_a_short_headline_takes_the_largest_size():
    block = fit_text("Hello", role="headline", width=900, height=400, max_size=96, min_size=30, max_lines=4)
    assert block.size == 96 and block.lines == ["Hello"]


def test_an_absurdly_long_headline_ends_in_an_ellipsis_at_the_smallest_size():
    text = " ".join(["Supercalifragilistic expialidocious"] * 200)
    block = fit_text(text, role="headline", width=700, height=300, max_size=80, min_size=34, max_lines=4)
    assert block.truncated and block.size == 34
    assert len(block.lines) <= 4 and block.lines[-1].endswith(ELLIPSIS)
    assert block.height <= 300
    assert all(block.font.getlength(line) <= 700 for line in block.lines)


def test_a_word_wider_than_the_box_is_broken_rather_than_overflowing():
    block = fit_text(
        "A" * 300, role="headline", width=400, height=2000, max_size=60, min_size=30, max_lines=50
    )
    assert all(block.font.getlength(line) <= 400 for line in block.lines)


def test_an_absurd_graphic_still_renders(monkeypatch):
    graphic = render_graphic(spec(headline="word " * 2000, body="x" * 5000, footer="f" * 400))
    assert open_png(graphic.png).size == (1200, 630)
    assert len(graphic.alt_text) < 500


def test_chinese_lines_never_start_with_closing_punctuation():
    text = (
        "开放银行支付每月突破三千万笔，商户手续费大幅下降。这对商户意味着更低的费用、即时结算和更少的拒付。"
    )
    block = fit_text(text, role="body", width=300, height=2000, max_size=30, min_size=30, max_lines=40)
    assert len(block.lines) > 3
    assert not any(line[0] in "，。、" for line in block.lines)
    assert "".join(block.lines) == text


def test_emoji_are_left_out_instead_of_drawn_as_boxes():
    assert text_layout.clean_text("Big news 🚀🎉 today 👍🏽!") == "Big news today !"


# --- fonts for other scripts ------------------------------------------------------------------------

SCRIPTS = [
    ("البنوك المفتوحة تتجاوز ثلاثين مليون عملية", "arabic", "NotoSansArabicLatin-Bold.ttf"),
    ("डिजिटल भुगतान ने नया रिकॉर्ड बनाया", "devanagari", "NotoSansDevanagariLatin-Bold.ttf"),
    ("开放银行支付每月突破三千万笔", "cjk", "NotoSansCJKsc-Bold-subset.otf"),
    ("オープンバンキングの決済が急増", "cjk", "NotoSansCJKsc-Bold-subset.otf"),
    ("한국의 디지털 결제", "cjk", "NotoSansCJKsc-Bold-subset.otf"),
    ("Открытый банкинг: тридцать миллионов платежей", "latin", "InterDisplay-Bold.otf"),
    ("Ανοιχτή τραπεζική", "latin", "InterDisplay-Bold.otf"),
    ("שלום עולם", "hebrew", "NotoSansHebrewLatin-Bold.ttf"),
    ("สวัสดีชาวโลก", "thai", "NotoSansThaiLatin-Bold.ttf"),
]


@pytest.mark.parametrize(("text", "script", "filename"), SCRIPTS)
def test_each_script_gets_its_font(text, script, filename):
    assert text_script(text) == script
    assert font_file_for(text).name == filename
    assert font_file_for(text).is_file()


def assert_no_tofu(font, text: str, options: dict):
    notdef = font.getmask("\uffff")  # a noncharacter: every font draws its .notdef box
    for ch in set(text):
        if ch.isspace() or not ch.isprintable():
            continue
        mask = font.getmask(ch, **options)
        assert mask.getbbox() is not None, f"{ch!r} (U+{ord(ch):04X}) drew nothing"
        assert (mask.size, bytes(mask)) != (notdef.size, bytes(notdef)), f"{ch!r} (U+{ord(ch):04X}) is a box"


@pytest.mark.parametrize(("text", "script", "filename"), SCRIPTS)
def test_non_latin_text_renders_real_glyphs(text, script, filename):
    fonts = text_layout.script_fonts_for(text)
    font = load_font(fonts.headline, 64)
    assert_no_tofu(font, text, text_layout.shaping(fonts))


def test_the_tofu_check_would_catch_a_missing_glyph():
    inter = load_font("InterDisplay-Bold.otf", 64)
    notdef = inter.getmask("\uffff")
    assert bytes(inter.getmask("金")) == bytes(notdef)


@pytest.mark.parametrize(
    "text", ["أطلقنا Acme Pay 2.0 اليوم", "Acme 2025 के लिए नया ऐप", "金融科技 Acme 2025", "שלום Acme 3.5"]
)
def test_latin_names_and_figures_inside_other_scripts_are_not_boxes(text):
    fonts = text_layout.script_fonts_for(text)
    assert_no_tofu(load_font(fonts.regular, 48), text, text_layout.shaping(fonts))


@pytest.mark.skipif(not text_layout.HAS_RAQM, reason="needs Pillow with raqm")
def test_arabic_is_shaped_right_to_left():
    fonts = text_layout.script_fonts_for("سلام")
    font = load_font(fonts.headline, 64)
    joined = font.getlength("سلام", **text_layout.shaping(fonts))
    apart = sum(font.getlength(ch, **text_layout.shaping(fonts)) for ch in "سلام")
    assert joined < apart  # joined letters are narrower than the isolated forms side by side
    assert text_layout.shaping(fonts)["direction"] == "rtl"


def test_a_graphic_in_each_script_renders(monkeypatch):
    for text, _, _ in SCRIPTS:
        graphic = render_graphic(spec(headline=text, body=text, brand_name=text[:8], layout="split"))
        assert open_png(graphic.png).size == (1200, 630)


# --- logos ------------------------------------------------------------------------------------------


def test_a_transparent_logo_is_placed_with_its_alpha():
    s = spec(layout="minimal", logo=png_logo(), primary_color="#0F766E")
    image = open_png(render_graphic(s).png).convert("RGB")
    m = layouts.METRICS["post_card"]
    edge = max(10, round(m.margin * 0.16))
    box = (m.margin + edge, m.top, m.margin + edge + m.mark, m.top + m.mark)
    region = image.crop(box)
    colours = Counter(region.get_flattened_data())
    reddish = sum(n for (r, g, b), n in colours.items() if r > 180 and g < 90 and b < 90)
    assert reddish > 0.3 * region.width * region.height  # the disc is there
    paper = image.getpixel((box[0] + 1, box[1] + 1))
    assert paper == image.getpixel(
        (image.width - 5, image.height // 2)
    )  # its transparent corner shows the paper
    assert (
        sum(n for (r, g, b), n in colours.items() if r + g + b < 30) == 0
    )  # alpha was not flattened to black


def test_a_logo_file_path_works_and_a_broken_logo_falls_back_to_the_initial(tmp_path):
    path = tmp_path / "logo.png"
    path.write_bytes(png_logo())
    assert layouts.load_logo(path).mode == "RGBA"
    assert layouts.load_logo(b"not an image") is None
    graphic = render_graphic(spec(logo=b"not an image"))
    assert open_png(graphic.png).size == (1200, 630)


def test_for_brand_reads_the_logo_through_storage(settings, tmp_path, brand):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    brand.logo.save("logo.png", ContentFile(png_logo()), save=True)
    s = GraphicSpec.for_brand(brand, headline="Hello", kind="story", layout="split")
    assert s.logo == png_logo()
    assert (s.brand_name, s.primary_color, s.kind) == (brand.name, brand.primary_color, "story")


# --- speed ------------------------------------------------------------------------------------------


def test_a_post_card_renders_well_under_half_a_second():
    s = spec(logo=png_logo())
    render_graphic(s)  # fonts and logo loaded once
    timings = []
    for layout in LAYOUTS:
        started = time.perf_counter()
        render_graphic(s.with_changes(layout=layout))
        timings.append(time.perf_counter() - started)
    assert max(timings) < 0.5, timings


# --- storage ----------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    ("kind", "widths"),
    [("post_card", (1200, 800, 320)), ("story", (1080, 800, 320)), ("carousel_slide", (1080, 800, 320))],
)
def test_storing_a_graphic_writes_full_medium_and_thumbnail(media, kind, widths):
    graphic = render_graphic(spec(kind=kind))
    stored = graphic_store(graphic, path_prefix="posts/42/graphics/")

    assert list(stored) == ["full", "medium", "thumbnail"]
    for (variant, entry), width in zip(stored.items(), widths, strict=True):
        assert entry["name"].startswith("posts/42/graphics/")
        path = media / entry["name"]
        assert path.is_file() and path.stat().st_size == entry["bytes"]
        with Image.open(path) as image:
            assert image.width == entry["width"] == width
            assert image.height == entry["height"] == round(graphic.height * width / graphic.width)
            assert image.format.lower() == entry["format"] == ("png" if variant == "full" else "webp")
    assert (media / stored["full"]["name"]).read_bytes() == graphic.png


def test_deleting_stored_graphics_removes_every_variant(media):
    stored = graphic_store(render_graphic(spec()), path_prefix="posts/1")
    assert graphic_delete(stored) == 3
    assert not any((media / entry["name"]).exists() for entry in stored.values())
    assert graphic_delete([stored["full"]["name"], ""]) == 0  # already gone: fine


def test_two_graphics_stored_under_one_prefix_do_not_overwrite_each_other(media):
    first = graphic_store(render_graphic(spec()), path_prefix="posts/1")
    second = graphic_store(render_graphic(spec(layout="split")), path_prefix="posts/1")
    assert first["full"]["name"] != second["full"]["name"]
