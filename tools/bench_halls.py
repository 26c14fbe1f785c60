"""Measure every hall: model load time, offscreen CPU frame time (tinydisplay) and draw calls.

    .venv/bin/python tools/bench_halls.py [--size 960x600] [--frames 60]

Loads each hall model the way the client does (glTF -> Panda3D, labels, sRGB
fix-up), renders ``--frames`` frames of the full hall from its spawn point
offscreen with the software renderer, and prints one row per hall: load
seconds, mean and p95 frame milliseconds, Geoms (draw calls) and triangles.
No server is involved, so the figures are the hall's own cost.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from client import render  # noqa: E402
from client.offscreen import parse_size  # noqa: E402
from world.scene import load_halls  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="960x600")
    ap.add_argument("--frames", type=int, default=60)
    args = ap.parse_args(argv)
    mode = render.RenderMode("tiny", True)
    render.configure(mode, parse_size(args.size), "bench")
    from direct.showbase.ShowBase import ShowBase
    from panda3d.core import TextNode

    from client.halls.assets import load_font
    from client.halls.hall_view import HallView

    base = ShowBase()
    TextNode.setDefaultFont(load_font(base.loader))
    render.add_lights(base.render)
    base.camLens.setFov(75)
    base.disableMouse()
    halls = load_halls()
    names = {hid: h.name for hid, h in halls.items()}
    print(f"command: {' '.join(['tools/bench_halls.py', *(argv or sys.argv[1:])])}  size {args.size}, "
          f"{args.frames} frames, tinydisplay (CPU)")
    print(f"{'hall':10} {'booths':>6} {'load s':>7} {'frame ms':>9} {'p95 ms':>7} {'geoms':>6} {'labels':>6} "
          f"{'triangles':>10}")
    for hall in halls.values():
        base.loader.unloadModel(str(ROOT / "assets" / "models" / "halls" / f"{hall.id}.glb"))
        started = time.perf_counter()
        view = HallView(base.loader, hall, base.render, names)
        loaded = time.perf_counter() - started
        spawn = hall.spawns[0]
        h = math.radians(spawn.yaw)
        base.camera.setPos(spawn.pos[0] + math.sin(h) * 4.5, spawn.pos[1] - math.cos(h) * 4.5, 2.6)
        base.camera.lookAt(spawn.pos[0], spawn.pos[1], 2.0)
        times = []
        for _ in range(args.frames):
            t = time.perf_counter()
            base.graphicsEngine.renderFrame()
            times.append(time.perf_counter() - t)
        times = sorted(times[3:])
        nodes = [n.node() for n in view.root.findAllMatches("**/+GeomNode")]
        geoms = sum(n.getNumGeoms() for n in nodes)
        tris = sum(n.getGeom(k).getPrimitive(0).getNumPrimitives() for n in nodes for k in range(n.getNumGeoms()))
        labels = view.root.findAllMatches("**/+TextNode").getNumPaths()  # one text draw each
        print(f"{hall.id:10} {len(hall.booths):>6} {loaded:>7.2f} {sum(times) / len(times) * 1000:>9.1f} "
              f"{times[int(0.95 * len(times))] * 1000:>7.1f} {geoms:>6} {labels:>6} {tris:>10}")
        view.root.removeNode()
    base.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
