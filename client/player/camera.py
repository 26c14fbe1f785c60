"""Third-person camera on a boom behind the avatar that never looks through a wall.

The boom runs from the avatar's head back and up to the camera. Each frame it
is marched from the head outwards against a :class:`Walkable` with a camera-
sized radius (walls and booths are solid from floor to ceiling for this) and
the ceiling; the camera sits just inside the first blocked point. It pulls in
at once and eases back out, so it never clips but does not jitter either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from panda3d.core import NodePath

from world.collision import Walkable
from world.scene import Hall

LOOK_Z = 2.0  # m: just above the head, so the avatar sits low in the frame and the hall stays in view
BOOM_BACK, BOOM_UP = 4.5, 2.6  # camera offset from the feet at rest
CAMERA_RADIUS = 0.25  # m of clearance kept from walls
STEP = 0.1  # m between boom samples
MIN_BOOM = 0.4
EASE_OUT = 3.0  # m/s at which a shortened boom grows back
PITCH_RANGE = (-10.0, 65.0)  # degrees of boom elevation the mouse may set
REST_PITCH = math.degrees(math.atan2(BOOM_UP - LOOK_Z, BOOM_BACK))
REST_LENGTH = math.hypot(BOOM_BACK, BOOM_UP - LOOK_Z)


@dataclass(frozen=True)
class Boom:
    """Where the boom points: ``yaw`` (the avatar's heading) and ``pitch`` (elevation, degrees)."""

    yaw: float
    pitch: float = REST_PITCH

    def direction(self) -> tuple[float, float, float]:
        """Unit vector from the head towards the camera (behind the avatar)."""
        h, p = math.radians(self.yaw), math.radians(self.pitch)
        return math.sin(h) * math.cos(p), -math.cos(h) * math.cos(p), math.sin(p)


def free_length(space: Walkable, ceiling: float, head: tuple[float, float, float],
                direction: tuple[float, float, float], length: float) -> float:
    """How far along ``direction`` from ``head`` the camera can go before a wall, booth or ceiling."""
    free = 0.0
    steps = max(1, math.ceil(length / STEP))
    for i in range(1, steps + 1):
        d = length * i / steps
        x, y, z = (head[k] + direction[k] * d for k in range(3))
        if not space.is_free(x, y) or z > ceiling:
            return max(MIN_BOOM, free - STEP / 2)
        free = d
    return length


class ChaseCamera:
    """Keeps ``camera`` behind the avatar; call :meth:`update` once per frame."""

    def __init__(self, camera: NodePath, hall: Hall):
        self.camera = camera
        self.space = Walkable(hall, CAMERA_RADIUS)
        self.ceiling = hall.height - CAMERA_RADIUS
        self.pitch = REST_PITCH
        self.length = REST_LENGTH

    def tilt(self, degrees: float) -> None:
        self.pitch = max(PITCH_RANGE[0], min(PITCH_RANGE[1], self.pitch + degrees))

    def update(self, x: float, y: float, yaw: float, dt: float) -> None:
        head = (x, y, LOOK_Z)
        direction = Boom(yaw, self.pitch).direction()
        allowed = free_length(self.space, self.ceiling, head, direction, REST_LENGTH)
        self.length = allowed if allowed < self.length else min(allowed, self.length + EASE_OUT * dt)
        self.camera.setPos(*(head[k] + direction[k] * self.length for k in range(3)))
        self.camera.lookAt(*head)
