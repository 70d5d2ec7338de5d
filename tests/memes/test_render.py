"""The meme renderer: text fitting, drawing, sizes, formats, animation, filters, fonts and limits."""

import gc
import io
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont

from apps.memes import render as r
from apps.memes.render import (
    Filter,
    RenderError,
    RenderRequest,
    Style,
    TextBox,
    fit_text,
    font_path_for,
    get_font,
    render,
)
from tests.memes.large_gifs import large_gif

BLUE = (70, 110, 160)


def image_bytes(size=(800, 600), fmt="PNG", color=BLUE) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def gradient_bytes(size=(400, 300)) -> bytes:
    ramp = Image.linear_gradient("L").resize(size)
    im = Image.merge("RGB", (ramp, ramp.rotate(90).resize(size), Image.new("L", size, 90)))
    buffer = io.BytesIO()
    im.save(buffer, "PNG")
    return buffer.getvalue()


def animated_gif(frames=20, size=(520, 300), durations=None, loop=0) -> bytes:
    durations = durations or [40 + 10 * (i % 5) for i in range(frames)]
    images = [Image.new("RGB", size, ((i * 12) % 256, 100, (200 - i * 5) % 256)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=durations, loop=loop)
    return buffer.getvalue()


def opened(rendered) -> Image.Image:
    return Image.open(io.BytesIO(rendered.data))


# --- fitting ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["when the tests pass", "one does not simply walk into mordor without a plan and a snack", "ok"],
)
def test_fitted_lines_fit_the_box(text):
    box_w, box_h = 700, 160
    fit = fit_text(text, box_w, box_h, stroke_ratio=0.07)
    font = get_font(fit.font_path, fit.size)
    assert not fit.overflow
    assert " ".join(fit.lines) == text
    for line in fit.lines:
        assert font.getlength(line) + 2 * fit.stroke <= box_w
    assert fit.height <= box_h
    # and one size up no longer fits (the search found the largest)
    bigger = fit_text(text, box_w, box_h, stroke_ratio=0.07, max_size=fit.size + 1, min_size=fit.size + 1)
    assert bigger.overflow or bigger.size == fit.size


def test_longer_text_is_smaller_or_equal():
    sizes = [
        fit_text(text, 600, 200).size
        for text in ["cats", "cats are great", "cats are great and dogs are fine too", "cats " * 30]
    ]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] > sizes[-1]


def test_size_and_lines_unpack():
    size, lines = fit_text("hello world", 400, 100)
    assert size >= r.MIN_SIZE and lines == ("hello world",)


def test_a_huge_word_is_broken():
    word = "A" * 120
    fit = fit_text(word, 300, 200)
    font = get_font(fit.font_path, fit.size)
    assert len(fit.lines) > 1
    assert "".join(fit.lines) == word
    assert all(font.getlength(line) <= 300 for line in fit.lines)


def test_text_that_cannot_fit_is_flagged_at_the_minimum_size():
    fit = fit_text("word " * 400, 100, 40)
    assert fit.overflow and fit.size == r.MIN_SIZE


def test_fonts_are_cached():
    assert get_font(str(r.ANTON), 50) is get_font(str(r.ANTON), 50)


# --- fonts by script ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ONE DOES NOT SIMPLY", "Anton-Regular-latin.woff"),
        ("Когда тесты прошли", "InterDisplay-Bold.otf"),
        ("Όταν περνάνε τα τεστ", "InterDisplay-Bold.otf"),
        ("عندما تنجح الاختبارات", "NotoSansArabicLatin-Bold.ttf"),
        ("כשהבדיקות עוברות", "NotoSansHebrewLatin-Bold.ttf"),
        ("जब परीक्षण पास होते हैं", "NotoSansDevanagariLatin-Bold.ttf"),
        ("เมื่อการทดสอบผ่าน", "NotoSansThaiLatin-Bold.ttf"),
        ("测试通过的时候", "NotoSansCJKsc-Bold-subset.otf"),
    ],
)
def test_font_has_the_scripts_glyphs(text, expected):
    path = font_path_for(text)
    assert path.endswith(expected)
    font = ImageFont.truetype(path, 40)
    letter = next(ch for ch in text if ch.isalpha())
    mask, notdef = font.getmask(letter), font.getmask("\U0010fffd")  # no font has U+10FFFD
    assert mask.getbbox() is not None
    assert (mask.size, bytes(mask)) != (notdef.size, bytes(notdef))  # a real glyph, not the .notdef box


