"""Deterministic template images for the meme benchmarks (nothing is downloaded).

- ``photo_like``: an 800×600 JPEG that compresses and decodes like a photograph: smooth colour
  gradients (sky to ground), forty soft blurred ellipses in random colours (out-of-focus shapes),
  and mild Gaussian grain (σ 6), saved at quality 90 (~100 KB, as a real 800×600 photo).
- ``noise``: 800×600 of uniform random pixels, JPEG quality 90 (~430 KB): the worst case for the
  JPEG decoder and encoder, as no photo is.
- ``animated``: a 20-frame 520×300 GIF (80 ms a frame, looping forever): a gradient background
  with a bright disc and two bars moving across it, a different picture every frame.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def _jpeg(im: Image.Image) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def photo_like(width: int = 800, height: int = 600, seed: int = 8) -> bytes:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack(
        [
            90 + 120 * (y / height) + 30 * np.sin(x / 97),
            130 + 60 * (1 - y / height) + 20 * np.cos(y / 53),
            200 - 120 * (y / height) + 15 * np.sin((x + y) / 71),
        ],
        axis=-1,
    )
    im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    shapes = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for _ in range(40):
        cx, cy = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(20, 160))
        colour = (*(int(c) for c in rng.integers(0, 255, 3)), int(rng.integers(60, 180)))
        draw.ellipse((cx - r, cy - r * 0.7, cx + r, cy + r * 0.7), fill=colour)
    im = Image.alpha_composite(im, shapes.filter(ImageFilter.GaussianBlur(12))).convert("RGB")
    grain = rng.normal(0, 6, (height, width, 3))
    pixels = np.clip(np.asarray(im).astype(np.float32) + grain, 0, 255).astype(np.uint8)
    return _jpeg(Image.fromarray(pixels, "RGB"))


def noise(width: int = 800, height: int = 600, seed: int = 9) -> bytes:
    rng = np.random.default_rng(seed)
    return _jpeg(Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB"))


def animated(width: int = 520, height: int = 300, frames: int = 20, duration: int = 80) -> bytes:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    out = []
    for i in range(frames):
        phase = i / frames * 2 * np.pi
        base = np.stack(
            [
                120 + 80 * np.sin(x / 60 + phase),
                100 + 60 * np.cos(y / 45 - phase),
                160 + 70 * np.sin((x + y) / 90 + phase / 2),
            ],
            axis=-1,
        )
        im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
        draw = ImageDraw.Draw(im)
        cx = int(width * (0.15 + 0.7 * i / (frames - 1)))
        draw.ellipse((cx - 45, height // 2 - 45, cx + 45, height // 2 + 45), fill=(255, 220, 40))
        bar = int(height * 0.2 + height * 0.6 * ((i * 7) % frames) / frames)
        draw.rectangle((0, bar, width // 5, bar + 18), fill=(30, 30, 60))
        draw.rectangle((width - width // 5, height - bar, width, height - bar + 18), fill=(240, 240, 250))
        out.append(im.quantize(256, method=Image.Quantize.MEDIANCUT))
    buffer = io.BytesIO()
    out[0].save(buffer, "GIF", save_all=True, append_images=out[1:], duration=duration, loop=0)
    return buffer.getvalue()
