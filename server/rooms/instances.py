"""Instances of a hall fuller than its cap: "慈善文化科普馆 · 2" is a second room with the same scene.

Sans-I/O. A hall's first instance has the hall's own id; instance n >= 2 is
the room ``<hall>~<n>`` (a room id like any other: in a cluster it is leased
and may live on another member). A visitor entering a hall goes, in order:

1. to the instance where one of their companions is (a puzzle party), even
   past the cap (up to the room's hard capacity);
2. to the instance they were in (a resume, a seat), if it is under the cap;
3. to the first instance under the cap;
4. to a new instance.

In a cluster the same order is decided and booked in one step in Redis
(server/cluster/places.py ``RESERVE``), so the cap holds across members.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

SEP = "~"


def instance_id(hall: str, n: int) -> str:
    return hall if n <= 1 else f"{hall}{SEP}{n}"


def split(room: str) -> tuple[str, int]:
    """``(hall, n)`` of a room id (``n`` = 1 for the hall's own room)."""
    hall, _, n = room.partition(SEP)
    return (hall, int(n)) if n.isdigit() and int(n) >= 2 else (room, 1)


def choose(hall: str, cap: int, counts: Mapping[str, int], together: Iterable[str] = (),
           prefer: str | None = None) -> str:
    """The room of ``hall`` a newcomer goes to. ``counts``: visitors per room id (of every instance that
    exists, 0 included); ``together``: rooms where the newcomer's companions are; ``prefer``: the room they
    were in."""
    for room in together:
        if split(room)[0] == hall:
            return room
    if prefer is not None and split(prefer)[0] == hall and counts.get(prefer, 0) < cap:
        return prefer
    existing = sorted((split(r)[1] for r in counts if split(r)[0] == hall), key=int)
    for n in existing or [1]:
        if counts.get(instance_id(hall, n), 0) < cap:
            return instance_id(hall, n)
    n = 1
    while instance_id(hall, n) in counts:
        n += 1
    return instance_id(hall, n)


def party_key(team: str | None) -> str | None:
    """What a party is known by outside this process (a puzzle team's invite code stays secret): a hash."""
    return hashlib.sha256(f"team\x00{team}".encode()).hexdigest()[:24] if team else None
