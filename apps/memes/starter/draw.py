"""Draws the starter meme templates with Pillow and writes them with their ``templates.json``.

Every image here is drawn by this script from shapes and gradients (no third-party artwork), so
the project may ship them; they are dedicated to the public domain (CC0-1.0). The output is
deterministic: the same Pillow gives the same files. Run ``python -m apps.memes.starter.draw``
after changing a drawing and commit the images with the script.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
LICENCE = "CC0-1.0 (drawn for social-medAI)"
AUTHOR = "social-medAI"
SOURCE = "apps/memes/starter/draw.py"

SKIN = (241, 194, 150)
INK = (30, 30, 36)


def box(x, y, w, h, align="center", valign="middle", uppercase=True) -> dict:
    return {"x": x, "y": y, "w": w, "h": h, "align": align, "valign": valign, "uppercase": uppercase}


TOP = box(0.05, 0.02, 0.9, 0.22, valign="top")
BOTTOM = box(0.05, 0.76, 0.9, 0.22, valign="bottom")


def vertical_gradient(size, top, bottom) -> Image.Image:
    w, h = size
    ramp = Image.linear_gradient("L").resize((w, h))
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)


def radial_gradient(size, inner, outer, center=None, scale=1.0) -> Image.Image:
    w, h = size
    side = int(max(w, h) * 2 * scale)
    ramp = Image.radial_gradient("L").resize((side, side))
    cx, cy = center or (w // 2, h // 2)
    mask = ramp.crop((side // 2 - cx, side // 2 - cy, side // 2 - cx + w, side // 2 - cy + h))
    return Image.composite(Image.new("RGB", size, outer), Image.new("RGB", size, inner), mask)


def person(draw: ImageDraw.ImageDraw, cx, cy, r, shirt=(52, 120, 200), mood="neutral"):
    """A simple bust: shoulders, a round head, eyes and a mouth that shows the mood."""
    draw.pieslice((cx - r * 1.9, cy + r * 0.8, cx + r * 1.9, cy + r * 4.4), 180, 360, fill=shirt)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=SKIN, outline=INK, width=max(2, r // 18))
    eye = max(3, r // 8)
    for dx in (-0.38, 0.38):
        ex, ey = cx + dx * r, cy - 0.15 * r
        draw.ellipse((ex - eye, ey - eye, ex + eye, ey + eye), fill=INK)
    mw = 0.45 * r
    if mood == "happy":
        draw.arc((cx - mw, cy + 0.05 * r, cx + mw, cy + 0.6 * r), 10, 170, fill=INK, width=max(2, r // 14))
    elif mood == "sad":
        draw.arc((cx - mw, cy + 0.35 * r, cx + mw, cy + 0.85 * r), 200, 340, fill=INK, width=max(2, r // 14))
    else:
        draw.line(
            (cx - mw * 0.7, cy + 0.45 * r, cx + mw * 0.7, cy + 0.45 * r), fill=INK, width=max(2, r // 14)
        )


def palette_png(im: Image.Image, colors: int = 96) -> Image.Image:
    """Quantized to a small palette: the PNGs stay a few tens of kB."""
    return im.convert("RGB").quantize(colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


# --- the templates --------------------------------------------------------------------------------


def two_buttons():
    size = (600, 660)
    im = vertical_gradient(size, (250, 236, 210), (236, 200, 160))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((60, 40, 540, 300), 24, fill=(210, 214, 222), outline=INK, width=4)
    for cx in (180, 420):
        d.ellipse((cx - 95, 110, cx + 95, 250), fill=(150, 20, 24))
        d.ellipse((cx - 95, 90, cx + 95, 230), fill=(222, 40, 44), outline=INK, width=4)
    person(d, 300, 430, 80, shirt=(60, 70, 160), mood="sad")
    for x, y in ((205, 380), (395, 375), (215, 420)):  # sweat drops
        d.polygon([(x, y - 22), (x - 11, y + 4), (x + 11, y + 4)], fill=(120, 190, 240))
        d.ellipse((x - 11, y - 6, x + 11, y + 14), fill=(120, 190, 240))
    boxes = [
        box(0.12, 0.15, 0.36, 0.17, uppercase=False),
        box(0.52, 0.15, 0.36, 0.17, uppercase=False),
        BOTTOM,
    ]
    return im, boxes, ["choice", "dilemma", "two-buttons", "decision"], "Two buttons"


def approve_reject():
    size = (600, 600)
    im = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(im)
    rows = [((255, 214, 196), "sad", "no"), ((206, 238, 206), "happy", "yes")]
    for row, (bg, mood, mark) in enumerate(rows):
        y0 = row * 300
        d.rectangle((0, y0, 299, y0 + 299), fill=bg)
        person(d, 150, y0 + 120, 62, shirt=(240, 150, 30), mood=mood)
        if mark == "no":  # a hand held up
            d.rounded_rectangle((210, y0 + 150, 262, y0 + 230), 14, fill=SKIN, outline=INK, width=3)
            d.line((40, y0 + 30, 90, y0 + 80), fill=(200, 30, 30), width=10)
            d.line((90, y0 + 30, 40, y0 + 80), fill=(200, 30, 30), width=10)
        else:  # pointing
            d.rounded_rectangle((200, y0 + 170, 290, y0 + 200), 12, fill=SKIN, outline=INK, width=3)
            d.line((38, y0 + 58, 58, y0 + 80, 96, y0 + 32), fill=(30, 150, 50), width=10, joint="curve")
    d.line((0, 300, 600, 300), fill=INK, width=4)
    d.line((300, 0, 300, 600), fill=INK, width=4)
    boxes = [
        box(0.53, 0.04, 0.44, 0.42, align="left", uppercase=False),
        box(0.53, 0.54, 0.44, 0.42, align="left", uppercase=False),
    ]
    return im, boxes, ["approve", "reject", "preference", "two-panels", "comparison"], "Approve / reject"


def expanding_brain():
    size = (600, 800)
    im = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(im)
    for i in range(4):
        y0 = i * 200
        panel = radial_gradient((300, 200), (40 + 60 * i, 30 + 50 * i, 90 + 40 * i), (10, 10, 30), (150, 100))
        im.paste(panel, (300, y0))
        d.rectangle((0, y0, 299, y0 + 199), fill=(248, 248, 250))
        # a head in profile with a brain that grows and glows from panel to panel
        d.ellipse((360, y0 + 40, 500, y0 + 180), fill=(200, 200, 215), outline=INK, width=3)
        r = 18 + 12 * i
        glow = (255, 200 + 15 * i, 120 + 40 * i)
        for k in range(i + 1):
            d.ellipse(
                (430 - r - 6 * k, y0 + 90 - r - 6 * k, 430 + r + 6 * k, y0 + 90 + r + 6 * k),
                outline=glow,
                width=2,
            )
        d.ellipse((430 - r, y0 + 90 - r, 430 + r, y0 + 90 + r), fill=(250, 150, 170) if i < 3 else glow)
        d.line((0, y0 + 199, 600, y0 + 199), fill=INK, width=3)
    d.line((300, 0, 300, 800), fill=INK, width=3)
    boxes = [box(0.03, i * 0.25 + 0.02, 0.44, 0.21, align="left", uppercase=False) for i in range(4)]
    return im, boxes, ["expanding-brain", "escalation", "four-panels", "smart"], "Expanding brain"


def change_my_mind():
    size = (640, 480)
    im = vertical_gradient(size, (150, 200, 150), (80, 130, 80))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 300, 640, 480), fill=(110, 90, 70))  # ground
    person(d, 150, 180, 60, shirt=(90, 110, 140), mood="happy")
    d.rectangle((60, 300, 600, 330), fill=(120, 72, 40), outline=INK, width=3)  # table top
    for x in (90, 560):
        d.rectangle((x, 330, x + 16, 460), fill=(90, 52, 28))
    d.polygon([(300, 300), (560, 300), (580, 150), (320, 150)], fill=(250, 250, 245), outline=INK)  # sign
    d.line((420, 150, 440, 100), fill=(90, 52, 28), width=6)
    d.ellipse((240, 270, 290, 300), fill=(240, 240, 240), outline=INK, width=2)  # mug
    boxes = [box(0.51, 0.33, 0.38, 0.28, uppercase=False), TOP]
    return im, boxes, ["change-my-mind", "opinion", "debate", "sign"], "Change my mind"


def distracted_choices():
    size = (700, 460)
    im = vertical_gradient(size, (180, 220, 250), (250, 250, 235))
    d = ImageDraw.Draw(im)
    colours = [(236, 96, 90), (90, 160, 230), (250, 196, 60)]
    centers = [(140, 250), (350, 250), (560, 250)]
    for (cx, cy), colour in zip(centers, colours, strict=True):
        d.ellipse((cx - 105, cy - 105, cx + 105, cy + 105), fill=colour, outline=INK, width=4)
    # eyes of the middle circle look at the one on the right
    for ex in (330, 372):
        d.ellipse((ex - 12, 200, ex + 12, 224), fill=(255, 255, 255), outline=INK, width=2)
        d.ellipse((ex - 2, 206, ex + 10, 218), fill=INK)
    d.line((460, 380, 520, 380), fill=INK, width=5)
    d.polygon([(520, 370), (540, 380), (520, 390)], fill=INK)
    boxes = [box(0.03, 0.42, 0.34, 0.2), box(0.34, 0.42, 0.32, 0.2), box(0.64, 0.42, 0.33, 0.2)]
    return im, boxes, ["distracted", "choices", "temptation", "three-labels"], "Distracted choices"


def galaxy_brain():
    size = (600, 600)
    im = radial_gradient(size, (120, 60, 200), (5, 5, 25), (300, 300), 0.8)
    d = ImageDraw.Draw(im)
    rng = random.Random(7)  # noqa: S311 - a fixed seed for a reproducible drawing
    for _ in range(220):
        x, y, s = rng.randrange(600), rng.randrange(600), rng.choice((1, 1, 1, 2, 3))
        d.ellipse((x - s, y - s, x + s, y + s), fill=(255, 255, 255))
    for arm in range(3):  # a spiral galaxy of dots
        for t in range(140):
            a = t / 14 + arm * 2 * math.pi / 3
            rad = 4 + t * 1.6
            x, y = 300 + rad * math.cos(a), 300 + rad * math.sin(a) * 0.8
            s = max(1, 5 - t // 30)
            shade = (255, 230 - t, 150 + t // 2)
            d.ellipse((x - s, y - s, x + s, y + s), fill=shade)
    d.ellipse((285, 285, 315, 315), fill=(255, 250, 220))
    return im, [TOP, BOTTOM], ["galaxy-brain", "enlightened", "cosmic", "top-bottom"], "Galaxy brain"


def this_is_fine():
    size = (640, 480)
    im = vertical_gradient(size, (250, 170, 60), (200, 70, 30))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 360, 640, 480), fill=(120, 60, 40))
    rng = random.Random(11)  # noqa: S311 - a fixed seed for a reproducible drawing
    for _ in range(26):  # flames
        x = rng.randrange(-20, 660)
        h = rng.randrange(80, 220)
        w = rng.randrange(40, 80)
        base = 370
        d.polygon([(x - w // 2, base), (x, base - h), (x + w // 2, base)], fill=(240, 80, 20))
        d.polygon([(x - w // 4, base), (x, base - h * 0.6), (x + w // 4, base)], fill=(255, 200, 40))
    d.rectangle((230, 300, 470, 320), fill=(140, 80, 40), outline=INK, width=3)  # table
    d.rectangle((340, 320, 360, 420), fill=(120, 70, 35))
    person(d, 300, 200, 56, shirt=(250, 220, 120), mood="happy")
    d.rounded_rectangle((390, 265, 430, 300), 6, fill=(250, 250, 250), outline=INK, width=2)  # mug
    return im, [TOP, BOTTOM], ["this-is-fine", "denial", "fire", "calm"], "This is fine"


def before_after():
    size = (600, 640)
    im = Image.new("RGB", size)
    im.paste(vertical_gradient((600, 320), (120, 130, 150), (70, 76, 90)), (0, 0))
    im.paste(vertical_gradient((600, 320), (255, 220, 120), (250, 140, 80)), (0, 320))
    d = ImageDraw.Draw(im)
    person(d, 470, 150, 60, shirt=(100, 100, 110), mood="sad")
    person(d, 470, 470, 60, shirt=(230, 80, 120), mood="happy")
    for k in range(8):  # rays
        a = k * math.pi / 4
        d.line(
            (
                470 + 80 * math.cos(a),
                470 + 80 * math.sin(a),
                470 + 110 * math.cos(a),
                470 + 110 * math.sin(a),
            ),
            fill=(255, 255, 200),
            width=5,
        )
    d.line((0, 320, 600, 320), fill=INK, width=4)
    boxes = [
        box(0.04, 0.04, 0.6, 0.42, align="left", uppercase=True),
        box(0.04, 0.54, 0.6, 0.42, align="left", uppercase=True),
    ]
    return im, boxes, ["before-after", "two-panels", "glow-up", "comparison"], "Before / after"


def pulse_frames():
    """16 frames of a pulsing, slowly turning sunburst (520×300)."""
    size = (520, 300)
    frames = []
    for i in range(16):
        phase = 2 * math.pi * i / 16
        inner = (int(200 + 50 * math.sin(phase)), int(80 + 60 * math.sin(phase + 2)), 160)
        im = radial_gradient(size, inner, (20, 10, 60), (260, 150), 0.7 + 0.15 * math.sin(phase))
        d = ImageDraw.Draw(im)
        for k in range(12):
            a = phase / 6 + k * math.pi / 6
            d.polygon(
                [
                    (260, 150),
                    (260 + 400 * math.cos(a - 0.06), 150 + 400 * math.sin(a - 0.06)),
                    (260 + 400 * math.cos(a + 0.06), 150 + 400 * math.sin(a + 0.06)),
                ],
                fill=(255, 255, 255) if k % 2 else (255, 210, 90),
            )
        r = 30 + 10 * math.sin(phase)
        d.ellipse((260 - r, 150 - r, 260 + r, 150 + r), fill=(255, 240, 200))
        frames.append(im.quantize(32, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
    return frames


STATIC = [
    two_buttons,
    approve_reject,
    expanding_brain,
    change_my_mind,
    distracted_choices,
    galaxy_brain,
    this_is_fine,
    before_after,
]


def draw_all(out: Path = HERE) -> list[dict]:
    entries = []
    for make in STATIC:
        im, boxes, tags, name = make()
        slug = make.__name__.replace("_", "-")
        file = f"{slug}.png"
        palette_png(im).save(out / file, "PNG", optimize=True)
        entries.append(_entry(file, name, slug, tags, boxes))
    frames = pulse_frames()
    frames[0].save(
        out / "hype-pulse.gif",
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=70,
        loop=0,
        disposal=1,
    )
    entries.append(
        _entry(
            "hype-pulse.gif",
            "Hype pulse (animated)",
            "hype-pulse",
            ["animated", "hype", "excited", "top-bottom"],
            [TOP, BOTTOM],
        )
    )
    (out / "templates.json").write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
    return entries


def _entry(file, name, slug, tags, boxes) -> dict:
    return {
        "file": file,
        "name": name,
        "slug": slug,
        "tags": tags,
        "boxes": boxes,
        "source": SOURCE,
        "licence": LICENCE,
        "author": AUTHOR,
    }


if __name__ == "__main__":
    for entry in draw_all():
        print(entry["file"])
