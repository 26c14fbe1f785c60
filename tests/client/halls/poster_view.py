"""Render one booth's poster in a shipped hall model as a visitor standing in front of it sees it.

    poster_view.py HALL BOOTH OUT_PNG OUT_JSON

The camera stands 2.5 m out on the booth's open side (+Y of its frame), level
with the poster's centre and looking at it. OUT_JSON gives the poster's four
corners in pixels (x right, y down), ordered as the poster's own top-left,
top-right, bottom-right, bottom-left, from the scene's geometry.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from client import render  # noqa: E402
from client.offscreen import save_png, screen_point  # noqa: E402
from tools.build_assets import poster_area  # noqa: E402
from world.scene import load_halls  # noqa: E402


def main() -> int:
    hall_id, booth_id, out_png, out_json = sys.argv[1:5]
    render.configure(render.choose("tiny", True), (480, 360), "poster")
    from direct.showbase.ShowBase import ShowBase

    from client.halls.assets import hall_file, load_model

    base = ShowBase()
    base.disableMouse()
    render.add_lights(base.render)
    base.camLens.setFov(60)
    hall = load_halls()[hall_id]
    booth = hall.booth(booth_id)
    model = load_model(base.loader, hall_file(hall.id))
    render.prepare_model(model)
    model.reparentTo(base.render)
    x0, x1, z0, z1, y = poster_area(booth.template, *booth.footprint)
    c, s = math.cos(math.radians(booth.yaw)), math.sin(math.radians(booth.yaw))

    def world(px: float, py: float, pz: float) -> tuple[float, float, float]:
        return booth.pos[0] + c * px - s * py, booth.pos[1] + s * px + c * py, pz

    zc = (z0 + z1) / 2
    base.camera.setPos(*world(0.0, y + 2.5, zc))
    base.camera.lookAt(*world(0.0, y, zc))
    for _ in range(3):
        base.graphicsEngine.renderFrame()
    save_png(base, out_png)
    # the visitor faces -Y of the booth frame, so the poster's left edge is at +x
    corners = [world(x1, y, z1), world(x0, y, z1), world(x0, y, z0), world(x1, y, z0)]
    Path(out_json).write_text(json.dumps({"corners": [screen_point(base, p) for p in corners]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
