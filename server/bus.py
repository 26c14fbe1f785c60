"""Events that cross rooms: one small publish/subscribe interface.

A feature that must reach visitors outside the room it is handling (a direct
message to someone in another hall, the lobby scoreboard, a moderation action,
a model swap, a stage reminder) returns ``Publish(topic, event)`` instead of
sending. The I/O layer hands it to a :class:`Bus`; the bus delivers it to every
member process's core (one process: itself, at once; a cluster: through Redis
pub/sub), where :meth:`server.core.ServerCore.deliver` lets each feature turn
it into messages for the visitors connected *there*. Durable things are
persisted before they are published.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Deliver = Callable[[str, dict], None]

RESYNC = "cluster:resync"
"""Published by a member whose bus was cut off and is back: events may have been lost meanwhile, so every
member's features re-read what they keep in memory from the store (the truth). The core hands it to every
feature's ``deliver``."""


class Bus(Protocol):
    def publish(self, topic: str, event: dict) -> None:
        """Send ``event`` (msgpack-able) to every member subscribed to ``topic``'s feature."""

    def subscribe(self, deliver: Deliver) -> None:
        """``deliver(topic, event)`` is called, on the member's event loop, for every published event."""


class LocalBus:
    """The one-process bus: delivery is a direct call, in publish order."""

    def __init__(self) -> None:
        self._subscribers: list[Deliver] = []

    def publish(self, topic: str, event: dict) -> None:
        for deliver in self._subscribers:
            deliver(topic, event)

    def subscribe(self, deliver: Deliver) -> None:
        self._subscribers.append(deliver)
