"""A synthetic talk video for tests and benchmarks: moving colour pattern + a tone, made with PyAV.

The left half is red, the right half blue, a white bar sweeps across once a
second and a 440 Hz tone plays: a test finds the pattern on an in-world
screen by its pixels and hears (in the stream) that audio went through.

    python tools/stage_video.py OUT.mp4 [--seconds 6] [--size 640x360] [--fps 25]
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

RED = (220, 30, 30)
BLUE = (30, 60, 220)


def pattern(i: int, fps: int, w: int, h: int) -> np.ndarray:
    """Frame ``i``: red | blue halves with a white bar at x = (i / fps mod 1) * w."""
    img = np.empty((h, w, 3), np.uint8)
    img[:, : w // 2] = RED
    img[:, w // 2:] = BLUE
    x = int((i % fps) / fps * w)
    img[:, max(0, x - w // 40): x + w // 40] = 255
    return img


def make_test_video(path: Path, seconds: float = 6.0, size: tuple[int, int] = (640, 360), fps: int = 25,
                    codec: str = "libx264", noise: bool = False) -> Path:
    """Write an MP4 (H.264 + AAC) of ``seconds`` with the moving pattern and a 440 Hz tone.

    ``noise``: a band of moving grain across the middle, so the encoder spends a talk's bitrate (benchmarks).
    """
    w, h = size
    rng = np.random.default_rng(7)
    grain = rng.integers(0, 255, (h // 3, w * 2, 3), dtype=np.uint8) if noise else None
    rate = 48000
    with av.open(str(path), "w") as out:
        video = out.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        video.options = {"preset": "ultrafast"} if codec == "libx264" else {}
        audio = out.add_stream("aac", rate=rate, layout="mono")
        for i in range(int(seconds * fps)):
            img = pattern(i, fps, w, h)
            if grain is not None:
                shift = (i * 7) % w
                img[h // 3: h // 3 + grain.shape[0]] = grain[:, shift:shift + w]
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(video.encode(frame))
        n, step = int(seconds * rate), 1024
        t = np.arange(n) / rate
        tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for k in range(0, n - step + 1, step):
            frame = av.AudioFrame.from_ndarray(tone[None, k:k + step], format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, k, Fraction(1, rate)
            out.mux(audio.encode(frame))
        out.mux(video.encode())
        out.mux(audio.encode())
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--size", default="640x360", help="WIDTHxHEIGHT (default 640x360)")
    ap.add_argument("--fps", type=int, default=25)
    args = ap.parse_args(argv)
    w, h = (int(v) for v in args.size.split("x"))
    make_test_video(args.out, args.seconds, (w, h), args.fps)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
