"""The visitor's own avatar: local prediction and the move messages that report it.

The avatar moves at once on input (no waiting for the server), swept through
the same :class:`Walkable` the server uses so the two agree and corrections
stay rare. :class:`MoveClock` decides when a ``move`` goes out: at 15 Hz while
walking or turning, once more on stopping, and now and then while standing.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from world.collision import Walkable

WALK_SPEED = 3.5  # m/s
RUN_SPEED = 6.0
TURN_SPEED = 120.0  # degrees/s with Q/E or the arrow keys
SUBSTEP = 0.2  # m: sweep long steps in pieces, like the server
ARRIVED = 0.05  # m: close enough to a waypoint
IDLE, WALK, RUN, SEATED = 0, 1, 2, 4  # protocol anim values


def forward_of(yaw: float) -> tuple[float, float]:
    """Unit vector an avatar with heading ``yaw`` faces (0 = +Y, 90 = -X)."""
    h = math.radians(yaw)
    return -math.sin(h), math.cos(h)


def heading_to(dx: float, dy: float) -> float:
    """The heading that faces along (dx, dy)."""
    return math.degrees(math.atan2(-dx, dy)) % 360.0


@dataclass
class Intent:
    """What the visitor asks for this frame: axes in -1..1 and a run flag."""

    forward: float = 0.0
    strafe: float = 0.0  # + is right
    turn: float = 0.0  # + is left (Panda heading grows counter-clockwise)
    run: bool = False


class Player:
    MAX_PENDING = 256  # sent moves remembered for reconciliation (~17 s at 15 Hz)

    def __init__(self, walkable: Walkable, x: float = 0.0, y: float = 0.0, yaw: float = 0.0):
        self.walkable = walkable
        self.x, self.y, self.yaw = x, y, yaw
        self.anim = IDLE
        self.seated = False  # on an audience seat the server gave (client/stage/seats.py): anim SEATED while still
        self.pending: deque[tuple[int, float, float]] = deque(maxlen=self.MAX_PENDING)

    def place(self, x: float, y: float, yaw: float) -> None:
        """Put the avatar where the server says (join): forget moves of any earlier placement."""
        self.x, self.y = self.walkable.resolve(x, y)
        self.yaw = yaw % 360.0
        self.pending.clear()

    def sent(self, seq: int) -> None:
        """A ``move`` with this position went out as ``seq``."""
        self.pending.append((seq, self.x, self.y))

    def acknowledge(self, seq: int) -> None:
        """The server applied every move up to ``seq`` as sent: no need to remember them."""
        while self.pending and self.pending[0][0] < seq:
            self.pending.popleft()

    def reconcile(self, seq: int, x: float, y: float, yaw: float) -> None:
        """The server put move ``seq`` at (x, y): keep the walking done since, from there.

        Snapping straight to (x, y) would throw away everything predicted after
        ``seq`` (and then the moves already in flight would be refused again);
        instead the displacement since ``seq`` is replayed from the corrected
        spot, through the same walls.
        """
        base = next(((px, py) for s, px, py in self.pending if s == seq), None)
        dx, dy = (self.x - base[0], self.y - base[1]) if base else (0.0, 0.0)
        self.x, self.y = self.walkable.resolve(x, y)
        if base is None:
            self.yaw = yaw % 360.0
        self._sweep(dx, dy)
        while self.pending and self.pending[0][0] <= seq:
            self.pending.popleft()

    def step(self, intent: Intent, dt: float) -> bool:
        """Apply one frame of input; True if the avatar moved or turned."""
        turned = intent.turn != 0.0
        self.yaw = (self.yaw + intent.turn * TURN_SPEED * dt) % 360.0
        fx, fy = forward_of(self.yaw)
        rx, ry = fy, -fx
        dx, dy = fx * intent.forward + rx * intent.strafe, fy * intent.forward + ry * intent.strafe
        norm = math.hypot(dx, dy)
        if norm < 1e-6:
            self.anim = SEATED if self.seated else IDLE
            return turned
        self.seated = False  # walking off stands up; the server gives the place back
        speed = RUN_SPEED if intent.run else WALK_SPEED
        scale = speed * dt / max(norm, 1.0)
        self._sweep(dx * scale, dy * scale)
        self.anim = RUN if intent.run else WALK
        return True

    def walk_to(self, tx: float, ty: float, dt: float) -> bool:
        """Walk towards (tx, ty), facing it; True once there (or stuck against something)."""
        dx, dy = tx - self.x, ty - self.y
        dist = math.hypot(dx, dy)
        if dist <= ARRIVED:
            self.anim = IDLE
            return True
        self.yaw = heading_to(dx, dy)
        reach = min(dist, WALK_SPEED * dt)
        before = (self.x, self.y)
        self._sweep(dx / dist * reach, dy / dist * reach)
        self.anim = WALK
        if (self.x, self.y) == before:  # blocked: give up on this waypoint
            self.anim = IDLE
            return True
        return math.hypot(tx - self.x, ty - self.y) <= ARRIVED

    def _sweep(self, dx: float, dy: float) -> None:
        steps = max(1, math.ceil(math.hypot(dx, dy) / SUBSTEP))
        for _ in range(steps):
            self.x, self.y = self.walkable.resolve(self.x + dx / steps, self.y + dy / steps)


class MoveClock:
    """When to send ``move``: ``SEND_HZ`` while active, on stopping, and every ``IDLE_EVERY`` s."""

    SEND_HZ = 15.0
    IDLE_EVERY = 2.0

    def __init__(self) -> None:
        self.seq = 0
        self.sent_at = -math.inf
        self.was_active = False

    def due(self, now: float, active: bool) -> bool:
        stopped = self.was_active and not active
        self.was_active = active
        wait = 1.0 / self.SEND_HZ if active else self.IDLE_EVERY
        return stopped or now - self.sent_at >= wait

    def soon(self) -> None:
        """Send at the next frame (the pose changed without walking: sat down)."""
        self.sent_at = -math.inf

    def next_seq(self, now: float) -> int:
        self.sent_at = now
        self.seq += 1
        return self.seq
