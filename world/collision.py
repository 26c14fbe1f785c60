"""Walkable space of a hall: a visitor is a circle on the floor plane.

Both the client (to stop the local avatar) and the server (to refuse moves
through walls) use this, so they agree on where a visitor may stand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from world.scene import Hall, contains

VISITOR_RADIUS = 0.35
CLEAR_CELL = 1.0  # m: the grid on which :meth:`Walkable.clear` knows where resolving has nothing to do
CLEAR_MARGIN = 1e-6  # m: kept from every wall and box there, far above a sum's rounding


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
    """The hall floor minus its booths and fixtures; resolves where a visitor ends up.

    Rectangular halls clamp to their walls (the server's hot path); halls with
    an outline polygon push the visitor off every wall closer than ``radius``.
    """

    def __init__(self, hall: Hall, radius: float = VISITOR_RADIUS):
        self.radius = radius
        hx, hy = hall.half_extents
        self.limit_x, self.limit_y = hx - radius, hy - radius
        self.walls = _walls(hall.outline) if hall.outline else ()
        self.poly = hall.outline
        solids = [(b.pos, b.footprint, b.yaw) for b in hall.booths] + [(f.pos, f.size, f.yaw) for f in hall.fixtures]
        self.boxes = tuple(Box(p[0], p[1], s[0] / 2, s[1] / 2, yaw) for p, s, yaw in solids)
        self._free: tuple[bytes, int, int, int] | None = None  # see clear(): built on its first call

    def clear(self, x0: float, y0: float, x1: float, y1: float) -> bool:
        """Whether :meth:`resolve` leaves every point near the segment (x0, y0)-(x1, y1) where it is.

        True when every :data:`CLEAR_CELL` cell the segment's bounding box touches lies inside the walls and
        farther than the visitor's radius from every wall, booth and fixture (by :data:`CLEAR_MARGIN`): there
        no clamp and no push changes a point, so a move through open floor needs no resolving at all (the
        server's sweep, hundreds of times a second). False says nothing: resolve as usual.
        """
        free, i_min, j_min, rows = self._free if self._free is not None else self._free_cells()
        m = CLEAR_MARGIN
        i0, i1 = math.floor((min(x0, x1) - m) / CLEAR_CELL) - i_min, math.floor((max(x0, x1) + m) / CLEAR_CELL) - i_min
        j0, j1 = math.floor((min(y0, y1) - m) / CLEAR_CELL) - j_min, math.floor((max(y0, y1) + m) / CLEAR_CELL) - j_min
        if i0 < 0 or j0 < 0 or j1 >= rows or (i1 + 1) * rows > len(free):
            return False
        if i0 == i1 and j0 == j1:  # a step within one cell: most of them
            return free[i0 * rows + j0] == 1
        return all(free[i * rows + j] for i in range(i0, i1 + 1) for j in range(j0, j1 + 1))

    def _free_cells(self) -> tuple[bytes, int, int, int]:
        """Per cell (column-major bytes), 1 if it is open floor as :meth:`clear` means it; conservative: each
        cell is judged by its centre with half its diagonal added to every distance."""
        lx, ly = self.limit_x, self.limit_y
        i_min, j_min = math.floor(-lx / CLEAR_CELL), math.floor(-ly / CLEAR_CELL)
        cols, rows = math.ceil(lx / CLEAR_CELL) - i_min, math.ceil(ly / CLEAR_CELL) - j_min
        cx = (np.arange(cols) + i_min + 0.5)[:, None] * CLEAR_CELL
        cy = (np.arange(rows) + j_min + 0.5)[None, :] * CLEAR_CELL
        half, m = CLEAR_CELL / 2, CLEAR_MARGIN
        free = (np.abs(cx) + half <= lx - m) & (np.abs(cy) + half <= ly - m)
        spread = half * math.sqrt(2) + m  # from a cell's centre to its corners, and the margin
        for box in self.boxes:
            free &= np.hypot(cx - box.cx, cy - box.cy) > box.reach + self.radius + spread
        for wall in self.walls:
            length2 = wall.dx * wall.dx + wall.dy * wall.dy
            t = np.clip(((cx - wall.x0) * wall.dx + (cy - wall.y0) * wall.dy) / length2, 0.0, 1.0)
            free &= np.hypot(cx - wall.x0 - t * wall.dx, cy - wall.y0 - t * wall.dy) > self.radius + spread
        if self.walls:  # no wall crosses a free cell: it is inside the outline if its centre is
            inside = np.array([[contains(self.poly, float(x), float(y)) for y in cy[0]] for x in cx[:, 0]])
            free &= inside
        self._free = (free.astype(np.uint8).tobytes(), i_min, j_min, rows)
        return self._free

    def resolve(self, x: float, y: float) -> tuple[float, float]:
        """The nearest free spot to (x, y): inside the walls, outside every booth."""
        for _ in range(3):  # a few passes settle corners between neighbouring boxes
            x, y = self._within_walls(x, y)
            moved = False
            for box in self.boxes:
                nx, ny = box.push_out(x, y, self.radius)
                if (nx, ny) != (x, y):
                    x, y, moved = nx, ny, True
            if not moved:
                break
        return self._within_walls(x, y)

    def _within_walls(self, x: float, y: float) -> tuple[float, float]:
        x = max(-self.limit_x, min(self.limit_x, x))
        y = max(-self.limit_y, min(self.limit_y, y))
        if not self.walls:
            return x, y
        if not contains(self.poly, x, y):  # outside: back to the nearest wall first
            wall = min(self.walls, key=lambda w: w.distance(x, y))
            x, y = wall.nearest(x, y)
            x, y = x + wall.nx * 1e-6, y + wall.ny * 1e-6
        for _ in range(2):  # an inner corner needs a second look at its first wall
            for wall in self.walls:
                x, y = wall.push_in(x, y, self.radius)
        return x, y

    def is_free(self, x: float, y: float) -> bool:
        return self.resolve(x, y) == (x, y)


@dataclass(frozen=True)
class Wall:
    """One wall segment of a counter-clockwise outline; (nx, ny) points into the hall."""

    x0: float
    y0: float
    dx: float
    dy: float
    nx: float
    ny: float

    def nearest(self, x: float, y: float) -> tuple[float, float]:
        t = max(0.0, min(1.0, ((x - self.x0) * self.dx + (y - self.y0) * self.dy) / (self.dx ** 2 + self.dy ** 2)))
        return self.x0 + t * self.dx, self.y0 + t * self.dy

    def distance(self, x: float, y: float) -> float:
        qx, qy = self.nearest(x, y)
        return math.hypot(x - qx, y - qy)

    def push_in(self, x: float, y: float, r: float) -> tuple[float, float]:
        """Move a circle inside the hall (x, y, r) off this wall, away from the wall's nearest point."""
        qx, qy = self.nearest(x, y)
        ex, ey = x - qx, y - qy
        d = math.hypot(ex, ey)
        if d >= r:
            return x, y
        if d < 1e-9 or ex * self.nx + ey * self.ny < 0:  # on the wall or behind it: straight in
            ex, ey, d = self.nx, self.ny, 1.0
        return qx + ex / d * r, qy + ey / d * r


def _walls(poly: tuple[tuple[float, float], ...]) -> tuple[Wall, ...]:
    out = []
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        out.append(Wall(x0, y0, dx, dy, -dy / length, dx / length))  # left of a CCW edge is inside
    return tuple(out)
