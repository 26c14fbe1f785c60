"""Where the server puts a visitor: through a portal, in front of a booth.

Pure geometry over scene data, so the server decides (server-authoritative:
a visitor asks for a booth or walks into a gate, never for coordinates) and
tests check it without a network.
"""

from __future__ import annotations

import math

from world.collision import Walkable
from world.scene import Booth, Hall, Portal

PORTAL_DEPTH = 0.9  # m in front of a gate that count as walking into it
ARRIVE_GAP = 2.6  # m in front of the gate one arrives at: clear of its trigger area
BOOTH_GAP = 1.4  # m between a booth's front edge and where a teleported visitor stands


def _local(x: float, y: float, ox: float, oy: float, yaw: float) -> tuple[float, float]:
    """(x, y) in the frame of something at (ox, oy) facing ``yaw`` (its front is local +Y)."""
    c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
    dx, dy = x - ox, y - oy
    return c * dx + s * dy, -s * dx + c * dy


def _ahead(ox: float, oy: float, yaw: float, dist: float) -> tuple[float, float]:
    h = math.radians(yaw)
    return ox - math.sin(h) * dist, oy + math.cos(h) * dist


def portal_at(hall: Hall, x: float, y: float) -> Portal | None:
    """The gate a visitor standing at (x, y) has walked into, if any: within ``PORTAL_DEPTH`` of its opening.

    Called for every move, so a distance check comes before any trigonometry.
    """
    for portal in hall.portals:
        px, py = portal.pos
        half = portal.width / 2
        if (x - px) ** 2 + (y - py) ** 2 > half * half + PORTAL_DEPTH * PORTAL_DEPTH:
            continue
        lx, ly = _local(x, y, px, py, portal.yaw)
        if abs(lx) <= half and abs(ly) <= PORTAL_DEPTH:
            return portal
    return None


def arrival(hall: Hall, came_from: str, walkable: Walkable | None = None) -> tuple[float, float, float]:
    """(x, y, yaw) for a visitor entering ``hall`` through the gate back to ``came_from``, else at the first spawn."""
    back = next((p for p in hall.portals if p.to == came_from), None)
    if back is None:
        spawn = hall.spawns[0]
        return spawn.pos[0], spawn.pos[1], spawn.yaw
    x, y = _ahead(*back.pos, back.yaw, ARRIVE_GAP)
    x, y = (walkable or Walkable(hall)).resolve(x, y)
    return x, y, back.yaw % 360.0


def booth_front(hall: Hall, booth: Booth, walkable: Walkable | None = None) -> tuple[float, float, float]:
    """(x, y, yaw) of a free spot in front of ``booth``, facing it."""
    x, y = _ahead(*booth.pos, booth.yaw, booth.footprint[1] / 2 + BOOTH_GAP)
    x, y = (walkable or Walkable(hall)).resolve(x, y)
    return x, y, (booth.yaw + 180.0) % 360.0