def test_cyrillic_and_arabic_captions_render():
    template = image_bytes((600, 400))
    for caption in ("Когда тесты прошли", "عندما تنجح الاختبارات"):
        out = opened(render(RenderRequest(template, [caption], format="png")))
        blank = Image.open(io.BytesIO(template)).convert("RGB")
        assert ImageChops.difference(out.convert("RGB"), blank).getbbox() is not None


def test_emoji_are_drawn_as_glyphs_on_the_text_baseline_and_stay_inside_the_box():
    template = image_bytes((800, 600))
    box = TextBox(x=0.1, y=0.1, w=0.8, h=0.3, valign="top")
    blank = Image.open(io.BytesIO(template)).convert("RGB")

    def ink(caption):
        out = opened(render(RenderRequest(template, [caption], boxes=[box], format="png"))).convert("RGB")
        return ImageChops.difference(out, blank).convert("L").point(lambda v: 255 if v > 8 else 0)

    only_emoji, words, mixed = ink("🔥"), ink("fine"), ink("fine 🔥")
    assert only_emoji.getbbox() is not None  # drawn, not dropped
    assert sum(only_emoji.histogram()[255:]) > 1500
    assert mixed.getbbox()[2] > words.getbbox()[2]  # the emoji adds ink after the word
    left, top, right, bottom = mixed.getbbox()
    assert left >= 78 and top >= 58 and right <= 722 and bottom <= 242
    font = ImageFont.truetype(r.EMOJI_FONT, 64)
    notdef = font.getmask("\U000e0001")
    assert bytes(font.getmask("🔥")) != bytes(notdef)  # a real glyph in the bundled font


def test_emoji_sequences_measure_as_one_glyph():
    assert r._runs("ok 👍🏽!") == (("ok ", False), ("👍🏽", True), ("!", False))
    fit = fit_text("deploy 🚀 friday", 600, 200)
    assert "🚀" in " ".join(fit.lines) and not fit.overflow


# --- drawing -----------------------------------------------------------------------------------------


def test_text_is_drawn_inside_its_box_only():
    template = image_bytes((800, 600))
    box = TextBox(x=0.1, y=0.1, w=0.8, h=0.3, valign="top")
    out = opened(render(RenderRequest(template, ["hello meme"], boxes=[box], format="png"))).convert("RGB")
    blank = Image.open(io.BytesIO(template)).convert("RGB")
    diff = ImageChops.difference(out, blank).convert("L").point(lambda v: 255 if v > 8 else 0)
    bbox = diff.getbbox()
    assert bbox is not None
    left, top, right, bottom = bbox
    assert left >= 80 - 2 and top >= 60 - 2 and right <= 720 + 2 and bottom <= 240 + 2
    inside = diff.crop((80, 60, 720, 240))
    assert sum(inside.histogram()[255:]) > 2000  # a real amount of ink, not a stray pixel
    assert diff.crop((0, 300, 800, 600)).getbbox() is None


@pytest.mark.parametrize("effect", ["outline", "shadow", "none"])
def test_effects_draw(effect):
    template = image_bytes((400, 300))
    out = opened(render(RenderRequest(template, ["top", "bottom"], style=Style(effect=effect), format="png")))
    blank = Image.open(io.BytesIO(template)).convert("RGB")
    assert ImageChops.difference(out.convert("RGB"), blank).getbbox() is not None


