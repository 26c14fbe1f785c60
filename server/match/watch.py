"""What visitors do at booths, observed by the server: the signals behind 为你推荐 and the exhibitor's report.

Sans-I/O: the feature hands in who stands where (once a second), kiosk opens
and, from other features, favourites and messages to a booth; this keeps each
visitor's :class:`~server.match.recommend.Signals`, the visits per booth (the
popularity prior) and the events the store keeps for the hourly report.
Claims a client could make up ("I dwelt here") are never taken from it.
"""

from __future__ import annotations

import numpy as np

from server.match.analytics import Event
from server.match.recommend import Signals

NEAR_BOOTH_M = 4.0  # standing this close to a booth's front counts as visiting it
MAX_PENDING_EVENTS = 10_000  # unflushed events kept at most (a stalled disk loses analytics, never the server)


class BoothWatch:
    def __init__(self, spots: dict[str, dict[str, tuple[float, float]]]):
        self.spots = spots  # hall -> booth -> (x, y) in front of it
        self._spots = {h: (list(b), np.array(list(b.values()), dtype=np.float64).reshape(-1, 2))
                       for h, b in spots.items() if b}
        self.signals: dict[str, Signals] = {}  # by visitor party
        self.visits: dict[str, int] = {}  # by booth
        self.events: list[Event] = []
        self.at_booth: dict[int, tuple[str, float, str]] = {}  # cid -> (booth, since, who)

    def note(self, booth: str, kind: str, who: str, wall: float, value: float = 0.0) -> None:
        """One event at ``booth`` (visit, dwell, kiosk, favourite, message); a visitor's signals follow it."""
        if len(self.events) < MAX_PENDING_EVENTS:
            self.events.append(Event(booth, kind, who, wall, value))
        if kind in ("visit", "kiosk"):
            self.visits[booth] = self.visits.get(booth, 0) + 1
        if not who.startswith("v:"):
            return
        sig = self.signals.setdefault(who, Signals())
        if kind in ("visit", "kiosk"):
            sig.visits[booth] = sig.visits.get(booth, 0) + 1
        elif kind == "dwell":
            sig.dwell[booth] = sig.dwell.get(booth, 0.0) + value
        elif kind == "favourite":
            sig.favourites.add(booth)
        elif kind == "message":
            sig.contacts.add(booth)

    def observe(self, members: dict[str, dict[int, tuple[float, float]]], people: dict[int, tuple[int, str]],
                wall: float) -> None:
        """``members``: hall -> visitor id -> (x, y); ``people``: cid -> (visitor id, who). Arrivals are visits,
        departures end a dwell."""
        where: dict[int, str] = {}
        for hall, (booths, xy) in self._spots.items():
            here = members.get(hall)
            if not here:
                continue
            vids = list(here)
            pos = np.array([here[v] for v in vids], dtype=np.float64)
            d2 = ((pos[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)  # visitors x booths, squared metres
            nearest = d2.argmin(axis=1)
            for i in np.flatnonzero(d2[np.arange(len(vids)), nearest] <= NEAR_BOOTH_M ** 2):
                where[vids[i]] = booths[nearest[i]]
        for cid, (vid, who) in people.items():
            booth = where.get(vid)
            current = self.at_booth.get(cid)
            if current is not None and current[0] == booth:
                continue
            self.leave(cid, wall)
            if booth is not None:
                self.at_booth[cid] = (booth, wall, who)
                self.note(booth, "visit", who, wall)

    def leave(self, cid: int, wall: float) -> None:
        """``cid`` walked away or disconnected: its dwell at the booth ends."""
        current = self.at_booth.pop(cid, None)
        if current is not None:
            booth, since, who = current
            self.note(booth, "dwell", who, wall, round(wall - since, 1))

    def take(self) -> list[Event]:
        batch, self.events = self.events, []
        return batch

    def restore(self, rows: list[tuple[str, str, str, int, float]]) -> None:
        """Signals from the stored events: (visitor, booth, kind, count, sum of values)."""
        for visitor, booth, kind, count, total in rows:
            sig = self.signals.setdefault(visitor, Signals())
            if kind in ("visit", "kiosk"):
                sig.visits[booth] = sig.visits.get(booth, 0) + count
                self.visits[booth] = self.visits.get(booth, 0) + count
            elif kind == "dwell":
                sig.dwell[booth] = sig.dwell.get(booth, 0.0) + (total or 0.0)
            elif kind == "favourite":
                sig.favourites.add(booth)
            elif kind == "message":
                sig.contacts.add(booth)
