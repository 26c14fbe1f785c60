"""One hall's live visitors: authoritative movement and area of interest.

Sans-I/O: callers pass ``now`` and get plain data back. Each visitor sees the
others within ``view_radius``, at most ``max_view`` of them (the nearest).

A tick is batched with numpy so hundreds of visitors cost little Python:

- every avatar has a stable *slot* (an index into position/version arrays);
- a uniform grid (cell = view radius) limits each visitor's candidates to the
  3x3 cells around it, one distance matrix per cell;
- ``sent[observer, slot]`` holds the state version last sent to that observer
  (-1: never told), so entering, changed and left avatars are array masks;
- each avatar's quantized state (cm, 16-bit yaw) is packed once per change
  (:func:`protocol.codec.pack_entity`) and the same bytes are spliced into
  every observer's snapshot.

Avatars farther than ``near_radius`` are refreshed every other tick only.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from protocol.codec import entity_state, pack, pack_entity
from server.rooms.tick import Result, SentTable, Snapshot, TickPlan
from world.collision import Walkable
from world.looks import legacy_look
from world.scene import Hall

MAX_SPEED = 6.0  # m/s: a brisk run; the client walks at 3.5 and runs at 6
SPEED_SLACK = 1.25  # jitter allowance on top of the speed limit
MAX_MOVE_DT = 0.5  # s: a long silence does not bank a long jump
SUBSTEP = 0.2  # m: moves are swept in steps this long, so nothing tunnels
CORRECT_EPS = 0.05  # m: smaller disagreements are not worth a correction
FIRST_SLOTS = 64  # slot arrays start this big and double when full


@dataclass
class Avatar:
    id: int
    name: str
    look: dict
    x: float
    y: float
    yaw: float
    slot: int = -1
    anim: int = 0
    seq: int = -1
    moved_at: float = 0.0
    state: list = field(default_factory=list)  # quantized [id, x, y, z, yaw, anim]
    packed: bytes = b""  # ``state`` on the wire, packed once per change for every observer
    cell: tuple[int, int] = (0, 0)
    needs_full: bool = True
    acked: int = -1
    legacy: bool = False  # an older client: the ``enter`` entries of its snapshots carry only the look it knows
    _info: bytes = field(default=b"", repr=False)
    _info_look: dict | None = field(default=None, repr=False)
    _legacy: bytes = field(default=b"", repr=False)
    _legacy_look: dict | None = field(default=None, repr=False)

    def requantize(self) -> bool:
        """Refresh ``state``/``packed`` from the position; True if the quantized state changed."""
        state = entity_state(self.id, self.x, self.y, self.yaw, self.anim)
        if state == self.state:
            return False
        self.state, self.packed = state, pack_entity(state)
        return True

    @property
    def info(self) -> dict:
        return {"id": self.id, "name": self.name, "look": self.look}

    @property
    def info_packed(self) -> bytes:
        """``info`` as an entry of ``snap.enter``: packed once per look (a new look is a new dict: server/looks),
        spliced into every snapshot that introduces this avatar."""
        if self._info_look is not self.look:
            self._info, self._info_look = pack(self.info), self.look
        return self._info

    @property
    def legacy_packed(self) -> bytes:
        """:attr:`info_packed` for an older client's snapshots: the look reduced to the fields it knows
        (world/looks.py), packed once per look like the full one."""
        if self._legacy_look is not self.look:
            self._legacy = pack({"id": self.id, "name": self.name, "look": legacy_look(self.look)})
            self._legacy_look = self.look
        return self._legacy


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
        self.cells: dict[tuple[int, int], set[int]] = {}  # grid cell -> slots
        self.tick_no = 0
        self._by_slot: list[Avatar | None] = [None] * FIRST_SLOTS
        self._free: list[int] = list(range(FIRST_SLOTS - 1, -1, -1))
        self._leaving: list[int] = []  # slots of avatars removed since the last tick: told, then freed
        self._xy = np.zeros((FIRST_SLOTS, 2))
        self._version = np.zeros(FIRST_SLOTS, dtype=np.int64)
        self._vid = np.zeros(FIRST_SLOTS, dtype=np.int64)
        self._packed: list[bytes] = [b""] * FIRST_SLOTS
        self._sent = SentTable(FIRST_SLOTS)  # touched only by the tick's compute (server/rooms/tick.py)
        self._resets: list[tuple[int, bool]] = []  # (slot, joined) for the next compute's sent table

    def __len__(self) -> int:
        return len(self.avatars)

    @property
    def full(self) -> bool:
        return len(self.avatars) >= self.capacity

    # --- membership ------------------------------------------------------
    def add(self, vid: int, name: str, look: dict, now: float,
            at: tuple[float, float, float] | None = None, legacy: bool = False) -> Avatar:
        """Place a visitor at ``at`` (x, y, yaw: a resumed visitor) or the least crowded spawn point;
        ``legacy``: an older client (see :attr:`Avatar.legacy`)."""
        if at is None:
            spawn = min(self.hall.spawns, key=self._crowding)
            at = (*spawn.pos, spawn.yaw)
        x, y = self.walkable.resolve(at[0], at[1])
        av = Avatar(vid, name, look, x, y, at[2], slot=self._take_slot(), moved_at=now, legacy=legacy)
        av.requantize()
        self._by_slot[av.slot] = av
        self._xy[av.slot] = (x, y)
        self._vid[av.slot] = vid
        self._version[av.slot] = 0
        self._packed[av.slot] = av.packed
        self._resets.append((av.slot, True))  # a new observer has been told nothing, and nobody of it
        av.cell = self._cell_of(x, y)
        self.avatars[vid] = av
        self.cells.setdefault(av.cell, set()).add(av.slot)
        return av

    def _crowding(self, spawn) -> int:
        """Visitors standing within 1.5 m of a spawn point: newcomers go where it is free."""
        sx, sy = spawn.pos
        return sum((a.x - sx) ** 2 + (a.y - sy) ** 2 < 2.25 for a in self.avatars.values())

    def remove(self, vid: int) -> None:
        av = self.avatars.pop(vid, None)
        if av is not None:
            self._unindex(av)
            self._by_slot[av.slot] = None
            self._packed[av.slot] = b""
            self._resets.append((av.slot, False))  # as an observer it is gone at once
            self._leaving.append(av.slot)  # as an entity: others learn at the next tick, then the slot is free

    def _take_slot(self) -> int:
        if not self._free:
            self._grow()
        return self._free.pop()

    def _grow(self) -> None:
        old = len(self._by_slot)
        new = old * 2
        self._by_slot += [None] * old
        self._free = list(range(new - 1, old - 1, -1))
        self._xy = np.vstack([self._xy, np.zeros((old, 2))])
        self._version = np.concatenate([self._version, np.zeros(old, dtype=np.int64)])
        self._vid = np.concatenate([self._vid, np.zeros(old, dtype=np.int64)])
        self._packed += [b""] * old  # the sent table grows at the next compute

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
        if self.walkable.clear(x, y, x + dx, y + dy):  # open floor: every resolve would return its point
            for _ in range(steps):
                x, y = x + dx / steps, y + dy / steps
            return x, y
        for _ in range(steps):
            x, y = self.walkable.resolve(x + dx / steps, y + dy / steps)
        return x, y

    def _place(self, av: Avatar, x: float, y: float, yaw: float, anim: int) -> None:
        av.x, av.y, av.yaw, av.anim = x, y, yaw, anim
        xy = self._xy
        xy[av.slot, 0] = x  # two scalar stores: a quarter of the cost of storing a tuple in the row
        xy[av.slot, 1] = y
        if av.requantize():
            self._version[av.slot] += 1
            self._packed[av.slot] = av.packed
        cell = self._cell_of(x, y)
        if cell != av.cell:
            self._unindex(av)
            av.cell = cell
            self.cells.setdefault(cell, set()).add(av.slot)

    # --- area of interest ------------------------------------------------
    def _cell_of(self, x: float, y: float) -> tuple[int, int]:
        return math.floor(x / self.view_radius), math.floor(y / self.view_radius)

    def _unindex(self, av: Avatar) -> None:
        members = self.cells.get(av.cell)
        if members is not None:
            members.discard(av.slot)
            if not members:
                del self.cells[av.cell]

    def near(self, vid: int) -> list[int]:
        """Who hears ``vid`` speak nearby: the nearest ``max_view`` visitors within ``view_radius`` (not ``vid``).

        The same bound as the area of interest: in a crowd a line reaches the people around the speaker, as
        the avatars one sees are, not the whole packed hall (which would cost a frame per visitor per line).
        """
        me = self.avatars[vid]
        cx, cy = me.cell
        r2, found = self.view_radius ** 2, []
        for cell in ((cx + dx, cy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            for slot in self.cells.get(cell, ()):
                av = self._by_slot[slot]
                if av is not None and av is not me and (d2 := (av.x - me.x) ** 2 + (av.y - me.y) ** 2) <= r2:
                    found.append((d2, av.id))
        return [v for _, v in heapq.nsmallest(self.max_view, found)]

    def watchers(self, vid: int) -> list[int]:
        """Who has been told of ``vid`` (and not yet that it left): whom a change of its look must reach."""
        slot, by_slot, sent = self.avatars[vid].slot, self._by_slot, self._sent.matrix
        if slot >= len(sent):  # its slot is newer than the last tick: nobody has been told yet
            return []
        return [by_slot[o].id for o in np.nonzero(sent[:, slot] >= 0)[0].tolist() if by_slot[o] is not None]

    def plan(self, skip: set[int] | frozenset = frozenset()) -> TickPlan:
        """Start a tick: a frozen copy of what it reads (cheap: array and list copies), for ``compute`` anywhere.

        ``skip`` holds visitors (ids) whose previous snapshot is still unsent:
        they get nothing this tick, so their next delta is computed against
        what they were really sent, and a slow reader costs no work. One tick
        at a time: call :meth:`finish` with this plan's result before the next plan.
        """
        self.tick_no += 1
        resets, self._resets = self._resets, []
        cells = [(cell, np.fromiter(members, dtype=np.int64, count=len(members)))
                 for cell, members in self.cells.items()]
        return TickPlan(self.tick_no, self.view_radius, self.near_radius, self.max_view, self._sent,
                        len(self._by_slot), resets, cells, self._xy.copy(), self._version.copy(), self._vid.copy(),
                        list(self._packed), list(self._by_slot), list(self._leaving),
                        np.fromiter(skip, dtype=np.int64, count=len(skip)))

    def pending(self) -> bool:
        """Whether an empty room still has bookkeeping for a tick (departures to tell, slots to free)."""
        return bool(self._resets or self._leaving)

    def finish(self, result: Result) -> dict[int, Snapshot]:
        """End a tick on the live room: the snapshots for visitors still here as the avatar they were computed for."""
        out: dict[int, Snapshot] = {}
        for vid, snap in result.snapshots.items():
            av = result.observers[vid]
            if self.avatars.get(vid) is av:
                av.needs_full, av.acked = False, snap.ack
                out[vid] = snap
        told = set(result.told)
        self._free.extend(result.told)
        self._leaving = [slot for slot in self._leaving if slot not in told]
        return out

    def tick(self, skip: set[int] | frozenset = frozenset()) -> dict[int, Snapshot]:
        """Advance one tick in this thread; the snapshot each visitor should receive (empty ones left out)."""
        return self.finish(self.plan(skip).compute())