def test_alignment_moves_the_text():
    template = image_bytes((800, 300))

    def ink_box(align):
        box = TextBox(x=0.0, y=0.0, w=1.0, h=0.3, align=align)
        out = opened(render(RenderRequest(template, ["hi"], boxes=[box], format="png"))).convert("RGB")
        return ImageChops.difference(out, Image.open(io.BytesIO(template)).convert("RGB")).getbbox()

    left, center, right = ink_box("left"), ink_box("center"), ink_box("right")
    assert left[0] < center[0] < right[0]


# --- sizes and formats -----------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "width"), [("thumbnail", 320), ("medium", 640), ("full", 1000)])
def test_sizes(size, width):
    rendered = render(RenderRequest(image_bytes((1000, 750)), ["a", "b"], size=size))
    assert rendered.width == width
    assert opened(rendered).size == (width, round(750 * width / 1000))


def test_full_size_is_capped():
    rendered = render(RenderRequest(image_bytes((3000, 1000), fmt="JPEG"), ["big"]))
    assert rendered.width == r.MAX_SIDE


@pytest.mark.parametrize(
    ("fmt", "pil", "mime"),
    [
        ("jpeg", "JPEG", "image/jpeg"),
        ("png", "PNG", "image/png"),
        ("webp", "WEBP", "image/webp"),
        ("gif", "GIF", "image/gif"),
    ],
)
def test_formats(fmt, pil, mime):
    rendered = render(RenderRequest(image_bytes((400, 300)), ["top", "bottom"], format=fmt))
    assert rendered.mime == mime
    assert opened(rendered).format == pil


@pytest.mark.parametrize(("fmt", "pil"), [("gif", "GIF"), ("webp", "WEBP")])
def test_animation_keeps_frames_durations_and_loop(fmt, pil):
    durations = [40 + 10 * (i % 5) for i in range(20)]
    rendered = render(
        RenderRequest(animated_gif(durations=durations, loop=0), ["top text", "bottom"], format=fmt)
    )
    assert rendered.frames == 20
    im = opened(rendered)
    assert im.format == pil and im.n_frames == 20
    got = []
    for i in range(im.n_frames):
        im.seek(i)
        im.load()  # WebP sets a frame's duration when it is decoded
        got.append(im.info["duration"])
    assert got == durations
    assert im.info.get("loop") == 0
    assert rendered.durations == tuple(durations)


def test_gif_loop_count_is_kept():
    rendered = render(RenderRequest(animated_gif(frames=5, loop=3), ["x"], format="gif"))
    assert opened(rendered).info.get("loop") == 3


def test_animated_template_to_jpeg_is_first_frame():
    rendered = render(RenderRequest(animated_gif(frames=5), ["x"], format="jpeg"))
    assert rendered.frames == 1 and opened(rendered).format == "JPEG"


def test_text_on_every_gif_frame():
    template = animated_gif(frames=6, size=(300, 200))
    box = TextBox(x=0, y=0, w=1, h=0.5)
    out = opened(render(RenderRequest(template, ["WWWW"], boxes=[box], format="gif")))
    src = Image.open(io.BytesIO(template))
    for i in range(6):
        out.seek(i)
        src.seek(i)
        diff = (
            ImageChops.difference(out.convert("RGB"), src.convert("RGB"))
            .convert("L")
            .point(lambda v: v > 40 and 255)
        )
        assert diff.crop((0, 0, 300, 100)).getbbox() is not None
        assert diff.crop((0, 110, 300, 200)).getbbox() is None


