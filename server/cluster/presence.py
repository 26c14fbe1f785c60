"""How many visitors each hall has on every member, for the hall list a visitor sees (``welcome``).

Each member counts its own visitors per hall and publishes the counts every
:data:`EVERY_S` seconds on ``presence:counts``; every member keeps the latest
counts of the others and adds them to its own (``RoomsFeature.elsewhere``).
A member that stops publishing (killed, cut off) stops counting after
:data:`STALE_S`. Counts are a view, never stored: nothing here is durable.
"""

from __future__ import annotations

from server.actions import Action, Publish
from server.dispatch import Feature
from server.rooms.feature import RoomsFeature

TOPIC = "presence:counts"
EVERY_S = 2.0
STALE_S = 3 * EVERY_S
MAX_COUNT = 1_000_000


class PresenceFeature(Feature):
    def __init__(self, rooms: RoomsFeature):
        self.rooms = rooms
        self.others: dict[str, tuple[float, dict[str, int]]] = {}  # member -> (heard at, hall -> visitors)
        self.next_at = 0.0

    def topics(self) -> tuple[str, ...]:
        return ("presence:",)

    def tick(self, now: float, busy_vids: set[int]) -> list[Action]:
        if now < self.next_at:
            return []
        self.next_at = now + EVERY_S
        if any(now - at > STALE_S for at, _ in self.others.values()):
            self.others = {m: v for m, v in self.others.items() if now - v[0] <= STALE_S}
            self._sum()
        return [Publish(TOPIC, {"member": self.hub.member, "halls": self.rooms.hall_counts()})]

    def deliver(self, topic: str, event: dict, now: float) -> list[Action]:
        member, halls = event.get("member"), event.get("halls")
        if topic != TOPIC or not isinstance(member, str) or member == self.hub.member or not isinstance(halls, dict):
            return []
        known = self.rooms.rooms
        self.others[member[:200]] = (now, {h: n for h, n in halls.items() if h in known and isinstance(n, int)
                                           and not isinstance(n, bool) and 0 <= n <= MAX_COUNT})
        self._sum()
        return []

    def _sum(self) -> None:
        total: dict[str, int] = {}
        for _, halls in self.others.values():
            for hall, n in halls.items():
                total[hall] = total.get(hall, 0) + n
        self.rooms.elsewhere = total
