"""Halls as rooms: joining, walking, leaving, gates between halls, and the snapshot tick.

The room rules themselves (area of interest, authoritative movement) live in
:mod:`server.rooms.room`; this feature routes visitors between rooms. Where a
visitor ends up is always the server's decision (world/places.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from protocol.codec import encode
from protocol.errors import ErrorCode
from protocol.messages import ANIM_SEATED
from server.actions import Action, Job, Send
from server.dispatch import Feature, Route
from server.guard.costs import Cost
from server.rooms.instances import choose, split
from server.rooms.room import Room
from server.rooms.tick import Result, Snapshot
from server.session import Place, Session, error, refuse
from world.places import arrival, portal_at
from world.scene import Hall

log = logging.getLogger("pavilion.rooms")

GONE_KEPT_S = 2.0  # a visitor who left is named to Redis this long (a few syncs: one may be skipped)


class RoomsFeature(Feature):
    def __init__(self, halls: dict[str, Hall], view_radius: float = 24.0, max_view: int = 50,
                 cap: int | None = None):
        """``cap``: visitors per room before a hall is split into instances (server/rooms/instances.py)."""
        self.view_radius, self.max_view, self.cap = view_radius, max_view, cap
        self.rooms = {hid: Room(h, view_radius, max_view) for hid, h in halls.items()}  # and instances "<hall>~n"
        # connection ids of who should share an instance with a visitor (their puzzle party); set by the fair
        self.companions: Callable[[Session], Iterable[int]] = lambda s: ()
        # the visitor's puzzle team (None: none), for keeping a party together across members; set by the fair
        self.party: Callable[[Session], str | None] = lambda s: None
        # In a cluster with a cap: books a place in one of a hall's rooms, blocking (run as a Job):
        # reserve(hall, cap, vid, team, preferred room) -> room id (server/cluster/places.py)
        self.reserve: Callable[[str, int, int, str | None, str | None], str] | None = None
        self.reserving: dict[int, int] = {}  # cid -> the number of its latest reservation still under way
        self.tickets = 0
        self.was_here: dict[str, set[int]] = {}  # visitors per room at the last ``places`` (to see who left)
        self.gone: list[tuple[float, str, int]] = []  # (when, room, vid) of who left lately: their places go
        # visitors per room id, of every instance that exists (a cluster's: every member's); default: here
        self.counts: Callable[[], Mapping[str, int]] = self.hall_counts
        self.private: dict[str, Room] = {}  # small rooms a feature opens for a few (洽谈室): not listed, not joinable
        # offload (serve --tick-threads): each room's tick computation is returned as a Job (the gateway runs it
        # in a worker thread, one lane per room); otherwise it runs inline in ``tick``
        self.offload = False
        self.computing: set[Room] = set()  # rooms whose tick job has not finished (offload only)
        self.owed: set[Room] = set()  # rooms that missed a tick while computing: they tick again on finishing
        self.busy_vids: set[int] = set()  # the last tick's busy visitors, for a tick owed in between
        self.stats = TickStats()
        # In a cluster, asked before a visitor enters a public hall: None (enter here) or the answer instead
        # (a redirect to the member hosting it); see server/cluster/feature.py.
        self.router: Callable[[Session, str, tuple[float, float, float] | None, float, str],
                              list[Action] | None] | None = None
        # In a cluster, asked before a visitor enters a private room: None (enter here) or the answer instead
        # (a redirect whose seat names the party they enter as); see server/cluster/feature.py.
        self.private_router: Callable[[Session, str, str, float, str], list[Action] | None] | None = None
        # ``join`` of a private room (after a redirect's seat): the feature owning such rooms decides (云对接)
        self.private_join: Callable[[Session, str, float], list[Action]] | None = None
        self.elsewhere: dict[str, int] = {}  # each hall's visitors on the cluster's other members (cluster/presence)
        # who may show the seated pose: a visitor holding an audience place (set by server/stage/feature.py)
        self.seated: Callable[[int], bool] = lambda vid: False

    def open_private(self, hall: Hall) -> Room:
        """A room only the feature that opened it places visitors in (``place``); ``join`` never finds it."""
        room = self.private.get(hall.id)
        if room is None:
            room = self.private[hall.id] = Room(hall, capacity=8)
        return room

    def enter_private(self, s: Session, hall: Hall, party: str, now: float, ref: str) -> list[Action]:
        """Put ``s`` (entering as ``party``) in the private room of ``hall``: here, or (a cluster) on the member
        hosting it."""
        if self.private_router is not None:
            elsewhere = self.private_router(s, hall.id, party, now, ref)
            if elsewhere is not None:
                return elsewhere
        return self.place(s, self.open_private(hall), None, now, ref)

    def close_private(self, hall_id: str) -> None:
        """Drop an empty private room (one with visitors stays until they leave)."""
        room = self.private.get(hall_id)
        if room is not None and not len(room):
            del self.private[hall_id]

    def routes(self) -> dict[str, Route]:
        return {"join": Route(self.on_join, Cost.SEARCH), "move": Route(self.on_move, Cost.CHEAP),
                "leave": Route(self.on_leave, Cost.SEARCH)}

    def halls(self) -> list[dict]:
        counts = self.counts()  # with hall leases: every member's visitors per room (server/cluster/feature.py)
        elsewhere = self.elsewhere if self.router is None else {}  # else presence's sums (cluster/presence)
        return [{"id": hid, "name": {"zh": r.hall.name.zh, "en": r.hall.name.en},
                 "visitors": min(sum(n for room, n in counts.items() if split(room)[0] == hid)
                                 + elsewhere.get(hid, 0), 1_000_000)}
                for hid, r in self.rooms.items() if split(hid)[1] == 1]

    def hall_counts(self) -> dict[str, int]:
        return {hid: len(r) for hid, r in self.rooms.items()}

    # --- messages --------------------------------------------------------
    def on_join(self, s: Session, msg: dict, now: float) -> list[Action]:
        room = self.rooms.get(msg["hall"])
        if room is None and self.private_join is not None:
            return self.private_join(s, msg["hall"], now)  # not a hall: maybe a private room a seat leads to
        if room is None:
            return refuse(s, ErrorCode.UNKNOWN_HALL, "join")
        place, s.resume_place = s.resume_place, None
        back = place is not None and split(place.hall)[0] == room.hall.id
        at = (place.x, place.y, place.yaw) if back else None
        return self.place(s, room, at, now, "join", instance=place.hall if back else None)

    def on_move(self, s: Session, msg: dict, now: float) -> list[Action]:
        if s.room is None:
            return refuse(s, ErrorCode.NOT_IN_HALL, "move")
        anim = msg["anim"]
        if anim == ANIM_SEATED and not self.seated(s.vid):
            anim = 0  # sitting on nothing: shown standing (idle), a place is only given by stage_sit
        av = s.room.move(s.vid, msg["seq"], msg["pos"], msg["yaw"], anim, now)
        gate = self._through_portal(s, now)
        if gate:
            return gate
        if av is None:
            return []
        return [Send(s.cid, encode("correct", seq=av.seq, pos=[av.x, av.y, 0.0], yaw=av.yaw))]

    def on_leave(self, s: Session, msg: dict, now: float) -> list[Action]:
        if s.room is None:
            return refuse(s, ErrorCode.NOT_IN_HALL, "leave")
        s.room.remove(s.vid)
        s.room = None
        return []

    # --- placing visitors ------------------------------------------------
    def place(self, s: Session, room: Room, at: tuple[float, float, float] | None, now: float,
              ref: str, instance: str | None = None) -> list[Action]:
        """Put the visitor at ``at`` (None: the hall's spawn) in ``room``, leaving the current one; tell them.

        A public hall's room is first narrowed to one of its instances (``instance``: the one a resume or a
        seat names, kept while it has room); in a cluster with a cap the place is booked in Redis first (a Job,
        :meth:`_book`), and one hosted by another member is answered by the router instead."""
        public = self.rooms.get(room.hall.id) is room
        if public and s.room is not None and s.room.hall is room.hall:
            room = s.room  # moving within the hall's instance (a teleport to a booth in the same hall)
        elif public and self.cap is not None and self.reserve is not None:
            return [self._book(s, room.hall.id, at, ref, instance)]
        elif public:
            return self._enter(s, room.hall.id, self._choose(s, room.hall.id, instance), at, now, ref)
        return self._put(s, room, at, now, ref)

    def _enter(self, s: Session, hall: str, room_id: str, at: tuple[float, float, float] | None, now: float,
               ref: str) -> list[Action]:
        """Into ``room_id`` (a room of ``hall``) here, or the router's answer when another member hosts it."""
        if self.router is not None:
            elsewhere = self.router(s, room_id, at, now, ref)
            if elsewhere is not None:
                return elsewhere
        return self._put(s, self._instance(self.rooms[hall].hall, room_id), at, now, ref)

    def _book(self, s: Session, hall: str, at: tuple[float, float, float] | None, ref: str,
              instance: str | None) -> Job:
        """A place booked off the loop (the cap is exact across members), then :meth:`_enter`. Only the latest
        booking of a connection is followed; one for a visitor gone meanwhile is dropped (its place expires)."""
        self.tickets += 1
        ticket = self.reserving[s.cid] = self.tickets
        reserve, cap, vid, team = self.reserve, self.cap, s.vid, self.party(s)
        prefer = instance or self._together(s, hall)

        def booked(got: object, now: float) -> list[Action]:
            if self.reserving.get(s.cid) != ticket:
                return []
            del self.reserving[s.cid]
            if self.hub.sessions.get(s.cid) is not s or s.closed or s.vid != vid:
                return []
            if isinstance(got, BaseException):
                log.warning("no place could be booked in %s for visitor %d: %s", hall, vid, got)
                return [error(s, ErrorCode.CLUSTER_UNAVAILABLE, ref)]
            return self._enter(s, hall, str(got), at, now, ref)

        return Job(f"place {hall}", lambda: reserve(hall, cap, vid, team, prefer), booked)

    def _put(self, s: Session, room: Room, at: tuple[float, float, float] | None, now: float,
             ref: str) -> list[Action]:
        if room is not s.room and room.full:
            return refuse(s, ErrorCode.HALL_FULL, ref)
        if s.room is not None:
            s.room.remove(s.vid)
        s.room = room
        av = room.add(s.vid, s.name, s.look, now, at, legacy=not s.extras)
        log.debug("visitor %d in %s at (%.1f, %.1f), %d there", s.vid, room.hall.id, av.x, av.y, len(room))
        you = {"pos": [av.x, av.y, 0.0], "yaw": av.yaw}
        n = split(self.room_id(room))[1]
        state = encode("hall_state", hall=room.hall.id, you=you, tick=room.tick_no,
                       **({"instance": n} if n > 1 else {}))
        return [Send(s.cid, state), *self.hub.entered(s, room.hall.id, now)]

    def _together(self, s: Session, hall: str) -> str | None:
        """A room of ``hall`` where a companion connected here is (None: none)."""
        sessions = self.hub.sessions
        return next((rid for cid in self.companions(s) if (c := sessions.get(cid)) is not None
                     and c.room is not None and split(rid := self.room_id(c.room))[0] == hall), None)

    def places(self, now: float) -> dict:
        """Who is in which public room here, who left lately and where this member's puzzle teams are: what
        the membership's heartbeat renews in Redis (server/cluster/places.py ``KEEP``)."""
        here: dict[str, set[int]] = {}
        parties: dict[str, set[str]] = {}
        sessions = self.hub.by_vid
        for rid, room in self.rooms.items():
            if len(room):
                here[rid] = set(room.avatars)
                for vid in room.avatars:
                    s = sessions.get(vid)
                    team = self.party(s) if s is not None else None
                    if team:
                        parties.setdefault(team, set()).add(rid)
        self.gone = [g for g in self.gone if now - g[0] < GONE_KEPT_S]
        self.gone += [(now, rid, vid) for rid, vids in self.was_here.items() for vid in vids - here.get(rid, set())]
        self.was_here = here
        left: dict[str, list[int]] = {}
        for _, rid, vid in self.gone:
            if vid not in here.get(rid, ()):
                left.setdefault(rid, []).append(vid)
        return {"here": {r: sorted(v) for r, v in here.items()}, "left": left,
                "parties": {t: sorted(r) for t, r in parties.items()}}

    def _choose(self, s: Session, hall: str, prefer: str | None = None) -> str:
        """The room id of ``hall`` for ``s``: the hall's own room, or an instance when it is over the cap."""
        if self.cap is None:
            return prefer or hall
        return choose(hall, self.cap, self.counts(), [r for r in [self._together(s, hall)] if r], prefer)

    def _instance(self, hall: Hall, room_id: str) -> Room:
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = Room(hall, self.view_radius, self.max_view)
            log.info("hall %s is full: opened instance %s", hall.id, room_id)
        return room

    def room_id(self, room: Room) -> str:
        """The id ``room`` is kept under (an instance's is ``<hall>~n``; a private room's its hall's)."""
        if self.rooms.get(room.hall.id) is room:
            return room.hall.id
        return next((rid for rid, r in self.rooms.items() if r is room), room.hall.id)

    def _through_portal(self, s: Session, now: float) -> list[Action]:
        """After a move: if the visitor walked into a gate, take them to its hall."""
        hall = s.room.hall
        if not hall.portals:
            return []
        av = s.room.avatars[s.vid]
        gate = portal_at(hall, av.x, av.y)
        if gate is None or gate.to not in self.rooms or s.cid in self.reserving:
            return []  # (a place already being booked: the walk on through the gate is not a second one)
        room = self.rooms[gate.to]
        return self.place(s, room, arrival(room.hall, hall.id, room.walkable), now, "move")

    # --- lifecycle -------------------------------------------------------
    def left(self, s: Session, now: float) -> None:
        """Remember where the visitor stood, for a resume, and take their avatar out."""
        if s.room is not None:
            av = s.room.avatars[s.vid]
            s.resume_place = Place(self.room_id(s.room), av.x, av.y, av.yaw)
            s.room.remove(s.vid)
            s.room = None

    def tick(self, now: float, busy_vids: set[int]) -> list[Action]:
        """Each room's snapshots: computed here, or (``offload``) as one Job per room that is not still computing
        its previous tick (that room skips this tick: counted in ``stats.skipped``)."""
        out: list[Action] = []
        self.busy_vids = busy_vids
        for room in [*self.rooms.values(), *self.private.values()]:
            if not self.offload:
                out += self._sends(room, room.tick(busy_vids))
            elif room in self.computing:
                self.stats.skipped += 1
                self.owed.add(room)
            elif len(room) or room.pending():
                out.append(self._start(room))
        return out

    def _start(self, room: Room) -> Job:
        self.computing.add(room)
        plan = room.plan(self.busy_vids)
        return Job(f"tick {room.hall.id}", timed(plan.compute), lambda result, now: self._finish(room, result),
                   lane=f"tick:{room.hall.id}")

    def _finish(self, room: Room, result: Result | BaseException) -> list[Action]:
        """The sends of a computed tick; a room that missed a tick meanwhile starts its next one at once
        (a late tick, not a lost one: a skipped tick would leave everyone 200 ms without news)."""
        self.computing.discard(room)
        if isinstance(result, BaseException):  # a bug, not load: say so loudly, the next tick tries again
            log.error("the tick of %s failed", room.hall.id, exc_info=result)
            return []
        self.stats.add(result.seconds)
        out = self._sends(room, room.finish(result))
        if room in self.owed:
            self.owed.discard(room)
            out.append(self._start(room))
        return out

    def _sends(self, room: Room, snaps: dict[int, Snapshot]) -> list[Action]:
        by_vid = self.hub.by_vid
        return [Send(s.cid, snap.frame, snapshot=True) for vid, snap in snaps.items()
                if (s := by_vid.get(vid)) is not None]


def timed(compute):
    """``compute`` returning its Result with the thread's CPU seconds spent on it (for the tick statistics)."""

    def run() -> Result:
        started = time.thread_time()
        result = compute()
        result.seconds = time.thread_time() - started
        return result

    return run


@dataclass
class TickStats:
    """Offloaded tick computations: how many, their CPU time, and ticks a room put off while still computing."""

    ticks: int = 0
    busy_s: float = 0.0
    worst_s: float = 0.0
    skipped: int = 0

    def add(self, seconds: float) -> None:
        self.ticks += 1
        self.busy_s += seconds
        self.worst_s = max(self.worst_s, seconds)

    def __str__(self) -> str:
        mean = self.busy_s / max(1, self.ticks) * 1000
        return (f"{self.ticks} hall ticks computed off the loop (mean {mean:.2f} ms, worst {self.worst_s * 1000:.1f} ms"
                f" CPU), {self.skipped} skipped while the previous was computing (each then ran on its finish)")

