"""Who sits where in the conference rooms: one visitor per seat or standing place, decided by the server.

A visitor near a free place asks for it (``stage_sit``); their client walks
them onto it, turns them to the stage and shows them seated (``anim`` 4 in
their moves, so everyone sees it in avatar sync). The place is theirs until
they stand up (``stage_stand``), walk away from it, leave the room or the
fair. Sans-I/O: positions and the clock are passed in.

Places belong to a *room*: a full hall's instances (``conference~2``,
server/rooms/instances.py) each have their own rows of the same places, so
places are kept by room id and looked up in the room's hall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from server.rooms.instances import split
from world.scene import Hall

REACH_M = 2.5  # a visitor may take a place this close to them (their client walks the rest)
ARRIVED_M = 0.4  # on the place
LEFT_M = 0.8  # having arrived, this far from it means they got up and walked away
ARRIVE_WITHIN_S = 6.0  # time to walk onto the place before it is given back


class Refusal(Enum):
    NO_PLACES = "no_places"  # this hall has no audience places
    UNKNOWN = "unknown"  # no such place
    TOO_FAR = "too_far"
    TAKEN = "taken"


@dataclass
class Taken:
    hall: str
    spot: int
    since: float
    arrived: bool = False


class Seating:
    def __init__(self, halls: dict[str, Hall]):
        self.halls = {hid: h for hid, h in halls.items() if h.spots}
        self.by_place: dict[tuple[str, int], int] = {}  # (room id, place) -> who holds it
        self.by_vid: dict[int, Taken] = {}

    def has_places(self, room: str) -> bool:
        return split(room)[0] in self.halls

    def taken(self, hall: str) -> list[int]:
        """The places of room ``hall`` someone holds, in order."""
        return sorted(spot for (h, spot) in self.by_place if h == hall)

    def sit(self, vid: int, hall: str, spot: int, x: float, y: float, now: float) -> Refusal | set[str]:
        """Give ``spot`` of room ``hall`` (a hall or one of its instances) to ``vid`` standing at (x, y): a refusal,
        or the rooms whose places changed."""
        room = self.halls.get(split(hall)[0])
        if room is None:
            return Refusal.NO_PLACES
        if not 0 <= spot < len(room.spots):
            return Refusal.UNKNOWN
        holder = self.by_place.get((hall, spot))
        if holder == vid:
            return set()
        if holder is not None:
            return Refusal.TAKEN
        px, py = room.spots[spot].pos
        if math.hypot(px - x, py - y) > REACH_M:
            return Refusal.TOO_FAR
        changed = self.stand(vid)
        self.by_place[(hall, spot)] = vid
        self.by_vid[vid] = Taken(hall, spot, now)
        return changed | {hall}

    def stand(self, vid: int) -> set[str]:
        """``vid`` gives up their place (stood up, left): the halls whose places changed."""
        held = self.by_vid.pop(vid, None)
        if held is None:
            return set()
        del self.by_place[(held.hall, held.spot)]
        return {held.hall}

    def check(self, vid: int, hall: str | None, x: float, y: float, now: float) -> set[str]:
        """Give a place back if its holder is no longer there: another hall, walked away, never arrived."""
        held = self.by_vid.get(vid)
        if held is None:
            return set()
        if hall != held.hall:
            return self.stand(vid)
        px, py = self.halls[split(hall)[0]].spots[held.spot].pos
        off = math.hypot(px - x, py - y)
        if off <= ARRIVED_M:
            held.arrived = True
        elif (held.arrived and off > LEFT_M) or (not held.arrived and now - held.since > ARRIVE_WITHIN_S):
            return self.stand(vid)
        return set()
