"""Walkable space of a hall: a visitor is a circle on the floor plane.

Both the client (to stop the local avatar) and the server (to refuse moves
through walls) use this, so they agree on where a visitor may stand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from world.scene import Hall

VISITOR_RADIUS = 0.35


@dataclass(frozen=True)
class Box:
    """An oriented rectangle on the floor: centre, half sizes, heading (deg)."""

    cx: float
    cy: float
    hw: float
    hd: float
    yaw: float

    def __post_init__(self) -> None:
        # derived once: the server resolves thousands of moves a second against these
        object.__setattr__(self, "c", math.cos(math.radians(self.yaw)))
        object.__setattr__(self, "s", math.sin(math.radians(self.yaw)))
        object.__setattr__(self, "reach", math.hypot(self.hw, self.hd))

    def push_out(self, x: float, y: float, r: float) -> tuple[float, float]:
        """Move the circle (x, y, r) the shortest way out of this box."""
        dx, dy = x - self.cx, y - self.cy
        reach = self.reach + r
        if dx * dx + dy * dy >= reach * reach:  # far away: the common case
            return x, y
        c, s = self.c, self.s
        lx, ly = c * dx + s * dy, -s * dx + c * dy  # into the box's frame
        qx, qy = max(-self.hw, min(self.hw, lx)), max(-self.hd, min(self.hd, ly))
        ex, ey = lx - qx, ly - qy
        dist2 = ex * ex + ey * ey
        if dist2 >= r * r:
            return x, y
        if dist2 > 1e-12:
            d = math.sqrt(dist2)
            lx, ly = qx + ex / d * r, qy + ey / d * r
        else:  # centre inside: leave through the nearest side
            gaps = (self.hw - lx, self.hw + lx, self.hd - ly, self.hd + ly)
            side = gaps.index(min(gaps))
            if side == 0:
                lx = self.hw + r
            elif side == 1:
                lx = -self.hw - r
            elif side == 2:
                ly = self.hd + r
            else:
                ly = -self.hd - r
        return self.cx + c * lx - s * ly, self.cy + s * lx + c * ly


class Walkable:
    """The hall floor minus its booths; resolves where a visitor ends up."""

    def __init__(self, hall: Hall, radius: float = VISITOR_RADIUS):
        self.radius = radius
        hx, hy = hall.half_extents
        self.limit_x, self.limit_y = hx - radius, hy - radius
        self.boxes = tuple(
            Box(b.pos[0], b.pos[1], b.footprint[0] / 2, b.footprint[1] / 2, b.yaw) for b in hall.booths
        )

    def resolve(self, x: float, y: float) -> tuple[float, float]:
        """The nearest free spot to (x, y): inside the walls, outside every booth."""
        for _ in range(3):  # a few passes settle corners between neighbouring boxes
            x = max(-self.limit_x, min(self.limit_x, x))
            y = max(-self.limit_y, min(self.limit_y, y))
            moved = False
            for box in self.boxes:
                nx, ny = box.push_out(x, y, self.radius)
                if (nx, ny) != (x, y):
                    x, y, moved = nx, ny, True
            if not moved:
                break
        return max(-self.limit_x, min(self.limit_x, x)), max(-self.limit_y, min(self.limit_y, y))

    def is_free(self, x: float, y: float) -> bool:
        return self.resolve(x, y) == (x, y)