# --- filters -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flt",
    [
        Filter("blur", 3),
        Filter("sharpen"),
        Filter("edges"),
        Filter("grayscale"),
        Filter("sepia"),
        Filter("brightness", 1.5),
        Filter("contrast", 1.8),
    ],
)
def test_filters_change_pixels(flt):
    template = gradient_bytes()
    plain = opened(render(RenderRequest(template, [], format="png"))).convert("RGB")
    if flt.name == "blur" or flt.name == "sharpen" or flt.name == "edges":
        # a flat gradient barely changes under blur/sharpen: add an edge to the template
        im = Image.open(io.BytesIO(template)).convert("RGB")
        im.paste((255, 0, 0), (100, 100, 200, 200))
        buffer = io.BytesIO()
        im.save(buffer, "PNG")
        template = buffer.getvalue()
        plain = opened(render(RenderRequest(template, [], format="png"))).convert("RGB")
    filtered = opened(render(RenderRequest(template, [], filters=[flt], format="png"))).convert("RGB")
    assert ImageChops.difference(plain, filtered).getbbox() is not None


def test_unknown_filter_is_refused():
    with pytest.raises(RenderError):
        render(RenderRequest(image_bytes((100, 100)), [], filters=[Filter("vortex")]))


# --- limits ------------------------------------------------------------------------------------------


def test_non_image_is_refused():
    with pytest.raises(RenderError, match="not an image"):
        render(RenderRequest(b"<html>not a picture</html>", ["x"]))


def test_too_many_frames_is_refused():
    with pytest.raises(RenderError, match="frames"):
        render(RenderRequest(animated_gif(frames=r.MAX_FRAMES + 1, size=(8, 8)), ["x"], format="gif"))


def test_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(r, "MAX_PIXELS", 100 * 100)
    with pytest.raises(RenderError, match="megapixels"):
        render(RenderRequest(image_bytes((101, 100)), ["x"]))


def test_unknown_size_and_format_are_refused():
    with pytest.raises(RenderError):
        render(RenderRequest(image_bytes((100, 100)), [], size="poster"))
    with pytest.raises(RenderError):
        render(RenderRequest(image_bytes((100, 100)), [], format="bmp"))


@pytest.mark.parametrize("fmt", ["jpeg", "gif"])
def test_kept_decoded_templates_are_never_drawn_on(fmt):
    template = animated_gif(frames=3) if fmt == "gif" else image_bytes(fmt="JPEG")
    r._decoded_frames.clear()
    first = render(RenderRequest(template=template, texts=["first caption"], format=fmt))
    assert any(key[0] is template for key in r._decoded_frames)  # kept for the next render
    again = render(RenderRequest(template=template, texts=["second"], format=fmt))
    r._decoded_frames.clear()
    fresh = render(RenderRequest(template=bytes(template), texts=["second"], format=fmt))
    assert again.data == fresh.data and again.data != first.data


# --- memory budget -----------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


