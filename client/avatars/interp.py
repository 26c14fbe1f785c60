"""Smooth motion for other visitors from 10 Hz, delta-compressed snapshots.

Pure logic, no Panda3D. Each remote avatar has a :class:`Track`: a short
buffer of timestamped states that is sampled ``delay`` seconds in the past,
so there is almost always a state on each side of the render time to
interpolate between. Timestamps come from server ticks (see
:class:`TickClock`), not arrival times, so network jitter does not turn into
jerky motion.

The server only sends an avatar when it changed. Over TCP nothing is lost, so
an avatar missing from some ticks stood still during them: :meth:`Track.push`
inserts a "held" state one tick before a late update, otherwise an avatar that
starts walking after a long pause would glide from where it stood.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

RENDER_DELAY = 0.1  # s behind the newest data
MAX_EXTRAPOLATE = 0.25  # s of dead reckoning when updates are late
SNAP_DISTANCE = 3.0  # m: a longer step between two states is a teleport
MAX_STATES = 32


@dataclass(frozen=True)
class State:
    """Where an avatar is at time ``t`` (local seconds)."""

    t: float
    x: float
    y: float
    z: float
    yaw: float
    moving: bool = False
    seated: bool = False  # on an audience seat (anim 4): drawn sitting

    def distance(self, other: State) -> float:
        return math.dist((self.x, self.y, self.z), (other.x, other.y, other.z))


def yaw_delta(a: float, b: float) -> float:
    """The signed shortest turn from heading ``a`` to ``b``, in (-180, 180]."""
    d = (b - a) % 360.0
    return d - 360.0 if d > 180.0 else d


def wrap_yaw(deg: float) -> float:
    """``deg`` in [0, 360): plain ``%`` can round a tiny negative angle up to 360.0."""
    deg %= 360.0
    return 0.0 if deg >= 360.0 else deg


def lerp_state(a: State, b: State, t: float) -> State:
    """The state at time ``t`` on the straight line from ``a`` to ``b`` (``t`` may lie past ``b``)."""
    span = b.t - a.t
    f = (t - a.t) / span if span > 1e-9 else 1.0
    return State(
        t,
        a.x + (b.x - a.x) * f,
        a.y + (b.y - a.y) * f,
        a.z + (b.z - a.z) * f,
        wrap_yaw(a.yaw + yaw_delta(a.yaw, b.yaw) * min(f, 1.0)),
        b.moving,
        b.seated,
    )


class Track:
    """One remote avatar's recent states, sampled ``delay`` seconds in the past."""

    def __init__(self, tick_dt: float, delay: float = RENDER_DELAY, max_extrapolate: float = MAX_EXTRAPOLATE,
                 snap_distance: float = SNAP_DISTANCE):
        self.tick_dt = tick_dt
        self.delay = delay
        self.max_extrapolate = max_extrapolate
        self.snap_distance = snap_distance
        self.states: list[State] = []

    def push(self, state: State) -> None:
        """Add a state; out-of-order ones are dropped, teleports clear the history."""
        if not self.states:
            self.states.append(state)
            return
        last = self.states[-1]
        if state.t <= last.t:
            return
        if state.distance(last) > self.snap_distance:
            self.states = [state]
            return
        held_until = state.t - self.tick_dt
        if held_until > last.t + 1e-6:
            self.states.append(replace(last, t=held_until, moving=False))
        self.states.append(state)
        if len(self.states) > MAX_STATES:
            del self.states[:-MAX_STATES]

    def sample(self, now: float) -> State | None:
        """Where to draw the avatar at local time ``now``; None before any state arrived."""
        if not self.states:
            return None
        t = now - self.delay
        states = self.states
        if t <= states[0].t:
            return replace(states[0], t=t)
        for i in range(len(states) - 1, 0, -1):
            if states[i - 1].t <= t:
                if t <= states[i].t:
                    out = lerp_state(states[i - 1], states[i], t)
                    del states[:i - 1]
                    return out
                break
        last = states[-1]
        if len(states) < 2 or not last.moving:
            return replace(last, t=t)
        ahead = min(t - last.t, self.max_extrapolate)
        return lerp_state(states[-2], last, last.t + ahead)


class TickClock:
    """Maps server ticks to local time: ``tick / hz + offset``.

    The offset follows the fastest delivery seen (the lowest arrival - tick
    time), so a late packet does not shift the timeline; it creeps up by
    ``relax`` seconds per second so a once-lucky packet or clock drift does not
    pin it forever.
    """

    def __init__(self, tick_hz: int, relax: float = 0.002):
        self.tick_dt = 1.0 / tick_hz
        self.relax = relax
        self.offset: float | None = None
        self._seen_at = 0.0

    def local_time(self, tick: int, arrival: float) -> float:
        """The local time at which ``tick`` happened, given it arrived at ``arrival``."""
        sample = arrival - tick * self.tick_dt
        if self.offset is None or sample < self.offset:
            self.offset = sample
        else:
            self.offset = min(sample, self.offset + self.relax * max(arrival - self._seen_at, 0.0))
        self._seen_at = arrival
        return tick * self.tick_dt + self.offset
