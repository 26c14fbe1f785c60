"""Which booth the visitor is at: proximity highlight and mouse picking.

The geometry is pure (tested without a renderer): a booth is near when the
visitor stands within :data:`NEAR` metres of its footprint on its open side;
a click picks the nearest booth whose box (footprint x 3 m) the view ray hits.
The highlight itself is a glowing outline on the floor plus a hint above.
"""

from __future__ import annotations

import math

from panda3d.core import LineSegs, NodePath, TextNode

from client import render
from world.scene import Booth

NEAR = 2.2  # m from the footprint's edge
BOOTH_TOP = 3.0


def _local(booth: Booth, x: float, y: float) -> tuple[float, float]:
    c, s = math.cos(math.radians(booth.yaw)), math.sin(math.radians(booth.yaw))
    dx, dy = x - booth.pos[0], y - booth.pos[1]
    return c * dx + s * dy, -s * dx + c * dy


def nearest_booth(booths: tuple[Booth, ...], x: float, y: float) -> Booth | None:
    """The booth whose footprint is closest to (x, y), if within NEAR and not behind its back wall."""
    best, best_d = None, NEAR
    for booth in booths:
        lx, ly = _local(booth, x, y)
        hw, hd = booth.footprint[0] / 2, booth.footprint[1] / 2
        if booth.template != "island" and ly < -hd + 0.3:
            continue  # behind the back wall
        d = math.hypot(max(abs(lx) - hw, 0.0), max(abs(ly) - hd, 0.0))
        if d < best_d:
            best, best_d = booth, d
    return best


def pick_booth(booths: tuple[Booth, ...], origin: tuple, direction: tuple) -> Booth | None:
    """The first booth box (footprint x BOOTH_TOP) hit by the ray, or None."""
    best, best_t = None, math.inf
    for booth in booths:
        c, s = math.cos(math.radians(booth.yaw)), math.sin(math.radians(booth.yaw))
        ox, oy = _local(booth, origin[0], origin[1])
        dx, dy = c * direction[0] + s * direction[1], -s * direction[0] + c * direction[1]
        lo = (-booth.footprint[0] / 2, -booth.footprint[1] / 2, 0.0)
        hi = (booth.footprint[0] / 2, booth.footprint[1] / 2, BOOTH_TOP)
        t0, t1 = 0.0, math.inf
        for o, d, a, b in zip((ox, oy, origin[2]), (dx, dy, direction[2]), lo, hi, strict=True):
            if abs(d) < 1e-12:
                if not a <= o <= b:
                    break
                continue
            ta, tb = sorted(((a - o) / d, (b - o) / d))
            t0, t1 = max(t0, ta), min(t1, tb)
        else:
            if t0 <= t1 and t0 < best_t:
                best, best_t = booth, t0
    return best


class Highlight:
    """A glowing outline round the booth at hand and a 'press E' hint over it."""

    def __init__(self, parent: NodePath):
        self.parent = parent
        self.node: NodePath | None = None
        self.booth: Booth | None = None

    def set(self, booth: Booth | None, hint: str) -> None:
        if booth is self.booth:
            return
        if self.node is not None:
            self.node.removeNode()
        self.booth, self.node = booth, None
        if booth is None:
            return
        self.node = self.parent.attachNewNode("highlight")
        self.node.setPos(booth.pos[0], booth.pos[1], 0.0)
        self.node.setH(booth.yaw)
        w, d = booth.footprint[0] / 2 + 0.12, booth.footprint[1] / 2 + 0.12
        segs = LineSegs("outline")
        segs.setThickness(4)
        segs.setColor(render.colour((1.0, 0.82, 0.3)))
        for z in (0.05, 0.09):
            segs.moveTo(-w, -d, z)
            for x, y in ((w, -d), (w, d), (-w, d), (-w, -d)):
                segs.drawTo(x, y, z)
        self.node.attachNewNode(segs.create())
        tn = TextNode("hint")
        tn.setText(hint)
        tn.setAlign(TextNode.ACenter)
        tn.setTextColor(1, 1, 1, 1)
        tn.setCardColor(0.72, 0.2, 0.15, 0.92)
        tn.setCardAsMargin(0.4, 0.4, 0.2, 0.15)
        tn.setCardDecal(True)
        label = self.node.attachNewNode(tn)
        label.setPos(0, 0, 3.35 if booth.template != "picture" else 4.0)
        label.setScale(0.28)
        label.setBillboardPointEye()
        render.unlit(self.node)
