"""One room's tick as a computation over a frozen copy of the room, so it can run off the event loop.

:meth:`Room.plan <server.rooms.room.Room.plan>` (on the loop, cheap) copies
what a tick reads: positions, state versions, grid cells, each avatar's packed
state, the observers to skip. :meth:`TickPlan.compute` (any one thread at a
time per room) does the area of interest, the delta masks and encodes every
observer's ``snap`` frame; it alone touches the ``sent`` table. :meth:`Room.finish
<server.rooms.room.Room.finish>` (on the loop) applies the per-visitor flags
and frees the slots of departed avatars everyone has been told about. Moves,
joins and leaves that arrive while a tick is computing change only the live
room: joins and leaves reach the ``sent`` table as resets the next plan
carries, so a worker never races the loop. numpy releases the GIL in its array
loops, and what stays in Python is a few list operations per observer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from protocol.codec import encode_snap_parts, pack_entity, snap_head, unpack_snap

EMPTY = np.zeros(0, dtype=np.int64)


@dataclass
class Snapshot:
    """What one observer is told this tick, with its ``snap`` frame already encoded."""

    full: bool
    ack: int
    entering: int  # avatars in the frame's ``enter``
    leave: list[int]
    count: int  # entities in the frame's ``ents``
    frame: bytes

    def __bool__(self) -> bool:
        return self.full or bool(self.entering or self.leave or self.count)

    @property
    def enter(self) -> list[dict]:
        return unpack_snap(self.frame)["enter"]

    @property
    def ents(self) -> list[bytes]:
        """The packed entities of ``frame`` one by one (the same bytes: msgpack packs a list one way)."""
        return [pack_entity(e) for e in unpack_snap(self.frame)["ents"]]


class SentTable:
    """``matrix[observer, slot]``: the state version last sent to that observer (-1: never told, or told it left).

    Owned by the tick computation: joins and leaves reach it as resets (:meth:`reset`) at the next compute.
    """

    def __init__(self, size: int):
        self.matrix = np.full((size, size), -1, dtype=np.int64)

    def fit(self, size: int) -> None:
        old = len(self.matrix)
        if size > old:
            grown = np.full((size, size), -1, dtype=np.int64)
            grown[:old, :old] = self.matrix
            self.matrix = grown

    def reset(self, resets: list[tuple[int, bool]]) -> None:
        """Forget what each slot's observer was told; for a newly taken slot also that anyone was told of it."""
        for slot, joined in resets:
            self.matrix[slot, :] = -1
            if joined:
                self.matrix[:, slot] = -1


@dataclass
class Result:
    snapshots: dict[int, Snapshot]  # vid -> snapshot (empty ones left out)
    observers: dict[int, object]  # vid -> the Avatar object the snapshot was computed for
    told: list[int]  # departed slots nobody remembers any more: free for reuse
    seconds: float = 0.0


