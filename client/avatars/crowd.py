"""Who else is in the hall, from snapshots, and where to draw them now.

Pure bookkeeping, no Panda3D: the app passes a factory that makes a view (an
object with ``place(state)`` and ``remove()``) for each visitor who enters, so
this is tested without a renderer. Snapshot rules (server/rooms/room.py): ``enter``
introduces visitors, ``leave`` forgets them, ``ents`` carries only avatars
that changed, and a ``full`` snapshot lists everyone the observer should know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from client.avatars.interp import State, TickClock, Track
from protocol.messages import CM, dequantize_yaw

MOVING_ANIMS = (1, 2)  # walk, run
SEATED = 4  # on an audience seat (server/stage/seats.py)
STILL_EPS = 0.001  # m: less motion than this between frames counts as standing


class View(Protocol):
    def place(self, state: State) -> None: ...

    def remove(self) -> None: ...


class Crowd:
    def __init__(self, make_view: Callable[[dict], View], tick_hz: int = 10):
        self.make_view = make_view
        self.clock = TickClock(tick_hz)
        self.views: dict[int, View] = {}
        self.names: dict[int, str] = {}
        self.tracks: dict[int, Track] = {}
        self.drawn: dict[int, State] = {}
        self.moved_at = 0.0

    def __len__(self) -> int:
        return len(self.views)

    def reset(self, tick_hz: int) -> None:
        """Forget everyone (a new connection): the next full snapshot rebuilds the crowd."""
        for vid in list(self.views):
            self._forget(vid)
        self.clock = TickClock(tick_hz)

    def on_snap(self, snap: dict, arrival: float) -> None:
        for vid in snap["leave"]:  # leaves first: a visitor who left and came back is in both lists
            self._forget(vid)
        for info in snap["enter"]:
            if info["id"] not in self.views:
                self.views[info["id"]] = self.make_view(info)
                self.names[info["id"]] = info["name"]
                self.tracks[info["id"]] = Track(self.clock.tick_dt)
        if snap["full"]:
            listed = {i["id"] for i in snap["enter"]} | {e[0] for e in snap["ents"]}
            for vid in set(self.views) - listed:
                self._forget(vid)
        t = self.clock.local_time(snap["tick"], arrival)
        for vid, x, y, z, yaw, anim in snap["ents"]:
            track = self.tracks.get(vid)
            if track is not None:
                track.push(State(t, x / CM, y / CM, z / CM, dequantize_yaw(yaw), anim in MOVING_ANIMS,
                                 anim == SEATED))

    def update(self, now: float) -> None:
        """Place every view where its track says it is at ``now``."""
        for vid, track in self.tracks.items():
            state = track.sample(now)
            if state is None:
                continue
            before = self.drawn.get(vid)
            if before is None or state.distance(before) > STILL_EPS:
                self.moved_at = now
            self.drawn[vid] = state
            self.views[vid].place(state)

    def still_for(self, now: float) -> float:
        """Seconds since any visible avatar last moved on screen."""
        return now - self.moved_at

    def _forget(self, vid: int) -> None:
        view = self.views.pop(vid, None)
        if view is not None:
            view.remove()
        self.names.pop(vid, None)
        self.tracks.pop(vid, None)
        self.drawn.pop(vid, None)