@contextmanager
def peak_memory_growth():
    """How far this process's resident memory rose above its level at the start of the block
    (``["bytes"]`` once the block ends). Pillow's pixels are allocated outside Python's allocator,
    where tracemalloc does not look; the kernel's high-water mark (VmHWM, reset by writing 5 to
    /proc/self/clear_refs) sees every byte."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pytest.skip("resetting the peak resident memory needs Linux's /proc/self/clear_refs")
    before = _status_kb("VmRSS")
    measured: dict[str, int] = {}
    yield measured
    measured["bytes"] = (_status_kb("VmHWM") - before) * 1024


@pytest.fixture(scope="module")
def large_animation() -> bytes:
    return large_gif()  # 200 frames of 1400×1400: ~40 KB on disk, 1.5 GB decoded


@pytest.fixture(scope="module")
def fitted_animation(large_animation) -> r.FittedTemplate:
    return r.template_fit_budget(large_animation)


def test_the_large_gif_is_small_on_disk_and_large_decoded(large_animation):
    im = Image.open(io.BytesIO(large_animation))
    assert len(large_animation) < 100_000
    assert im.size == (1400, 1400) and im.n_frames == 200
    assert r.decoded_bytes(1400, 1400, 200) > 20 * r.MAX_DECODED_BYTES


def test_a_render_over_the_memory_budget_is_refused_before_anything_is_decoded(large_animation):
    r._decoded_frames.clear()
    with peak_memory_growth() as peak, pytest.raises(r.RenderTooLarge, match="too large to render"):
        render(RenderRequest(large_animation, ["top", "bottom"], format="gif"))
    assert peak["bytes"] < 16 * 1024 * 1024


def test_the_memory_budget_error_says_what_was_too_large_and_what_to_do(large_animation):
    with pytest.raises(RenderError) as caught:
        render(RenderRequest(large_animation, ["top"], format="gif"))
    message = str(caught.value)
    assert "200 frames of 1400×1400" in message and "64 MB" in message and "scaled down" in message


def test_a_still_of_a_large_animation_decodes_only_its_first_frame(large_animation):
    out = render(RenderRequest(large_animation, ["top"], format="jpeg", size="thumbnail"))
    assert out.frames == 1 and out.width == 320


def test_a_template_within_the_budget_is_kept_byte_for_byte():
    data = animated_gif(frames=20)
    fitted = r.template_fit_budget(data)
    assert fitted.data is data and fitted.scaled_from is None
    assert (fitted.width, fitted.height, fitted.frames) == (520, 300, 20)


def test_a_large_animation_is_scaled_down_once_to_fit_the_budget_and_stays_animated(fitted_animation):
    assert fitted_animation.scaled_from == (1400, 1400)
    assert r.decoded_bytes(fitted_animation.width, fitted_animation.height, 200) <= r.MAX_DECODED_BYTES
    assert fitted_animation.width == fitted_animation.height >= r.MIN_TEMPLATE_SIDE
    im = Image.open(io.BytesIO(fitted_animation.data))
    assert im.format == "GIF" and im.n_frames == fitted_animation.frames == 200
    assert im.size == (fitted_animation.width, fitted_animation.height)
    assert im.info["loop"] == 0
    durations = []
    for index in range(im.n_frames):
        im.seek(index)
        durations.append(im.info["duration"])
    assert durations == [50] * 200


def test_the_scaled_down_animation_renders_with_every_frame(fitted_animation):
    out = render(RenderRequest(fitted_animation.data, ["top", "bottom"], format="gif", size="medium"))
    assert out.frames == 200 and out.durations == (50,) * 200


def test_a_still_larger_than_the_budget_is_scaled_down_in_its_own_format(monkeypatch):
    monkeypatch.setattr(r, "MAX_DECODED_BYTES", r.decoded_bytes(400, 300))
    fitted = r.template_fit_budget(image_bytes((800, 600), fmt="PNG"))
    assert fitted.scaled_from == (800, 600) and (fitted.width, fitted.height) == (400, 300)
    assert Image.open(io.BytesIO(fitted.data)).format == "PNG"


def test_an_image_that_would_shrink_below_the_smallest_template_is_refused(monkeypatch):
    monkeypatch.setattr(r, "MAX_DECODED_BYTES", r.decoded_bytes(100, 100, 20))
    with pytest.raises(r.RenderTooLarge, match="too large for a template"):
        r.template_fit_budget(animated_gif(frames=20, size=(520, 300)))


def test_scaling_down_the_large_animation_holds_less_than_the_budget_in_memory(large_animation):
    with peak_memory_growth() as peak:
        r.template_fit_budget(large_animation)
    # Frames are decoded one at a time (8 MB each) and kept paletted once scaled down (one byte a
    # pixel). Decoding them all at once would take 1.5 GB.
    assert peak["bytes"] < r.MAX_DECODED_BYTES


def test_rendering_the_largest_allowed_animation_holds_about_twice_the_budget(fitted_animation):
    r._decoded_frames.clear()
    with peak_memory_growth() as peak:
        out = render(RenderRequest(fitted_animation.data, ["top", "bottom"], format="gif"))
    assert out.frames == 200
    assert peak["bytes"] < 3 * r.MAX_DECODED_BYTES
