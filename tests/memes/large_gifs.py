"""Large animated GIFs that are small on disk, crafted for the memory-budget tests.

A GIF frame may cover only part of the picture; every decoded frame is the whole picture all the
same. So a 1400×1400 first frame followed by 199 frames that each draw a small square is ~40 KB
as a file and 1.5 GB once decoded (200 × 1400 × 1400 × 4 bytes): the shape of the upload that
exhausted the web process's memory.
"""

from __future__ import annotations

import io
import struct

from PIL import Image

PALETTE = [0, 0, 0, 255, 255, 255, 200, 40, 40, 40, 200, 40]


def _square_data(side: int, index: int) -> bytes:
    """The LZW image data (sub-blocks and terminator) of a `side`×`side` square of palette `index`,
    cut out of a GIF that Pillow encodes."""
    buffer = io.BytesIO()
    im = Image.new("P", (side, side), index)
    im.putpalette(PALETTE)
    im.save(buffer, "GIF", optimize=False)  # optimize would renumber the one colour used to 0
    raw = buffer.getvalue()
    start = raw.index(b"\x2c\x00\x00\x00\x00" + struct.pack("<HH", side, side))
    flags = raw[start + 9]
    start += 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)  # skip a local colour table
    return raw[start:-1]  # up to the trailer ";"


def large_gif(frames: int = 200, size: tuple[int, int] = (1400, 1400), duration: int = 50) -> bytes:
    """`frames` frames of `size` (each `duration` ms, looping): a black first frame from Pillow,
    then frames that each draw a 96 px square in one of three colours somewhere else."""
    buffer = io.BytesIO()
    first = Image.new("P", size, 0)
    first.putpalette(PALETTE)
    first.save(buffer, "GIF", duration=duration, loop=0)
    parts = [buffer.getvalue()[:-1]]
    square = 96
    squares = [_square_data(square, colour) for colour in (1, 2, 3)]
    control = b"\x21\xf9\x04\x04" + struct.pack("<H", duration // 10) + b"\x00\x00"  # keep the frame
    step = max(1, (size[0] - square) // frames)
    for i in range(1, frames):
        x, y = (i * step) % (size[0] - square), (i * 7 * step) % (size[1] - square)
        descriptor = b"\x2c" + struct.pack("<HHHH", x, y, square, square) + b"\x00"
        parts.append(control + descriptor + squares[i % 3])
    return b"".join(parts) + b";"
