#!/usr/bin/env python3
"""Frame cost of a crowd of animated avatars against the old capsules, in one process, same run.

Loads the rural hall as the client does (software renderer, 960x600), puts N
visitors walking in circles in front of the camera and renders flat out:
once with the rigged, animated figures the client draws now (client/avatars/
bodies.py: Actor with blended clips, static stand-in beyond 15 m; a mixed crowd
of every outfit and hat), once with
the static capsules drawn before (a 24-segment capsule near, 8 far). Blocks
alternate (A B A B ...) so a busy shared machine slows both alike; the
ratio is of the medians over all blocks.

    python tools/bench_avatars.py [--avatars 100] [--frames 60] [--blocks 3]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from client import render  # noqa: E402
from client.avatars.interp import State  # noqa: E402
from protocol.messages import HATS, OUTFITS  # noqa: E402
from world.scene import load_halls  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--avatars", type=int, default=100)
    ap.add_argument("--frames", type=int, default=60, help="frames per block")
    ap.add_argument("--blocks", type=int, default=3, help="blocks per variant, alternating")
    args = ap.parse_args(argv)
    render.configure(render.RenderMode("tiny", True), (960, 600), "bench")
    from direct.showbase.ShowBase import ShowBase
    from panda3d.core import LODNode, NodePath, TextNode

    from client.avatars.bodies import FAR_MODEL_FROM, AvatarView
    from client.halls.assets import AVATAR_FAR_FILE, AVATAR_FILE, load_font, load_model
    from client.halls.hall_view import HallView
    from tools import avatar_rig
    from tools.solids import GlbWriter

    base = ShowBase()
    TextNode.setDefaultFont(load_font(base.loader))
    render.add_lights(base.render)
    base.camLens.setFov(75)
    base.disableMouse()
    halls = load_halls()
    hall = halls["rural"]
    HallView(base.loader, hall, base.render, {h: v.name for h, v in halls.items()})
    base.camera.setPos(-20.0, -3.0, 2.6)
    base.camera.lookAt(0.0, -3.0, 1.5)
    capsule = Path(tempfile.mkdtemp()) / "capsule.glb"
    GlbWriter().save(capsule, "capsule", avatar_rig.far_mesh(24), [])
    old_near = NodePath(base.loader.loadModel(str(capsule), noCache=True))
    far = load_model(base.loader, AVATAR_FAR_FILE)
    rigged = load_model(base.loader, AVATAR_FILE)
    spots = [(-16.0 + (i % 10) * 3.2, -9.0 + (i // 10) * 1.9) for i in range(args.avatars)]

    def capsules():
        views = []
        for _ in spots:
            root = base.render.attachNewNode("capsule")
            lod = LODNode("lod")
            body = root.attachNewNode(lod)
            lod.addSwitch(FAR_MODEL_FROM, 0.0)
            old_near.instanceTo(body.attachNewNode("near"))
            lod.addSwitch(1e6, FAR_MODEL_FROM)
            far.instanceTo(body.attachNewNode("far"))
            views.append(root)
        return views

    def figures():
        looks = [{"color": "#3498db", "model": "avatar", "outfit": OUTFITS[k % len(OUTFITS)],  # a mixed crowd:
                  "hat": HATS[k % len(HATS)]} for k in range(len(spots))]  # outfits and hats add meshes
        return [AvatarView(rigged, base.render, look, far=far) for look in looks]

    def run(views, animated: bool) -> list[float]:
        times = []
        for f in range(args.frames + 5):
            t = f / 30.0
            for k, ((x, y), view) in enumerate(zip(spots, views, strict=True)):
                a = t * 1.2 + k
                state = State(t, x + math.cos(a), y + math.sin(a), 0.0, math.degrees(a) % 360.0)
                if animated:
                    view.set_near(view.root.getDistance(base.camera) < FAR_MODEL_FROM)
                    view.place(state)
                else:
                    view.setPos(state.x, state.y, 0.0)
                    view.setH(state.yaw)
            started = time.perf_counter()
            base.taskMgr.step()
            if f >= 5:
                times.append(time.perf_counter() - started)
        return times

    results: dict[str, list[float]] = {"capsules (before)": [], "rigged figures (now)": []}
    for _ in range(args.blocks):
        for name, make, animated in (("capsules (before)", capsules, False), ("rigged figures (now)", figures, True)):
            views = make()
            results[name] += run(views, animated)
            for v in views:
                v.remove() if animated else v.removeNode()
    print(f"command: tools/bench_avatars.py {' '.join(argv if argv is not None else sys.argv[1:])}  "
          f"{args.avatars} avatars, rural hall, 960x600, tinydisplay (CPU)")
    print(f"{'variant':22} {'frame ms mean':>14} {'p50':>7} {'p95':>7}")
    medians = {}
    for name, times in results.items():
        ms = sorted(t * 1000 for t in times)
        medians[name] = statistics.median(ms)
        print(f"{name:22} {statistics.mean(ms):14.1f} {medians[name]:7.1f} {ms[int(0.95 * len(ms))]:7.1f}")
    ratio = medians["rigged figures (now)"] / medians["capsules (before)"]
    print(f"ratio (p50, now / before): {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
