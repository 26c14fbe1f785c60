"""One hall's live visitors: authoritative movement and area of interest.

Sans-I/O: callers pass ``now`` and get plain data back. Each visitor sees the
others within ``view_radius``, at most ``max_view`` of them (the nearest),
found through a uniform grid so a tick costs O(visitors x neighbours), not
O(visitors^2). Positions are quantized once per change (cm, 16-bit yaw), and a
snapshot carries only entities that changed since that observer's last one.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from protocol.messages import CM, quantize_yaw
from world.collision import Walkable
from world.scene import Hall

MAX_SPEED = 6.0  # m/s: a brisk run; the client walks at 3.5 and runs at 6
SPEED_SLACK = 1.25  # jitter allowance on top of the speed limit
MAX_MOVE_DT = 0.5  # s: a long silence does not bank a long jump
SUBSTEP = 0.2  # m: moves are swept in steps this long, so nothing tunnels
CORRECT_EPS = 0.05  # m: smaller disagreements are not worth a correction


@dataclass
class Avatar:
    id: int
    name: str
    look: dict
    x: float
    y: float
    yaw: float
    anim: int = 0
    seq: int = -1
    moved_at: float = 0.0
    changed_tick: int = 0
    state: list = field(default_factory=list)  # quantized [id, x, y, z, yaw, anim]
    cell: tuple[int, int] = (0, 0)
    # what this visitor, as an observer, has been told
    known: set[int] = field(default_factory=set)
    sent_tick: int = -1
    acked: int = -1

    def quantize(self) -> list:
        return [self.id, round(self.x * CM), round(self.y * CM), 0, quantize_yaw(self.yaw), self.anim]

    @property
    def info(self) -> dict:
        return {"id": self.id, "name": self.name, "look": self.look}


@dataclass
class Snapshot:
    """What one observer should be told this tick."""

    full: bool
    ack: int
    enter: list[dict]
    leave: list[int]
    ents: list[list]

    def __bool__(self) -> bool:
        return self.full or bool(self.enter or self.leave or self.ents)


class Room:
    def __init__(self, hall: Hall, view_radius: float = 24.0, max_view: int = 50, capacity: int = 2000):
        self.hall = hall
        self.walkable = Walkable(hall)
        self.view_radius = view_radius
        self.max_view = max_view
        self.capacity = capacity
        self.avatars: dict[int, Avatar] = {}
        self.cells: dict[tuple[int, int], set[int]] = {}
        self.tick_no = 0

    def __len__(self) -> int:
        return len(self.avatars)

    @property
    def full(self) -> bool:
        return len(self.avatars) >= self.capacity

    # --- membership ------------------------------------------------------
    def add(self, vid: int, name: str, look: dict, now: float) -> Avatar:
        spawn = min(self.hall.spawns, key=self._crowding)
        x, y = self.walkable.resolve(*spawn.pos)
        av = Avatar(vid, name, look, x, y, spawn.yaw, moved_at=now, changed_tick=self.tick_no + 1)
        av.state = av.quantize()
        av.cell = self._cell_of(x, y)
        self.avatars[vid] = av
        self.cells.setdefault(av.cell, set()).add(vid)
        return av

    def _crowding(self, spawn) -> int:
        """Visitors standing within 1.5 m of a spawn point: newcomers go where it is free."""
        sx, sy = spawn.pos
        return sum((a.x - sx) ** 2 + (a.y - sy) ** 2 < 2.25 for a in self.avatars.values())

    def remove(self, vid: int) -> None:
        av = self.avatars.pop(vid, None)
        if av is not None:
            self._unindex(av)

    # --- movement --------------------------------------------------------
    def move(self, vid: int, seq: int, pos: list[float], yaw: float, anim: int, now: float) -> Avatar | None:
        """Apply a move request; return the avatar if the client must be corrected."""
        av = self.avatars[vid]
        if seq <= av.seq:  # stale or replayed
            return None
        av.seq = seq
        dt = min(max(now - av.moved_at, 0.0), MAX_MOVE_DT)
        av.moved_at = now
        tx, ty = pos[0], pos[1]
        dx, dy = tx - av.x, ty - av.y
        dist = math.hypot(dx, dy)
        allowed = MAX_SPEED * SPEED_SLACK * max(dt, 0.1)
        if dist > allowed:
            dx, dy = dx / dist * allowed, dy / dist * allowed
        x, y = self._sweep(av.x, av.y, dx, dy)
        self._place(av, x, y, yaw % 360.0, anim)
        off = math.hypot(tx - x, ty - y)
        return av if off > CORRECT_EPS or abs(pos[2]) > CORRECT_EPS else None

    def _sweep(self, x: float, y: float, dx: float, dy: float) -> tuple[float, float]:
        steps = max(1, math.ceil(math.hypot(dx, dy) / SUBSTEP))
        for _ in range(steps):
            x, y = self.walkable.resolve(x + dx / steps, y + dy / steps)
        return x, y

    def _place(self, av: Avatar, x: float, y: float, yaw: float, anim: int) -> None:
        av.x, av.y, av.yaw, av.anim = x, y, yaw, anim
        state = av.quantize()
        if state != av.state:
            av.state = state
            av.changed_tick = self.tick_no + 1
        cell = self._cell_of(x, y)
        if cell != av.cell:
            self._unindex(av)
            av.cell = cell
            self.cells.setdefault(cell, set()).add(av.id)

    # --- area of interest ------------------------------------------------
    def _cell_of(self, x: float, y: float) -> tuple[int, int]:
        return math.floor(x / self.view_radius), math.floor(y / self.view_radius)

    def _unindex(self, av: Avatar) -> None:
        members = self.cells.get(av.cell)
        if members is not None:
            members.discard(av.id)
            if not members:
                del self.cells[av.cell]

    def visible_to(self, av: Avatar) -> list[int]:
        """Ids of the nearest others within view radius, at most ``max_view``."""
        r2 = self.view_radius * self.view_radius
        cx, cy = av.cell
        near: list[tuple[float, int]] = []
        for gx in (cx - 1, cx, cx + 1):
            for gy in (cy - 1, cy, cy + 1):
                for oid in self.cells.get((gx, gy), ()):
                    if oid == av.id:
                        continue
                    o = self.avatars[oid]
                    d2 = (o.x - av.x) ** 2 + (o.y - av.y) ** 2
                    if d2 <= r2:
                        near.append((d2, oid))
        if len(near) > self.max_view:
            near = heapq.nsmallest(self.max_view, near)
        return [oid for _, oid in near]

    def resync(self, vid: int) -> None:
        """The observer lost a snapshot: next time tell it everything again."""
        av = self.avatars.get(vid)
        if av is not None:
            av.known.clear()
            av.sent_tick = -1

    def tick(self) -> dict[int, Snapshot]:
        """Advance one tick; the snapshot each visitor should receive (empty ones left out)."""
        self.tick_no += 1
        out: dict[int, Snapshot] = {}
        for av in self.avatars.values():
            full = av.sent_tick < 0
            visible = self.visible_to(av)
            now_known = set(visible)
            enter = [self.avatars[i].info for i in visible if i not in av.known]
            leave = sorted(av.known - now_known)
            since = av.sent_tick
            ents = [o.state for o in map(self.avatars.__getitem__, visible)
                    if o.changed_tick > since or o.id not in av.known]
            snap = Snapshot(full, av.seq, enter, leave, ents)
            av.known = now_known
            av.sent_tick = self.tick_no
            if snap or av.seq != av.acked:
                av.acked = av.seq
                out[av.id] = snap
        return out
