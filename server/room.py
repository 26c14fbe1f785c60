"""One hall's live visitors: authoritative movement and area of interest.

Sans-I/O: callers pass ``now`` and get plain data back. Each visitor sees the
others within ``view_radius``, at most ``max_view`` of them (the nearest),
found through a uniform grid so a tick costs O(visitors x neighbours), not
O(visitors^2). Positions are quantized once per change (cm, 16-bit yaw), and a
snapshot carries only entities that changed since that observer's last one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import msgpack
import numpy as np

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
    state: list = field(default_factory=list)  # quantized [id, x, y, z, yaw, anim], replaced on change
    packed: bytes = b""  # ``state`` in msgpack, packed once per change for every observer
    cell: tuple[int, int] = (0, 0)
    # what this visitor, as an observer, has been told: id -> the state object last sent
    known: dict[int, list] = field(default_factory=dict)
    needs_full: bool = True
    acked: int = -1

    def requantize(self) -> bool:
        """Refresh ``state``/``packed`` from the position; True if the quantized state changed."""
        state = [self.id, round(self.x * CM), round(self.y * CM), 0, quantize_yaw(self.yaw), self.anim]
        if state == self.state:
            return False
        self.state, self.packed = state, msgpack.packb(state)
        return True

    @property
    def info(self) -> dict:
        return {"id": self.id, "name": self.name, "look": self.look}


@dataclass
class Snapshot:
    """What one observer should be told this tick (``ents`` already msgpack-packed)."""

    full: bool
    ack: int
    enter: list[dict]
    leave: list[int]
    ents: list[bytes]

    def __bool__(self) -> bool:
        return self.full or bool(self.enter or self.leave or self.ents)


class Room:
    def __init__(self, hall: Hall, view_radius: float = 24.0, max_view: int = 50, capacity: int = 2000,
                 near_radius: float = 10.0):
        self.hall = hall
        self.walkable = Walkable(hall)
        self.view_radius = view_radius
        self.near_radius = near_radius
        self.max_view = max_view
        self.capacity = capacity
        self.avatars: dict[int, Avatar] = {}
        self.cells: dict[tuple[int, int], set[int]] = {}
        self._row: dict[int, int] = {}  # avatar id -> row in this tick's position array
        self.tick_no = 0

    def __len__(self) -> int:
        return len(self.avatars)

    @property
    def full(self) -> bool:
        return len(self.avatars) >= self.capacity

    # --- membership ------------------------------------------------------
    def add(self, vid: int, name: str, look: dict, now: float,
            at: tuple[float, float, float] | None = None) -> Avatar:
        """Place a visitor at ``at`` (x, y, yaw: a resumed visitor) or the least crowded spawn point."""
        if at is None:
            spawn = min(self.hall.spawns, key=self._crowding)
            at = (*spawn.pos, spawn.yaw)
        x, y = self.walkable.resolve(at[0], at[1])
        av = Avatar(vid, name, look, x, y, at[2], moved_at=now)
        av.requantize()
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
        av.requantize()
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

    def visible_sets(self) -> dict[int, tuple[list[int], list[bool]]]:
        """For every visitor: ids of the nearest others within view (at most ``max_view``),
        and for each whether it is within ``near_radius``.

        Batched per grid cell with numpy: the members of one cell against all
        visitors of its 3x3 neighbourhood, one distance matrix per cell.
        """
        if not self.avatars:
            return {}
        self._row = {vid: i for i, vid in enumerate(self.avatars)}
        r2, near2, k = self.view_radius**2, self.near_radius**2, self.max_view
        ids = np.fromiter(self.avatars, dtype=np.int64, count=len(self.avatars))
        xy = np.array([(a.x, a.y) for a in self.avatars.values()])
        row_of = {cell: np.fromiter((self._row[i] for i in members), dtype=np.int64, count=len(members))
                  for cell, members in self.cells.items()}
        out: dict[int, tuple[list[int], list[bool]]] = {}
        for (cx, cy), mine in row_of.items():
            blocks = [row_of[c] for c in ((cx + dx, cy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)) if c in row_of]
            cand = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
            diff = xy[mine][:, None, :] - xy[cand][None, :, :]
            d2 = np.einsum("ijk,ijk->ij", diff, diff)
            d2[mine[:, None] == cand[None, :]] = np.inf  # nobody sees themselves
            d2[d2 > r2] = np.inf
            if len(cand) > k:
                idx = np.argpartition(d2, k - 1, axis=1)[:, :k]
                d2 = np.take_along_axis(d2, idx, axis=1)
                seen_ids = ids[cand][idx]
            else:
                seen_ids = np.broadcast_to(ids[cand], d2.shape)
            seen = np.isfinite(d2)
            near = d2 <= near2
            all_seen = seen.all(axis=1).tolist()
            id_rows, near_rows = seen_ids.tolist(), near.tolist()
            for row, vid in enumerate(ids[mine].tolist()):
                if all_seen[row]:
                    out[vid] = (id_rows[row], near_rows[row])
                else:
                    mask = seen[row]
                    out[vid] = (seen_ids[row][mask].tolist(), near[row][mask].tolist())
        return out

    def tick(self, skip: set[int] | frozenset = frozenset()) -> dict[int, Snapshot]:
        """Advance one tick; the snapshot each visitor should receive (empty ones left out).

        ``skip`` holds observers whose previous snapshot is still unsent: they
        get nothing this tick, so their next delta is computed against what
        they were really sent and a slow reader costs no work.

        An observer is sent an entity's state when the state object differs from
        the one it was last sent (states are replaced, never mutated, so an
        identity check suffices). Visitors beyond ``near_radius`` are refreshed
        every other tick only: they are small on screen and the client
        interpolates anyway.
        """
        self.tick_no += 1
        odd = self.tick_no & 1
        avatars = self.avatars
        out: dict[int, Snapshot] = {}
        for vid, (vis_ids, vis_near) in self.visible_sets().items():
            if vid in skip:
                continue
            av = avatars[vid]
            known = av.known
            fresh: dict[int, list] = {}
            enter, ents = [], []
            for oid, near in zip(vis_ids, vis_near, strict=True):
                o = avatars[oid]
                state = o.state
                last = known.get(oid)
                if last is state:
                    fresh[oid] = state
                elif last is None:
                    enter.append(o.info)
                    ents.append(o.packed)
                    fresh[oid] = state
                elif near or (oid & 1) == odd:
                    ents.append(o.packed)
                    fresh[oid] = state
                else:
                    fresh[oid] = last
            leave = [oid for oid in known if oid not in fresh] if len(known) + len(enter) != len(fresh) else []
            snap = Snapshot(av.needs_full, av.seq, enter, sorted(leave), ents)
            av.known = fresh
            av.needs_full = False
            if snap or av.seq != av.acked:
                av.acked = av.seq
                out[vid] = snap
        return out