@dataclass
class TickPlan:
    tick_no: int
    view_radius: float
    near_radius: float
    max_view: int
    sent: SentTable
    size: int  # slots
    resets: list[tuple[int, bool]]
    cells: list[tuple[tuple[int, int], np.ndarray]]  # grid cell -> slots in it
    xy: np.ndarray
    version: np.ndarray
    vid: np.ndarray
    packed: list[bytes]  # per slot: the avatar's state as packed for ``ents``
    avatars: list  # per slot: the Avatar (or None) at plan time
    leaving: list[int]
    skip: np.ndarray = field(default_factory=lambda: EMPTY)

    def compute(self) -> Result:
        """The tick: who sees whom, what changed for each observer, and each observer's encoded frame."""
        self.sent.fit(self.size)
        self.sent.reset(self.resets)
        sent = self.sent.matrix
        obs, seen, near = self.visible()
        if len(self.skip) and len(obs):
            keep = ~np.isin(self.vid[obs], self.skip)
            obs, seen, near = obs[keep], seen[keep], near[keep]
        snapshots: dict[int, Snapshot] = {}
        observers: dict[int, object] = {}
        if len(obs):
            valid = seen >= 0
            col = np.where(valid, seen, 0)
            row = np.broadcast_to(obs[:, None], seen.shape)
            ver = self.version[col]
            last = sent[row, col]
            entered = valid & (last < 0)
            due = near | ((self.vid[col] & 1) == (self.tick_no & 1))  # far ones on alternate ticks
            send = entered | (valid & (last != ver) & due)
            sent[row[send], col[send]] = ver[send]
            # left: told before, not in view now (moved away, or removed since the last tick)
            in_view = np.zeros((len(obs), self.size), dtype=bool)
            in_view[np.nonzero(valid)[0], seen[valid]] = True
            gone_i, gone_slot = np.nonzero((sent[obs] >= 0) & ~in_view)
            sent[obs[gone_i], gone_slot] = -1
            snapshots, observers = self._snapshots(obs, seen, send, entered, gone_i, gone_slot)
        # a departed avatar's slot is reused only once everyone who knew it was told (busy observers may lag)
        told = [slot for slot in self.leaving if not (sent[:, slot] >= 0).any()]
        return Result(snapshots, observers, told)

    def visible(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Observer slots, and per observer the slots it sees (-1 padded, width ``max_view``) and which are near.

        Per grid cell one distance matrix (its members × the members of the 3x3 cells around it, its own
        first, so the diagonal is everyone's distance to themselves); the nearest ``max_view`` are picked
        with argpartition and only then compared with the view radius.
        """
        r2, near2, k = self.view_radius**2, self.near_radius**2, self.max_view
        slots = dict(self.cells)
        x, y = self.xy[:, 0], self.xy[:, 1]
        observers, seen, near = [], [], []
        for (cx, cy), mine in self.cells:
            around = [slots[c] for c in ((cx + dx, cy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
                      if c in slots and c != (cx, cy)]
            cand = np.concatenate([mine, *around]) if around else mine
            dx = x[mine][:, None] - x[cand][None, :]
            dy = y[mine][:, None] - y[cand][None, :]
            d2 = dx * dx + dy * dy
            n = len(mine)
            d2[np.arange(n), np.arange(n)] = np.inf  # nobody sees themselves
            if len(cand) > k:
                idx = np.argpartition(d2, k - 1, axis=1)[:, :k]
                d2 = np.take_along_axis(d2, idx, axis=1)
                ids = cand[idx]
            else:
                pad = k - len(cand)
                d2 = np.pad(d2, ((0, 0), (0, pad)), constant_values=np.inf)
                ids = np.pad(np.broadcast_to(cand, (n, len(cand))), ((0, 0), (0, pad)), constant_values=-1)
            ok = d2 <= r2
            observers.append(mine)
            seen.append(np.where(ok, ids, -1))
            near.append(d2 <= near2)
        if not observers:
            empty = np.zeros((0, k), dtype=np.int64)
            return EMPTY, empty, empty.astype(bool)
        return np.concatenate(observers), np.concatenate(seen), np.concatenate(near)

    def _snapshots(self, obs, seen, send, entered, gone_i, gone_slot) -> tuple[dict, dict]:
        """Turn the masks into one encoded frame per observer with news.

        What each observer is told (entities, arrivals, departures) is gathered for all observers at once in
        row-major order, observer by observer, so the per-observer work is three slices and one join of bytes
        packed once per avatar (its state per change, its name and look once) plus the small head.
        """
        avatars, vid, packed = self.avatars, self.vid, self.packed
        ents = [packed[s] for s in seen[send].tolist()]
        ents_end = np.cumsum(np.count_nonzero(send, axis=1)).tolist()
        entering = seen[entered].tolist()
        enters = [avatars[s].info_packed for s in entering]
        # older clients' arrivals, with only the look fields they know (packed once per avatar too)
        legacy = [avatars[s].legacy_packed for s in entering] if any(avatars[s].legacy for s in obs.tolist()) \
            else enters
        enters_end = np.cumsum(np.count_nonzero(entered, axis=1)).tolist()
        gone_vid = vid[gone_slot]
        leaves = gone_vid[np.lexsort((gone_vid, gone_i))].tolist()  # by observer, then id
        leaves_end = np.cumsum(np.bincount(gone_i, minlength=len(obs))).tolist()
        head = snap_head(self.tick_no)
        snapshots: dict[int, Snapshot] = {}
        observers: dict[int, object] = {}
        e0 = n0 = l0 = 0
        for slot, e1, n1, l1 in zip(obs.tolist(), ents_end, enters_end, leaves_end, strict=True):
            av = avatars[slot]
            full, ack = av.needs_full, av.seq
            if e1 > e0 or n1 > n0 or l1 > l0 or full or ack != av.acked:
                leave = leaves[l0:l1]
                frame = encode_snap_parts(head, full, ack, (legacy if av.legacy else enters)[n0:n1], leave, e1 - e0,
                                          ents[e0:e1])
                snapshots[av.id] = Snapshot(full, ack, n1 - n0, leave, e1 - e0, frame)
                observers[av.id] = av
            e0, n0, l0 = e1, n1, l1
        return snapshots, observers
