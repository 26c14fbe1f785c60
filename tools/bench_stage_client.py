"""Benchmark: what playing a 720p stage stream costs the client per frame, CPU path vs headless OpenGL.

    python tools/bench_stage_client.py [--seconds 4] [--renderer tiny|egl|both] [--json]

Encodes a 720p test talk with the broadcaster's own settings, then, per
renderer, decodes it as the client's player does (PyAV: H.264 -> BGR scaled
into the 1024x512 screen texture, on the player's worker thread) and times
the two costs separately: decoding + conversion per picture (worker thread),
and the texture update + one rendered frame with the video card on screen
(frame thread), against the same frame with no video (baseline, same run).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(renderer: str, segments: list[bytes], init: bytes, frames: int) -> dict:
    """In a fresh process per renderer (Panda3D's display is chosen once per process)."""
    import av
    from direct.showbase.ShowBase import ShowBase
    from panda3d.core import CardMaker, Texture

    from client import render
    from client.stage.screens import VIDEO_SIZE

    mode = render.choose(renderer, True)
    render.configure(mode, (960, 540), "bench")
    base = ShowBase()
    tex = Texture("v")
    tex.setup2dTexture(*VIDEO_SIZE, Texture.T_unsigned_byte, Texture.F_rgb8)
    cm = CardMaker("card")
    cm.setFrame(-1.6, 1.6, -0.9, 0.9)
    card = base.render.attachNewNode(cm.generate())
    card.setTexture(tex)
    card.setPos(0, 4, 0)
    decode_ms, pictures = [], []
    for data in segments:
        t0 = time.perf_counter()
        with av.open(io.BytesIO(init + data), format="mp4") as c:
            got = [f.reformat(width=VIDEO_SIZE[0], height=VIDEO_SIZE[1], format="bgr24").to_ndarray().tobytes()
                   for f in c.decode(video=0)]
        decode_ms.append((time.perf_counter() - t0) * 1000 / max(1, len(got)))
        pictures += got
    for _ in range(5):
        base.graphicsEngine.renderFrame()
    plain = []
    for _ in range(frames):
        t0 = time.perf_counter()
        base.graphicsEngine.renderFrame()
        plain.append((time.perf_counter() - t0) * 1000)
    video = []
    for i in range(frames):
        t0 = time.perf_counter()
        tex.setRamImage(pictures[i % len(pictures)])
        base.graphicsEngine.renderFrame()
        video.append((time.perf_counter() - t0) * 1000)
    base.destroy()
    med = statistics.median
    return {"renderer": renderer, "decode_ms_per_picture": round(med(decode_ms), 2),
            "frame_ms_no_video": round(med(plain), 2), "frame_ms_with_video": round(med(video), 2),
            "video_frame_cost_ms": round(med(video) - med(plain), 2),
            "client_cost_ms_per_picture": round(med(decode_ms) + med(video) - med(plain), 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=4.0, help="length of the test talk (default 4)")
    ap.add_argument("--frames", type=int, default=60, help="frames timed per case (default 60)")
    ap.add_argument("--renderer", choices=("tiny", "egl", "both"), default="both")
    ap.add_argument("--json", action="store_true", help="one JSON object on the last line")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        folder = Path(args.child)
        segs = [p.read_bytes() for p in sorted(folder.glob("seg_*.m4s"))]
        print(json.dumps(measure(args.renderer, segs, (folder / "init.mp4").read_bytes(), args.frames)))
        return 0
    from server.stage.broadcast import encode_hls, probe
    from tools.stage_video import make_test_video

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-stage-client-") as tmp:
        src = make_test_video(Path(tmp) / "talk.mp4", seconds=args.seconds, size=(1280, 720), noise=True)
        encode_hls(src, Path(tmp) / "hls", probe(src), realtime=False)
        for renderer in ("tiny", "egl") if args.renderer == "both" else (args.renderer,):
            out = subprocess.run([sys.executable, __file__, "--renderer", renderer, "--frames", str(args.frames),
                                  "--child", str(Path(tmp) / "hls")], capture_output=True, text=True, timeout=600)
            if out.returncode != 0:
                rows.append({"renderer": renderer, "error": out.stderr.strip().splitlines()[-1][:200]})
                continue
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items()))
    print(json.dumps({"source": "1280x720 H.264 (broadcaster settings)", "texture": "1024x512", "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
