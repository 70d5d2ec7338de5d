"""Renderer speed in one process, no cache: ``apps.memes.render.render`` called directly.

Every render gets captions of its own (a running number in each line, the clock time in the
other), so the fitted size and lines are worked out anew each time; the renderer's per-word width
cache and font cache stay warm as they do in a server that has rendered a few memes. The template
is passed as the encoded file's bytes, as ``apps.memes.generation`` passes it, and its decoded
frames are kept between renders as in the server (``render._decoded``); the output is rendered and
encoded every time. ``static_decode_each_time_per_s`` is the same with the template decoded anew
for every render (the first render of a template in a process).
"""

from __future__ import annotations

import time

from bench import _memes_images

TOPS = ("when the build {i} passes", "me at {i} am", "nobody: {i}", "one does not simply ship {i}")
BOTTOMS = ("on friday at {h}:{m:02d}", "the tests {i}", "deploy {i} times", "it works on {i} machines")


def captions(i: int) -> list[str]:
    return [
        TOPS[i % len(TOPS)].format(i=i),
        BOTTOMS[(i // 3) % len(BOTTOMS)].format(i=i, h=i % 24, m=i % 60),
    ]


def renders_per_second(
    template: bytes, *, fmt: str, runs: int, warmup: int = 20, decode_each_time: bool = False
) -> dict:
    from apps.memes import render as renderer
    from apps.memes.render import RenderRequest, render

    for i in range(warmup):
        render(RenderRequest(template=template, texts=captions(10_000 + i), format=fmt))
    times = []
    started = time.perf_counter()
    for i in range(runs):
        if decode_each_time:
            renderer._decoded_frames.clear()
        t0 = time.perf_counter()
        out = render(RenderRequest(template=template, texts=captions(i), format=fmt))
        times.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    times.sort()
    return {
        "per_s": runs / elapsed,
        "p50_ms": times[len(times) // 2] * 1000,
        "size": f"{out.width}x{out.height}",
        "frames": out.frames,
        "bytes": len(out.data),
    }


def run(*, static_runs: int = 400, gif_runs: int = 40) -> dict:
    photo = _memes_images.photo_like()
    photo_result = renders_per_second(photo, fmt="jpeg", runs=static_runs)
    print(
        f"static: 800x600 photo-like template → {photo_result['size']} JPEG, two lines: "
        f"{photo_result['per_s']:.0f}/s (p50 {photo_result['p50_ms']:.1f} ms, {static_runs} renders)",
        flush=True,
    )
    cold = renders_per_second(photo, fmt="jpeg", runs=static_runs // 2, decode_each_time=True)
    print(f"static: the same, template decoded anew each time: {cold['per_s']:.0f}/s", flush=True)
    noise_result = renders_per_second(_memes_images.noise(), fmt="jpeg", runs=static_runs // 2)
    print(
        f"static: 800x600 pure-noise template → JPEG: {noise_result['per_s']:.0f}/s "
        f"(p50 {noise_result['p50_ms']:.1f} ms)",
        flush=True,
    )
    gif = renders_per_second(_memes_images.animated(), fmt="gif", runs=gif_runs, warmup=3)
    print(
        f"gif: 20-frame 520x300 template → {gif['size']} GIF ({gif['frames']} frames): "
        f"{gif['per_s']:.1f}/s (p50 {gif['p50_ms']:.0f} ms, {gif_runs} renders)",
        flush=True,
    )
    return {
        "static_per_s_per_core": round(photo_result["per_s"], 1),
        "static_noise_per_s_per_core": round(noise_result["per_s"], 1),
        "static_decode_each_time_per_s": round(cold["per_s"], 1),
        "static_p50_ms": round(photo_result["p50_ms"], 2),
        "gif_per_s": round(gif["per_s"], 2),
        "gif_p50_ms": round(gif["p50_ms"], 1),
    }
