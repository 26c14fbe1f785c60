"""Instances of a hall fuller than its cap: "慈善文化科普馆 · 2" is a second room with the same scene.

Sans-I/O. A hall's first instance has the hall's own id; instance n >= 2 is
the room ``<hall>~<n>`` (a room id like any other: in a cluster it is leased
and may live on another member). A visitor entering a hall goes, in order:

1. to the instance where one of their companions is (a puzzle party), even
   past the cap (up to the room's hard capacity);
2. to the first instance under the cap;
3. to a new instance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SEP = "~"


def instance_id(hall: str, n: int) -> str:
    return hall if n <= 1 else f"{hall}{SEP}{n}"


def split(room: str) -> tuple[str, int]:
    """``(hall, n)`` of a room id (``n`` = 1 for the hall's own room)."""
    hall, _, n = room.partition(SEP)
    return (hall, int(n)) if n.isdigit() and int(n) >= 2 else (room, 1)


def choose(hall: str, cap: int, counts: Mapping[str, int], together: Iterable[str] = ()) -> str:
    """The room of ``hall`` a newcomer goes to. ``counts``: visitors per room id (of every instance that
    exists, 0 included); ``together``: rooms where the newcomer's companions are."""
    for room in together:
        if split(room)[0] == hall:
            return room
    existing = sorted((split(r)[1] for r in counts if split(r)[0] == hall), key=int)
    for n in existing or [1]:
        if counts.get(instance_id(hall, n), 0) < cap:
            return instance_id(hall, n)
    n = 1
    while instance_id(hall, n) in counts:
        n += 1
    return instance_id(hall, n)
